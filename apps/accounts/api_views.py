"""Users, organizations and teams: the account endpoints of the Ouro contract."""

from collections.abc import Iterator
from contextlib import contextmanager

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from apps.accounts.models import ActorTypePolicy, JoinPolicy, Role, SourcePolicy, Team
from apps.accounts.selectors import (
    TeamAccess,
    organization_by_name_for_viewer,
    organization_for_viewer,
    organizations_discoverable,
    organizations_for_user,
    team_for_viewer,
    team_join_requests,
    teams_visible_to,
    user_by_name_or_id,
    users_matching,
)
from apps.accounts.serializers import (
    join_request_dict,
    organization_dict,
    team_access_dict,
    team_ban_dict,
    user_profile_dict,
)
from apps.accounts.services import (
    InvalidApiKey,
    TeamError,
    access_token_issue,
    api_key_authenticate,
    team_ban,
    team_create,
    team_delete,
    team_join,
    team_join_request_approve,
    team_join_request_reject,
    team_leave,
    team_unban,
    team_update,
)
from apps.api.context import request_org, require_key_context
from apps.api.envelope import ok, parse_uuid, query_bool
from apps.api.errors import ApiError
from apps.api.schema import field, json_object, query


@contextmanager
def team_errors() -> Iterator[None]:
    try:
        yield
    except TeamError as exc:
        raise ApiError(exc.message, status=exc.status, code=exc.code) from None


@extend_schema(
    request=json_object("TokenRequest", {"pat": field(str, "An API key (`ouro_…`)", required=True)})
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def get_token(request: Request):
    """Exchange a personal access token for a JWT. Failures answer 200 with `error`."""
    body = request.data if isinstance(request.data, dict) else {}
    try:
        key = api_key_authenticate(body.get("pat") or "")
    except InvalidApiKey as exc:
        return ok(None, error={"message": str(exc), "code": "invalid_api_key", "status": 401})
    return ok(None, **access_token_issue(key=key))


@api_view(["GET"])
def current_user(request: Request):
    user = request.user
    return ok(
        {
            "id": str(user.pk),
            "user_id": str(user.pk),
            "email": user.email,
            "username": user.username,
            "actor_type": user.actor_type,
        }
    )


@api_view(["GET"])
def current_profile(request: Request):
    return ok(user_profile_dict(request.user))


def _profile(user, viewer) -> dict:
    return {**user_profile_dict(user), "isSelf": user.pk == viewer.pk}


@api_view(["GET"])
def user_detail(request: Request, name_or_id: str):
    user = user_by_name_or_id(name_or_id)
    if user is None:
        raise ApiError(f"No user {name_or_id!r}", status=404, code="not_found")
    return ok(_profile(user, request.user))


@extend_schema(parameters=[query("query", "Part of a username")])
@api_view(["GET"])
def user_search(request: Request):
    users = users_matching(request.query_params.get("query") or "")
    return ok([_profile(user, request.user) for user in users])


def _team(request: Request, team_id: str) -> TeamAccess:
    """The team the caller may see, else the same 404 as for a missing id."""
    access = team_for_viewer(user=request.user, team_id=parse_uuid(team_id, "team id"))
    if access is None:
        raise ApiError("Team not found", status=404, code="not_found")
    return access


# A team's fields as the client sends them (apps.accounts.services._team_fields checks them).
TEAM_VISIBILITIES = tuple(Team.Visibility.values)
ROLES = tuple(Role.values)
TEAM_FIELDS = {
    "name": field(str, "A slug: lowercase letters, numbers and single dashes"),
    "description": field(object, "Text, or `{text, json}`"),
    "visibility": field(str, "Who may see the team", enum=TEAM_VISIBILITIES),
    "default_role": field(str, "The role a new member gets", enum=ROLES),
    "join_policy": field(str, "How one joins", enum=JoinPolicy.values),
    "source_policy": field(str, "Where its assets may be made from", enum=SourcePolicy.values),
    "actor_type_policy": field(str, "Who may take part", enum=ActorTypePolicy.values),
}
WRAPPED = "Under `team`, as the client sends it; the same fields bare, at the top level, also work."


def _team_body(request: Request) -> dict:
    body = request.data if isinstance(request.data, dict) else {}
    team = body.get("team", body)
    if not isinstance(team, dict):
        raise ApiError("team must be an object", code="invalid_team")
    return team


def _team_answer(request: Request, team_id, **kwargs):
    access = team_for_viewer(user=request.user, team_id=team_id)
    return ok(team_access_dict(access, user=request.user, **kwargs))


@extend_schema(
    parameters=[
        query("org_id", "Only this organization's teams"),
        query("joined", "Only teams the caller is in", bool),
        query("public_only", "Only public teams", bool),
    ]
)
@api_view(["GET"])
def teams_list(request: Request):
    """The teams of the caller's organizations they may see (`joined`, `public_only`, `org_id`
    narrow them); public teams of other organizations with `public_only`."""
    org_id = request.query_params.get("org_id")
    accesses = teams_visible_to(
        user=request.user,
        org_id=parse_uuid(org_id, "org_id") if org_id else None,
        joined=query_bool(request, "joined"),
        public_only=query_bool(request, "public_only"),
    )
    return ok([team_access_dict(access, user=request.user) for access in accesses])


@extend_schema(
    request=json_object(
        "TeamCreate",
        {
            "team": json_object(
                "TeamFields",
                {
                    **TEAM_FIELDS,
                    "name": field(
                        str, "A slug: lowercase letters, numbers and single dashes", required=True
                    ),
                    "org_id": field(str, "The organization it goes in", required=True),
                },
            )
        },
        WRAPPED,
    )
)
@api_view(["POST"])
def team_create_view(request: Request):
    fields = _team_body(request)
    org_id = fields.get("org_id")
    if not org_id:
        raise ApiError("org_id is required", code="missing_org_id")
    org_id = parse_uuid(org_id, "org_id")
    require_key_context(request, org_id)
    found = organization_for_viewer(user=request.user, org_id=org_id)
    if found is None:
        raise ApiError("Organization not found", status=404, code="not_found")
    fields = {k: v for k, v in fields.items() if k not in ("org_id", "id")}
    with team_errors():
        team = team_create(user=request.user, org=found[0], fields=fields)
    return _team_answer(request, team.pk)


@extend_schema(
    methods=["GET"], parameters=[query("include_members", "Also list the members", bool)]
)
@extend_schema(
    methods=["PUT"],
    request=json_object(
        "TeamUpdate",
        {
            "team": json_object(
                "TeamChanges", TEAM_FIELDS, "The fields to change; those left out are kept."
            )
        },
        WRAPPED,
    ),
)
@api_view(["GET", "PUT", "DELETE"])
def team_detail(request: Request, team_id: str):
    access = _team(request, team_id)
    if request.method == "GET":
        include = query_bool(request, "include_members")
        return ok(team_access_dict(access, user=request.user, include_members=include))
    if request.method == "DELETE":
        with team_errors():
            team_delete(access=access)
        return ok({"id": str(access.team.pk), "deleted": True})
    fields = {k: v for k, v in _team_body(request).items() if k not in ("id", "org_id")}
    with team_errors():
        team_update(access=access, fields=fields)
    return _team_answer(request, access.team.pk)


@extend_schema(methods=["POST"], request=None)  # reads no body
@api_view(["POST"])
def team_join_view(request: Request, team_id: str):
    access = _team(request, team_id)
    with team_errors():
        team_join(access=access, user=request.user)
    return _team_answer(request, access.team.pk)


@extend_schema(methods=["POST"], request=None)  # reads no body
@api_view(["GET", "POST"])
def team_leave_view(request: Request, team_id: str):
    access = _team(request, team_id)
    with team_errors():
        team_leave(access=access, user=request.user)
    return ok({"id": str(access.team.pk), "left": True})


@api_view(["GET"])
def team_join_requests_list(request: Request, team_id: str):
    access = _team(request, team_id)
    requests = team_join_requests(access=access, user=request.user)
    return ok([join_request_dict(join_request) for join_request in requests])


@extend_schema(methods=["POST"], request=None)  # reads no body
@api_view(["POST"])
def team_join_request_review(request: Request, team_id: str, request_id: str, decision: str):
    access = _team(request, team_id)
    review = team_join_request_approve if decision == "approve" else team_join_request_reject
    with team_errors():
        join_request = review(access=access, request_id=parse_uuid(request_id, "request id"))
    return ok(join_request_dict(join_request))


@extend_schema(
    methods=["POST"],
    request=json_object(
        "TeamBan",
        {
            "user_id": field(str, "The user to ban: an id or a username", required=True),
            "reason": field(str, "Why (at most 2000 characters are kept)"),
            "remove_contributions": field(bool, "Also remove what they posted in the team"),
        },
    ),
)
@api_view(["GET", "POST"])
def team_bans(request: Request, team_id: str):
    access = _team(request, team_id)
    if request.method == "GET":
        if not access.can_moderate:
            raise ApiError(
                "Only the team's or the organization's admins see its bans",
                status=403,
                code="team_admin_required",
            )
        bans = access.team.bans.select_related("user").order_by("created_at")
        return ok([team_ban_dict(ban) for ban in bans])
    body = request.data if isinstance(request.data, dict) else {}
    banned = user_by_name_or_id(str(body.get("user_id") or ""))
    if banned is None:
        raise ApiError("No such user", status=404, code="not_found")
    reason = body.get("reason") or ""
    if not isinstance(reason, str):
        raise ApiError("reason must be text", code="invalid_reason")
    with team_errors():
        ban = team_ban(
            access=access,
            by=request.user,
            user=banned,
            reason=reason[:2000],
            remove_contributions=body.get("remove_contributions") is True,
        )
    return ok(team_ban_dict(ban))


@api_view(["DELETE"])
def team_unban_view(request: Request, team_id: str, user_id: str):
    access = _team(request, team_id)
    with team_errors():
        team_unban(access=access, user_id=parse_uuid(user_id, "user id"))
    return ok({"team_id": str(access.team.pk), "user_id": user_id, "banned": False})


@api_view(["GET"])
def organizations_of_user(request: Request):
    orgs = organizations_for_user(user=request.user).prefetch_related("memberships")
    data = []
    for org in orgs:
        role = next((m.role for m in org.memberships.all() if m.user_id == request.user.pk), None)
        data.append(organization_dict(org, role=role))
    return ok(data)


@api_view(["GET"])
def organizations_discoverable_list(request: Request):
    return ok([organization_dict(org) for org in organizations_discoverable()])


@api_view(["GET"])
def organization_context(request: Request):
    context = request_org(request)
    return ok(organization_dict(context.org, role=context.role))


@api_view(["GET"])
def organization_detail(request: Request, org_id: str):
    found = organization_for_viewer(user=request.user, org_id=parse_uuid(org_id))
    if found is None:
        raise ApiError("Organization not found", status=404, code="not_found")
    return ok(organization_dict(found[0], role=found[1]))


@api_view(["GET"])
def organization_by_name(request: Request, name: str):
    found = organization_by_name_for_viewer(user=request.user, name=name)
    if found is None:
        raise ApiError("Organization not found", status=404, code="not_found")
    return ok(organization_dict(found[0], role=found[1]))
