"""Background work for subject access: building the export can take a while for someone
involved for years, so it never holds up a page."""

from django.tasks import task


@task
def subject_access_export_prepare(*, request_id: int) -> int:
    """Build the zip for one request. Idempotent: running it again replaces the file."""
    from .services import subject_access_export_build

    request = subject_access_export_build(request_id=request_id)
    return request.export_size if request is not None else 0
