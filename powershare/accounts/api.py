"""API operations about you and your organisations."""

from ninja import Path, Router, Schema

from powershare.api.schemas import Error

from . import selectors

router = Router(tags=["Accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: str
    role_label: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    member_count: int


ERRORS = {401: Error, 404: Error, 422: Error}


@router.get("/me", response={200: MeOut, 401: Error}, summary="Who you are signed in as")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": m.organisation.name,
                "role": m.role,
                "role_label": m.get_role_display(),
            }
            for m in selectors.current_memberships(user=user)
        ],
    }


def _organisation_out(organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "kind": organisation.kind,
        "kind_label": organisation.get_kind_display(),
        "member_count": organisation.member_count,
    }


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], 401: Error},
    summary="The organisations you belong to",
)
def organisation_list(request):
    return [_organisation_out(o) for o in selectors.organisation_list_for(user=request.auth)]


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    summary="One of your organisations",
)
def organisation_detail(request, organisation_id: int = Path(..., ge=1, le=2**63 - 1)):
    return _organisation_out(selectors.organisation_get_for(user=request.auth, pk=organisation_id))
