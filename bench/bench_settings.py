"""Settings for the HTTP benchmark only: the production settings with bench_urls as the URL
configuration (the production site plus the framework-ceiling view). Never deployed."""

from shenguan.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
