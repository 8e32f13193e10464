"""``geosuff batch RECIPE.toml``: run a recipe's analyses over its areas, resumably."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["batch"]

EXIT_TASKS_FAILED = 1


def batch(
    recipe: Annotated[
        Path,
        typer.Argument(
            help="Recipe TOML file, or a shipped one (examples/batch.toml, examples/rutland.toml).",
            dir_okay=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default: the recipe's 'output')."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", "-w", min=1, help="Processes (or Dask workers) to use at most."),
    ] = 1,
    parallel: Annotated[
        bool | None,
        typer.Option(
            "--parallel/--serial",
            help="With --workers N: always use N processes, or never (default: only when "
            "the areas take long enough for parallel to pay).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask: 'local' starts a LocalCluster of --workers; else the address of a "
            "running dask.distributed scheduler (tcp://host:8786).",
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Data folder (overrides the recipe's 'data'); 'sample' for the Rutland "
            "sample shipped with geosuff.",
            file_okay=False,
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress bar: plain log lines per area, for log files."
        ),
    ] = False,
) -> None:
    """Run a batch recipe: every area x analysis, skipping what is already done.

    Outputs go to OUT/<area code>/<analysis>.<ext>, with OUT/manifest.json.

    Exit code 1 when some tasks failed (the others are done; run again to retry).
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from geosuff.batch import load_recipe, run

    checked = load_recipe(recipe, data_dir=data, out=out)
    out_dir = checked.output
    options = {"workers": workers, "scheduler": scheduler, "parallel": parallel}
    if quiet:
        manifest = run(checked, out=out_dir, **options)
    else:
        console = Console(stderr=True)
        columns = (
            TextColumn("[bold]batch[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tasks"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
        )
        # The bar shows what the per-area log lines would say.
        runner_log = logging.getLogger("geosuff.batch.runner")
        level = runner_log.level
        runner_log.setLevel(logging.WARNING)
        with Progress(*columns, console=console, transient=False) as bar:
            task_id = bar.add_task("starting", total=None)

            def update(done: int, total: int, area: str) -> None:
                bar.update(task_id, completed=done, total=total, description=area)

            try:
                manifest = run(checked, out=out_dir, progress=update, **options)
            finally:
                runner_log.setLevel(level)
    last = manifest["runs"][-1]
    typer.echo(
        f"{len(last['executed'])} tasks run, {len(last['skipped'])} already done, "
        f"{len(last['failed'])} failed in {last['seconds']:.1f} s ({last['backend']}); "
        f"manifest: {out_dir / 'manifest.json'}",
        err=True,
    )
    if last["failed"]:
        for key in last["failed"]:
            typer.echo(f"geosuff: task failed: {manifest['tasks'][key]['error']}", err=True)
        raise typer.Exit(EXIT_TASKS_FAILED)
