"""The embedded task queue (apps.core.queue): huey's SqliteHuey with SQLite's WAL commits left
to checkpoints, as the site database has them."""

import sqlite3

from apps.core.queue import SqliteHuey


def test_the_embedded_queue_commits_without_a_flush_per_task(tmp_path):
    queue = SqliteHuey("test", filename=str(tmp_path / "queue.sqlite3"))
    done = []

    @queue.task()
    def note(value):
        done.append(value)

    note(1)
    note(2)
    assert queue.pending_count() == 2
    for _ in range(2):
        queue.execute(queue.dequeue())
    assert done == [1, 2]
    assert queue.storage.conn.execute("pragma synchronous").fetchone() == (1,)  # NORMAL
    assert queue.storage.conn.execute("pragma journal_mode").fetchone() == ("wal",)


def test_a_queued_task_is_seen_at_once_by_another_connection(tmp_path):
    """A commit not flushed to disk is still a commit: a worker in another process sees it."""
    path = tmp_path / "queue.sqlite3"
    queue = SqliteHuey("test", filename=str(path))

    @queue.task()
    def noop():
        return None

    noop()
    with sqlite3.connect(path) as reader:
        assert reader.execute("select count(*) from task").fetchone() == (1,)
