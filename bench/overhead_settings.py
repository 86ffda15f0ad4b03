"""Settings for bench/run_overhead.py: the site as configured, plus a bare baseline view."""

from ouro_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.overhead_urls"
