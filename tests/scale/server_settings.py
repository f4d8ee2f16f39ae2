"""Settings of the app servers (and manage.py runs) of test_two_servers.py: the production
settings, config.settings.base, configured by the environment alone, with one change: static
files are collected into a folder of the test's own (SCALE_STATIC_ROOT), because STATIC_ROOT
is not an environment variable and ./staticfiles belongs to `make serve`."""

import os
from pathlib import Path

from config.settings.base import *  # noqa: F403

STATIC_ROOT = Path(os.environ["SCALE_STATIC_ROOT"])
