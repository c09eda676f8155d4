"""A minimal Django project serving django-survey-and-report 1.5.0 (the peer), run only from
the peer's own virtualenv (bench/peer: ensure_venv). Nothing of PowerShare is imported here."""
