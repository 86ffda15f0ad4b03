"""Users, organizations and teams: the account endpoints of the Ouro contract."""

from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from apps.accounts.models import Organization
from apps.accounts.selectors import (
    membership_for,
    organizations_for_user,
    teams_for_user,
    user_by_name_or_id,
    users_matching,
)
from apps.accounts.serializers import (
    organization_dict,
    team_with_membership_dict,
    user_profile_dict,
)
from apps.accounts.services import InvalidApiKey, access_token_issue, api_key_authenticate
from apps.api.context import request_org
from apps.api.envelope import ok, parse_uuid, query_bool
from apps.api.errors import ApiError


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


@api_view(["GET"])
def user_search(request: Request):
    users = users_matching(request.query_params.get("query") or "")
    return ok([_profile(user, request.user) for user in users])


@api_view(["GET"])
def teams_of_user(request: Request):
    """The teams the caller may publish to (`?org_id=` narrows them); none are discoverable."""
    if query_bool(request, "public_only"):
        return ok([])
    org_id = request.query_params.get("org_id")
    teams = teams_for_user(
        user=request.user, org_id=parse_uuid(org_id, "org_id") if org_id else None
    )
    return ok(
        [team_with_membership_dict(team, user=request.user, role=role) for team, role in teams]
    )


@api_view(["GET"])
def team_detail(request: Request, team_id: str):
    wanted = parse_uuid(team_id, "team id")
    found = next(((t, r) for t, r in teams_for_user(user=request.user) if t.pk == wanted), None)
    if found is None:
        raise ApiError("Team not found", status=404, code="not_found")
    team, role = found
    return ok(team_with_membership_dict(team, user=request.user, role=role))


@api_view(["GET"])
def organizations_of_user(request: Request):
    orgs = organizations_for_user(user=request.user).prefetch_related("memberships")
    data = []
    for org in orgs:
        role = next((m.role for m in org.memberships.all() if m.user_id == request.user.pk), None)
        data.append(organization_dict(org, role=role))
    return ok(data)


@api_view(["GET"])
def organization_context(request: Request):
    context = request_org(request)
    return ok(organization_dict(context.org, role=context.role))


@api_view(["GET"])
def organization_detail(request: Request, org_id: str):
    org = Organization.objects.filter(pk=parse_uuid(org_id)).first()
    membership = membership_for(user=request.user, org_id=org.pk) if org else None
    if org is None or (membership is None and not org.is_personal):
        raise ApiError("Organization not found", status=404, code="not_found")
    return ok(organization_dict(org, role=membership.role if membership else None))
