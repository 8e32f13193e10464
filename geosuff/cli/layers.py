"""``geosuff layers``: inspect the data layers for an area."""

import typer

app = typer.Typer(no_args_is_help=True, help="Inspect data layers.")
