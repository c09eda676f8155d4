"""Every read of improvement work that leaves the app. One module per area; import them from
here: `from powershare.improvement import selectors; selectors.actions_visible(user=...)`."""

from .actions import action_is_overdue, matters_arising, overdue, with_urgency  # noqa: F401

# Each area's module lists its selectors in __all__.
from .assessments import *  # noqa: E402, F403
from .frameworks import (  # noqa: F401
    frameworks_for,
    roadmap,
    version_current,
    version_with_content,
    versions_for,
)
from .partnership import *  # noqa: E402, F403
from .plans import *  # noqa: E402, F403
from .scope import (  # noqa: F401
    actions_visible,
    assessments_visible,
    can_manage,
    get_or_404,
    groups_visible,
    managing_ids,
    meetings_visible,
    plans_visible,
    require_view,
    viewing_ids,
    walkthroughs_visible,
)
from .walkthroughs import *  # noqa: E402, F403
