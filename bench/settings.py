"""The platform's settings plus one bare Django JSON view, the yardstick of the API benchmark."""

from marketing_platform.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
