"""The organization a request acts in (`X-Ouro-Org`, or the one its API key is bound to)."""

import uuid
from dataclasses import dataclass

from rest_framework.request import Request

from apps.accounts.models import PERSONAL_ORG_ID, ApiKey, Organization, SourcePolicy, Team
from apps.accounts.selectors import membership_for, team_for_viewer, user_can_use_org
from apps.accounts.services import personal_org
from apps.api.envelope import parse_uuid
from apps.api.errors import ApiError


@dataclass(frozen=True)
class OrgContext:
    org: Organization
    role: str | None

    @property
    def default_team(self) -> Team:
        return self.org.default_team


def request_org(request: Request) -> OrgContext:
    header = request.headers.get("X-Ouro-Org", "").strip()
    key = request.auth if isinstance(request.auth, ApiKey) else None
    if not header:
        if key is not None and key.org_id and key.org_id != PERSONAL_ORG_ID:
            header = str(key.org_id)
        else:
            return OrgContext(org=personal_org(), role=None)
    try:
        org_id = uuid.UUID(header)
    except ValueError:
        raise ApiError(
            f"X-Ouro-Org must be an organization id, not {header!r}", code="invalid_org_context"
        ) from None
    if key is not None and key.org_id and key.org_id != org_id:
        raise ApiError(
            "This API key is bound to another organization",
            status=403,
            code="org_context_forbidden",
        )
    if org_id == PERSONAL_ORG_ID:
        return OrgContext(org=personal_org(), role=None)
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise ApiError(f"No organization {org_id}", code="invalid_org_context")
    membership = membership_for(user=request.user, org_id=org_id)
    if membership is None:
        raise ApiError(
            "You are not a member of this organization", status=403, code="org_context_forbidden"
        )
    return OrgContext(org=org, role=membership.role)


def require_key_context(request: Request, org_id) -> None:
    """Refuse a write aimed at an organization other than the one the API key is bound to."""
    key = request.auth if isinstance(request.auth, ApiKey) else None
    if key is not None and key.org_id and str(key.org_id) != str(org_id):
        raise ApiError(
            "This API key is bound to another organization",
            status=403,
            code="org_context_forbidden",
        )


def request_placement(request: Request, fields: dict) -> tuple[Organization, Team]:
    """The organization and team a new asset lives in: the `org_id` and `team_id` asked for
    (which the caller must be allowed to publish to), else the request's context and its
    default team. Every API that creates an asset places it through here."""
    org_id = fields.get("org_id")
    if org_id:
        org_id = parse_uuid(org_id, "org_id")
        require_key_context(request, org_id)
        org = Organization.objects.filter(pk=org_id).first()
        if org is None or not user_can_use_org(user=request.user, org_id=org_id):
            raise ApiError(
                "You may not create assets in this organization", status=403, code="org_forbidden"
            )
    else:
        org = request_org(request).org
    team = org.default_team
    if fields.get("team_id"):
        access = team_for_viewer(
            user=request.user, team_id=parse_uuid(fields["team_id"], "team_id")
        )
        if access is None or access.team.org_id != org.pk:
            raise ApiError("No such team in this organization", code="invalid_team")
        if not (access.role or access.can_moderate):
            raise ApiError(
                f"Join the team {access.team.name} before publishing to it",
                status=403,
                code="team_membership_required",
            )
        team = access.team
    if team.effective_source_policy == SourcePolicy.WEB_ONLY:
        raise ApiError(
            f"Team {team.name} takes new assets from the web pages only, not the API",
            status=403,
            code="source_policy_forbidden",
        )
    return org, team
