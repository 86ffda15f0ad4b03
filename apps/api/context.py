"""The organization a request acts in (`X-Ouro-Org`, or the one its API key is bound to)."""

import uuid
from dataclasses import dataclass

from rest_framework.request import Request

from apps.accounts.models import PERSONAL_ORG_ID, ApiKey, Organization, Team
from apps.accounts.selectors import membership_for
from apps.accounts.services import personal_org
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
