"""Root of the ``geosuff`` command line.

Errors that geosuff raises on purpose print as one line on stderr with exit code 2;
anything unexpected prints one line with exit code 3. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from geosuff import __version__
from geosuff._errors import GeosuffError

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3


class GeosuffGroup(TyperGroup):
    """A typer group that turns exceptions into one-line errors unless ``--debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the command, reporting geosuff errors as one line."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            typer.echo("geosuff: interrupted", err=True)
            raise typer.Exit(130) from None
        except GeosuffError as exc:
            if ctx.params.get("debug"):
                raise
            typer.echo(f"geosuff: error: {exc}", err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            line = str(exc).splitlines()[0] if str(exc) else ""
            typer.echo(
                f"geosuff: internal error: {type(exc).__name__}: {line} "
                "(run again with --debug for the traceback)",
                err=True,
            )
            raise typer.Exit(EXIT_INTERNAL_ERROR) from None


app = typer.Typer(
    cls=GeosuffGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="geosuff: where care supply falls short of the older population it serves.",
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"geosuff {__version__}")
        raise typer.Exit


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only warnings and errors on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print version."),
    ] = False,
) -> None:
    """Geospatial sufficiency mapping for English adult social care."""
    level = logging.WARNING if quiet else logging.INFO
    if debug:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("geosuff")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _register() -> None:
    from geosuff.cli import access as access_cli
    from geosuff.cli import batch as batch_cli
    from geosuff.cli import data as data_cli
    from geosuff.cli import homecare as homecare_cli
    from geosuff.cli import layers as layers_cli
    from geosuff.cli import maps as maps_cli
    from geosuff.cli import network as network_cli
    from geosuff.cli import report as report_cli
    from geosuff.cli import supply as supply_cli
    from geosuff.cli import zones as zones_cli

    app.add_typer(data_cli.app, name="data")
    app.add_typer(layers_cli.app, name="layers")
    app.command(name="supply")(supply_cli.supply)
    app.command(name="access")(access_cli.access)
    app.command(name="runs")(homecare_cli.runs)
    app.command(name="gaps")(homecare_cli.gaps)
    app.add_typer(zones_cli.app, name="zones")
    app.add_typer(network_cli.network_app, name="network")
    app.add_typer(network_cli.travel_app, name="travel")
    app.command(name="map")(maps_cli.map_command)
    app.command(name="batch")(batch_cli.batch)
    app.command(name="report")(report_cli.report_command)


_register()


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
