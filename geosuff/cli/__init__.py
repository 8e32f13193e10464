"""The ``geosuff`` command line: one typer sub-app per stage, thin over the API."""
