"""Links from other apps' pages into improvement work ("Add an action"), shown only to people
who may manage improvement work in the record's organisation."""

from django import template

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can

register = template.Library()


@register.simple_tag(takes_context=True)
def may_add_action(context, organisation_id) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not organisation_id:
        return False
    return user_can(
        user=user, capability=Capability.MANAGE_IMPROVEMENT, organisation_id=organisation_id
    )
