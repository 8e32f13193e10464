"""Root of the ``geosuff`` command line.

Usage errors (an unknown command or option, a bad choice or number, a missing
argument) print the usage and exit with code 2. Errors that geosuff raises on purpose,
and file-system errors, print as one line on stderr with exit code 2; anything
unexpected prints one line with exit code 3. ``--debug``, anywhere on the line,
shows tracebacks.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from geosuff import __version__
from geosuff._errors import GeosuffError

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3
DEBUG_FLAG = "--debug"


def _click_flavours() -> tuple[type[Exception], type[Exception]]:
    """Return the ``ClickException`` class typer reports, and every one that may be raised.

    typer 0.2x and later bundle their own copy of click (``typer._click``); earlier
    versions use click itself. Commands and callbacks may raise either.
    """
    bundled = getattr(typer.core, "_click", None)
    own = bundled.exceptions.ClickException if bundled is not None else click.ClickException
    return own, (own, click.ClickException)  # type: ignore[return-value]


_TYPER_CLICK_ERROR, _ANY_CLICK_ERROR = _click_flavours()
_EXITS = (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort, SystemExit)


def hoist_debug(args: list[str]) -> list[str]:
    """Move ``--debug`` to the front, wherever it is given (before a ``--``).

    Parameters
    ----------
    args
        The command-line arguments.

    Returns
    -------
    list of str
        The same arguments, ``--debug`` first when present.
    """
    end = args.index("--") if "--" in args else len(args)
    if DEBUG_FLAG not in args[:end]:
        return list(args)
    rest = [a for a in args[:end] if a != DEBUG_FLAG]
    return [DEBUG_FLAG, *rest, *args[end:]]


class GeosuffGroup(TyperGroup):
    """A typer group that turns exceptions into one-line errors unless ``--debug``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the arguments, taking ``--debug`` from anywhere on the line."""
        if ctx.parent is None:
            args = hoist_debug(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the command, reporting geosuff errors as one line."""
        try:
            return super().invoke(ctx)
        except _EXITS:
            raise
        except _ANY_CLICK_ERROR as exc:
            if isinstance(exc, _TYPER_CLICK_ERROR):
                raise  # typer prints the usage and the error, and exits with its code (2)
            exc.show()  # type: ignore[attr-defined]
            raise typer.Exit(exc.exit_code) from None  # type: ignore[attr-defined]
        except KeyboardInterrupt:
            typer.echo("geosuff: interrupted", err=True)
            raise typer.Exit(130) from None
        except GeosuffError as exc:
            if ctx.params.get("debug"):
                raise
            typer.echo(f"geosuff: error: {exc}", err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except OSError as exc:
            if ctx.params.get("debug"):
                raise
            typer.echo(f"geosuff: error: {_os_error_text(exc)}", err=True)
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


def _os_error_text(exc: OSError) -> str:
    """One line naming the file of a file-system error."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    names = [os.fspath(n) for n in (exc.filename, exc.filename2) if n is not None]
    return f"{' -> '.join(names)}: {reason}" if names else reason


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


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes to whatever ``sys.stderr`` is when it emits.

    Commands run inside another program (a test runner, a notebook) may swap
    ``sys.stderr``; a handler holding the old stream would write to a closed file.
    """

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option(DEBUG_FLAG, help="Show tracebacks on errors (anywhere on the line).")
    ] = False,
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
    handler = _StderrHandler()
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
