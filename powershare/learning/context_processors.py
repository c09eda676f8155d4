"""`learning_can_manage` for the learning section's own navigation (templates/learning/_nav.html)."""

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can


def learning(request):
    if not request.path.startswith("/learning/"):
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"learning_can_manage": user_can(user=user, capability=Capability.MANAGE_LEARNING)}
