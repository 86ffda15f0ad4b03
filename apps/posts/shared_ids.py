"""`/posts/{id}` as the official clients call it answers for other kinds too (ouro-py reads and
deletes a comment there). Apps above posts register which ids are theirs, and the view that
answers for them; the posts API hands such a request over."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# (claims(id) -> bool, view(request, id) -> response)
_OWNERS: list[tuple[Callable[[str], bool], Callable[[HttpRequest, str], HttpResponse]]] = []


def posts_path_owner_register(
    claims: Callable[[str], bool], view: Callable[[HttpRequest, str], HttpResponse]
) -> None:
    if (claims, view) not in _OWNERS:
        _OWNERS.append((claims, view))


def posts_path_owner(asset_id: str) -> Callable[[HttpRequest, str], HttpResponse] | None:
    """The view of the app whose asset `asset_id` is, when it is not a post's."""
    for claims, view in _OWNERS:
        if claims(asset_id):
            return view
    return None
