"""The embedded task queue: huey's SqliteHuey, committing as the site's SQLite database does.

Huey leaves SQLite's `synchronous` at FULL, which in WAL mode flushes the log to disk on every
commit: every click that queues a run and every worker that takes one waited for a flush (about
7 ms on a plain disk), one after another under the queue's write lock, which capped the queue
near 130 runs a second whatever the workers could do. NORMAL, the site database's setting
(ouro_site/env.py), flushes at checkpoints instead: a crash of the process loses nothing; a
power cut may lose the last commits, as it may for the database the runs are recorded in.
"""

import sqlite3

import huey
from huey.storage import SqliteStorage


class WalSqliteStorage(SqliteStorage):
    def _create_connection(self) -> sqlite3.Connection:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class SqliteHuey(huey.SqliteHuey):
    storage_class = WalSqliteStorage
