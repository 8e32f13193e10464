"""Batch runs: the same analyses over many areas and scenarios, resumable, serial or on Dask.

From the command line::

    geosuff batch examples/batch.toml --out batch-out            # one process
    geosuff batch examples/batch.toml --out batch-out --workers 4  # process pool, if it pays
    geosuff batch examples/batch.toml --out batch-out --scheduler local --workers 4  # Dask
    geosuff batch national.toml --scheduler tcp://scheduler:8786   # a Dask cluster

From Python, :func:`run` takes a recipe file, a dict or a :class:`Recipe` and returns
the manifest::

    import geosuff.batch
    manifest = geosuff.batch.run("examples/batch.toml", out="batch-out")

Worker processes start by importing the script that started them, so a script that
runs with ``workers > 1`` keeps its work under ``if __name__ == "__main__":``.

Outputs are ``OUT/<area code>/<analysis>.<ext>`` plus ``OUT/<area code>/rejects.csv``
and ``OUT/manifest.json`` (see :mod:`geosuff.batch.manifest`). Running the same recipe
again runs only what is missing, failed, or whose inputs (by content, see
:mod:`geosuff.batch.inputs`) or parameters changed. ``examples/batch.toml`` and
``examples/rutland.toml`` ship with geosuff and are found from any folder.

Modules: :mod:`~geosuff.batch.recipe` (read and check recipes),
:mod:`~geosuff.batch.registry` (the analyses a recipe can name),
:mod:`~geosuff.batch.analyses` (geosuff's own), :mod:`~geosuff.batch.scenario`
(provider changes), :mod:`~geosuff.batch.inputs` (what each task reads; fingerprints),
:mod:`~geosuff.batch.plan`, :mod:`~geosuff.batch.context` and
:mod:`~geosuff.batch.tasks` (area jobs), :mod:`~geosuff.batch.backends` (serial,
processes or Dask), :mod:`~geosuff.batch.runner` and :mod:`~geosuff.batch.manifest`.

Running on a real Dask cluster
------------------------------
geosuff uses ``dask.distributed`` as it is: each area is one Dask task (the area's
layers plus a buffer of neighbouring LSOAs and providers, so cross-border access is
right), submitted with ``Client.submit``; results come back to the machine running
``geosuff batch``, which writes the outputs and the manifest.

1. Install the same geosuff version (and its dependencies) on the scheduler, every
   worker and the client machine, e.g. in one container image or conda environment.
2. Make the data folder readable at the **same path** on every worker (a shared or
   network file system, or a copy baked into the image), and point the recipe's
   ``data`` key at it (or set ``GEOSUFF_DATA`` on the workers and the client). Road
   network files named in the recipe must be readable there too; set
   ``network_cache`` to a shared folder so each network is built once.
3. Start the cluster, e.g. ``dask scheduler`` on one machine and
   ``dask worker tcp://scheduler:8786 --nworkers 4 --nthreads 1`` on each worker
   (one thread per worker process: the analyses are NumPy/SciPy bound), or use
   ``dask-jobqueue`` (SLURM/PBS) or ``dask-kubernetes`` and pass their scheduler
   address.
4. Run ``geosuff batch RECIPE.toml --scheduler tcp://scheduler:8786 --out OUT``. The
   output folder only needs to be writable by the client. If the client is
   interrupted, run the same command again: finished areas are skipped.

Memory per worker: an area's travel-time matrix is (LSOAs in area and buffer) x
(providers in area and buffer) float64 twice (minutes and km); for the largest English
authorities with a 20 km buffer that is a few hundred MB, so give workers 2-4 GB.
"""

from __future__ import annotations

from geosuff.batch.inputs import register_input_kind
from geosuff.batch.recipe import AreaEntry, Recipe, RecipeError, load_recipe, recipe_from_dict
from geosuff.batch.registry import ANALYSES, Analysis, register_analysis
from geosuff.batch.runner import plan, run
from geosuff.batch.tasks import run_area_job

__all__ = [
    "ANALYSES",
    "Analysis",
    "AreaEntry",
    "Recipe",
    "RecipeError",
    "load_recipe",
    "plan",
    "recipe_from_dict",
    "register_analysis",
    "register_input_kind",
    "run",
    "run_area_job",
]
