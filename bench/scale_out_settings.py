"""Settings for the processes bench/scale_out.py starts: PowerShare's own settings, with two
changes a benchmark needs and the environment can't give yet.

- Email goes to files in POWERSHARE_BENCH_MAIL_DIR (Django's file backend), so every message
  either worker sends can be counted afterwards. config/settings.py reads only SMTP settings
  from the environment (EMAIL_URL, EMAIL_HOST); with neither, mail is printed to the console,
  which can't be counted across processes.
- Static files are looked up without the manifest `collectstatic` writes: the benchmark's
  servers serve pages, not their CSS, and must not depend on a `staticfiles/` folder a fresh
  clone doesn't have (with debug off, a {% static %} tag without the manifest is an error).
"""

import os

from config.settings import *  # noqa: F403
from config.settings import STORAGES

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["POWERSHARE_BENCH_MAIL_DIR"]},
    }
}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
