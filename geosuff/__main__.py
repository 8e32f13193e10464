"""Allow ``python -m geosuff``."""

from geosuff.cli.main import run

run()
