"""Starting a run from another person's run: a post's readers may start from the inputs of
a run the post pins. Posts build on actions, so their check is registered at start-up."""

from collections.abc import Callable

from apps.actions.models import Action

# check(*, user, action_id, via) -> the action when `via` (a post id) lets `user` see it
_READER_CHECKS: list[Callable[..., Action | None]] = []


def pinned_reader_register(check: Callable[..., Action | None]) -> None:
    if check not in _READER_CHECKS:
        _READER_CHECKS.append(check)


def pinned_action_for_reader(*, user, action_id, via) -> Action | None:
    """The run pinned in `via` when `user` may read it there, else None."""
    for check in _READER_CHECKS:
        action = check(user=user, action_id=action_id, via=via)
        if action is not None:
            return action
    return None
