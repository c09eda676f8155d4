"""Every change to improvement work. One module per area; import them from here:
`from powershare.improvement import services; services.action_create(...)`."""

from .actions import ACTION_FIELDS, action_create, action_progress_record, action_update  # noqa: F401

# Each area's module lists its services in __all__.
from .assessments import *  # noqa: E402, F403
from .frameworks import framework_version_publish  # noqa: F401
from .partnership import *  # noqa: E402, F403
from .plans import *  # noqa: E402, F403
from .walkthroughs import *  # noqa: E402, F403
