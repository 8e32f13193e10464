"""An area job (plain data, sent to wherever it runs) and its inputs, loaded once.

An *area job* says which area, data folder, network, zones and tasks; an
:class:`AreaContext` loads the area's layers once and, lazily, its surroundings,
road network and zones, for its tasks to share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geosuff._errors import GeosuffError, NetworkError
from geosuff.batch.registry import AREA_FILE_KEYS, Analysis
from geosuff.io.supply_rules import SupplyRules

__all__ = ["AreaContext", "AreaJob", "TaskSpec", "error_text", "network_cache"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskSpec:
    """One task of an area job.

    Attributes
    ----------
    key
        ``<area code>/<analysis>`` (scenarios: ``<area code>/scenario-<name>``).
    analysis
        Analysis name (``scenario`` for scenarios).
    parameters
        ``{analysis: params}`` (see :func:`geosuff.batch.registry.task_parameters`).
    changes
        Scenario changes CSV (scenarios only).
    definition
        The analysis itself, so that analyses registered by the caller also run in
        worker processes (``None`` for scenarios).
    """

    key: str
    analysis: str
    parameters: Mapping[str, Mapping[str, Any]]
    changes: Path | None = None
    definition: Analysis | None = None


@dataclass(frozen=True)
class AreaJob:
    """Everything needed to run an area's tasks anywhere.

    Attributes
    ----------
    area
        Area code.
    data_dir
        Data folder (must be readable where the job runs).
    files
        Layer file overrides.
    network
        Road network file, or ``None`` for the straight-line estimate.
    zones
        Zone file, or ``None``.
    network_cache
        Folder for built networks.
    tasks
        The tasks to run.
    single_process_travel
        Keep network travel times in the job's own process (set when jobs already run
        in parallel, and always in daemonic processes such as Dask workers, which
        cannot start the travel engine's process pool).
    year
        The population's year (passed to :func:`geosuff.load_area_layers`), or ``None``
        for the estimates'.
    focus
        A place the area's report opens its map on, or ``None``.
    rules
        The supply rules the area's layers are loaded with.
    """

    area: str
    data_dir: Path
    files: Mapping[str, Path]
    network: Path | None
    zones: Path | None
    network_cache: Path | None
    tasks: tuple[TaskSpec, ...]
    single_process_travel: bool = False
    year: int | None = None
    focus: str | None = None
    rules: SupplyRules = field(default_factory=SupplyRules)


def error_text(exc: BaseException) -> str:
    """One line describing *exc* (geosuff errors as they are, others with their type).

    Parameters
    ----------
    exc
        The exception.

    Returns
    -------
    str
        The message's first line.
    """
    text = str(exc).splitlines()[0] if str(exc) else ""
    if isinstance(exc, GeosuffError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def network_cache(job: AreaJob) -> Path:
    """Folder where built road networks are cached for *job*.

    Parameters
    ----------
    job
        The job.

    Returns
    -------
    pathlib.Path
        The recipe's ``network_cache``, else ``$GEOSUFF_CACHE``, else
        ``~/.cache/geosuff/networks`` (as the ``--network`` option of the CLI).
    """
    from geosuff.network.cache import default_cache_dir

    return job.network_cache if job.network_cache is not None else default_cache_dir()


class AreaContext:
    """An area's inputs, loaded on first use and shared by its tasks.

    ``layers`` hold the population of the job's year (``base_layers`` the estimates',
    the same object without a year), so every task of the area is for that year; both
    follow the job's supply rules.

    Parameters
    ----------
    job
        The area job.
    """

    def __init__(self, job: AreaJob) -> None:
        from geosuff.io.area_layers import LayerFiles, load_area_layers
        from geosuff.io.population_year import layers_for_years

        self.job = job
        files = LayerFiles(**{k: job.files[k] for k in AREA_FILE_KEYS if k in job.files})
        self.files = files
        self.base_layers = load_area_layers(
            job.area, data_dir=job.data_dir, files=files, **job.rules.load_kwargs()
        )
        self.layers = self.base_layers
        if job.year is not None and job.year != self.base_layers.year:
            self.layers = layers_for_years(
                self.base_layers, [job.year], data_dir=job.data_dir, projection=files.projections
            )[0]
        self._surroundings: dict[float, Any] = {}
        self._network: Any = None
        self._network_loaded = False
        self._network_error: str | None = None
        self._groups: pd.Series | None = None
        self._groups_loaded = False
        self._memo: dict[str, Any] = {}
        self.extra_rejects: list[pd.DataFrame] = []
        self.notes: list[str] = []
        #: Warnings logged while the job's tasks ran (filled by the job runner).
        self.warnings: list[str] = []

    def surroundings(self, buffer_km: float) -> Any:
        """Demand and providers within *buffer_km* of the area (cached).

        Parameters
        ----------
        buffer_km
            The buffer.

        Returns
        -------
        geosuff.Surroundings
            Demand and providers in and around the area.
        """
        from geosuff.datasets import coverage_note
        from geosuff.io.surroundings import load_surroundings

        key = float(buffer_km)
        note = coverage_note(self.job.data_dir, buffer_km=key) if key > 0 else None
        if note and note not in self.notes:
            log.warning("%s: %s", self.job.area, note)
            self.notes.append(note)
        if key not in self._surroundings:
            self._surroundings[key] = load_surroundings(
                self.layers, buffer_km=key, data_dir=self.job.data_dir
            )
        return self._surroundings[key]

    def network(self) -> Any:
        """Load the area's road network (once), or ``None`` for the labelled estimate.

        Returns
        -------
        geosuff.RoadNetwork or None
            The network.

        Raises
        ------
        NetworkError
            If the recipe names a network that cannot be loaded: every task that needs
            it fails with the reason (none falls back to the estimate).
        """
        if not self._network_loaded:
            self._network_loaded = True
            path = self.job.network
            if path is not None:
                from geosuff.network import build_network, load_network

                try:
                    if path.is_dir():
                        self._network = load_network(path)
                    else:
                        self._network = build_network(path, cache_dir=network_cache(self.job))
                except Exception as exc:
                    self._network_error = error_text(exc)
        if self._network_error is not None:
            msg = f"road network {self.job.network} could not be loaded: {self._network_error}"
            raise NetworkError(msg)
        return self._network

    def groups(self) -> pd.Series | None:
        """Zone of each LSOA (indexed by ``lsoa_code``), or ``None`` without a zone file.

        Returns
        -------
        pandas.Series or None
            The zones.
        """
        if not self._groups_loaded:
            zones = self.job.zones
            if zones is not None:
                from geosuff.zones.groups import zone_assignment

                loaded = zone_assignment(
                    zones, self.layers, network=self.network(), data_dir=self.job.data_dir
                )
                self.extra_rejects.append(loaded.rejects)
                self._groups = loaded.data.set_index("lsoa_code")["zone"]
            self._groups_loaded = True
        return self._groups

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """Compute ``make()`` once per *key* for this area (e.g. a shared access table).

        Parameters
        ----------
        key
            Cache key.
        make
            Builds the value.

        Returns
        -------
        object
            The cached value.
        """
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]
