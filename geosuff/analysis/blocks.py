"""Where rounds are formed (zones or local patches), their drive times, their days.

A *block* is the set of LSOAs whose clients share rounds (a zone, or the local patch
of one LSOA) and the LSOAs whose visits are kept from it (the whole zone, or the
patch's own LSOA). Drive times between candidate homes are computed once per *cell*:
nearby blocks are grouped until their homes reach :data:`CELL_HOMES`, so overlapping
patches share one matrix instead of each computing its own.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geosuff import settings
from geosuff.analysis.clients import ClientPool
from geosuff.analysis.patches import local_patches, patch_label
from geosuff.analysis.rounds import simulate_days

__all__ = ["CELL_HOMES", "Block", "BlockMatrices", "round_blocks", "simulate_block"]

#: Most candidate homes in one drive-time matrix (a larger zone gets its own).
CELL_HOMES = 3000


class Block(NamedTuple):
    """LSOAs whose clients share rounds.

    Attributes
    ----------
    key
        Stable name (seeds the block's random numbers).
    rows
        Row positions of the block's LSOAs.
    targets
        Row positions of the LSOAs whose visits are kept.
    label
        The round area in words (``zone <name>`` or the local patch).
    """

    key: str
    rows: np.ndarray
    targets: np.ndarray
    label: str


def round_blocks(
    population: gpd.GeoDataFrame,
    zone: np.ndarray,
    expected: np.ndarray,
    *,
    patch_clients: float,
) -> list[Block]:
    """One block per zone, and one local patch per LSOA in no zone.

    Parameters
    ----------
    population
        LSOAs with ``lsoa_code``, ``demand_e``, ``demand_n``.
    zone
        Zone of each LSOA row (``None`` when in none).
    expected
        Expected clients per LSOA row.
    patch_clients
        Clients a local patch expects.

    Returns
    -------
    list of Block
        Zones (sorted by name), then patches (in row order).
    """
    blocks: list[Block] = []
    named = pd.notna(zone)
    names = np.where(named, zone, "").astype(str)
    for name in sorted(set(names[named])):
        rows = np.flatnonzero(named & (names == name))
        blocks.append(Block(f"zone:{name}", rows, rows, f"zone {name}"))
    loose = np.flatnonzero(~named)
    if len(loose):
        xy = population[["demand_e", "demand_n"]].to_numpy(float)
        patches = local_patches(xy, expected, patch_clients=patch_clients)
        note = " (in no zone)" if named.any() else ""
        codes = population["lsoa_code"].astype(str).to_numpy()
        for i in loose:
            rows = patches[i]
            label = patch_label(len(rows), float(expected[rows].sum())) + note
            blocks.append(Block(f"patch:{codes[i]}", rows, np.array([i]), label))
    return blocks


def _morton(xy: np.ndarray) -> np.ndarray:
    """Z-order key of points, so sorting by it keeps neighbours together."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    q = ((xy - lo) / np.maximum(hi - lo, 1.0) * 65535).astype(np.uint64)
    key = np.zeros(len(xy), dtype=np.uint64)
    for bit in range(16):
        for dim in range(2):
            key |= ((q[:, dim] >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + dim)
    return key


class BlockMatrices:
    """Drive minutes and km between the candidate homes of each block, cell by cell.

    Parameters
    ----------
    network
        Road network, or ``None`` for the estimate.
    pool
        The candidate homes.
    population
        LSOAs (``ruc11`` is passed on for each home when present).
    blocks
        The blocks to serve.
    area_class
        Estimate speeds when there is no network and no ``ruc11``.
    """

    def __init__(
        self,
        network: object | None,
        pool: ClientPool,
        population: gpd.GeoDataFrame,
        blocks: list[Block],
        area_class: str | None,
    ) -> None:
        self.network = network
        self.pool = pool
        self.area_class = area_class
        self.ruc11 = (
            population["ruc11"].astype(str).to_numpy() if "ruc11" in population.columns else None
        )
        self.method: str | None = None
        self.blocks = blocks
        self.homes = [
            np.concatenate(
                [np.arange(pool.start[r], pool.start[r + 1]) for r in b.rows] or [np.array([], int)]
            ).astype(np.int64)
            for b in blocks
        ]
        self.cells = self._cells(population)

    def _cells(self, population: gpd.GeoDataFrame) -> list[list[int]]:
        if not self.blocks:
            return []
        if len(self.pool.xy) <= CELL_HOMES:
            return [list(range(len(self.blocks)))]
        xy = population[["demand_e", "demand_n"]].to_numpy(float)
        centres = np.array([xy[b.targets].mean(axis=0) for b in self.blocks])
        order = np.argsort(_morton(centres), kind="stable")
        cells: list[list[int]] = []
        current: list[int] = []
        union: set[int] = set()
        for b in order:
            homes = set(self.homes[b].tolist())
            if current and len(union | homes) > CELL_HOMES:
                cells.append(current)
                current, union = [], set()
            current.append(int(b))
            union |= homes
        cells.append(current)
        return cells

    def _compute(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from geosuff.network import time_matrix_array

        xy = self.pool.xy[idx]
        pts = gpd.GeoDataFrame(
            {"id": np.arange(len(idx))},
            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
            crs=settings.crs_metric,
        )
        if self.ruc11 is not None:
            pts["ruc11"] = self.ruc11[self.pool.lsoa[idx]]
        arr = time_matrix_array(self.network, pts, pts, max_snap_m=None, area_class=self.area_class)
        self.method = arr.method
        return np.ascontiguousarray(arr.minutes), np.ascontiguousarray(arr.km)

    def __iter__(
        self,
    ) -> Iterator[tuple[Block, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Yield ``(block, homes, minutes, km, xy, positions)`` cell by cell.

        ``homes`` are the block's pool indices, ``positions`` where they sit in the
        cell's ``minutes``/``km``/``xy``.
        """
        for cell in self.cells:
            union = np.unique(np.concatenate([self.homes[b] for b in cell]))
            if len(union) == 0:
                continue
            t, km = self._compute(union)
            xy = np.ascontiguousarray(self.pool.xy[union])
            for b in cell:
                homes = self.homes[b]
                yield self.blocks[b], homes, t, km, xy, np.searchsorted(union, homes)


def simulate_block(
    block: Block,
    homes: np.ndarray,
    pool: ClientPool,
    cell: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    days: int,
    visits_per_round: int,
    seed: int,
) -> dict[str, np.ndarray] | None:
    """Simulate *days* days of rounds in one block and return the visits of its targets.

    Parameters
    ----------
    block
        The block.
    homes
        Its candidate homes (pool indices).
    pool
        All candidate homes.
    cell
        ``(minutes, km, xy, positions)`` from iterating :class:`BlockMatrices`.
    days
        Simulated days; each draws ``floor(e)`` or ``floor(e) + 1`` clients per LSOA
        from its homes, and a time slot for each client's call.
    visits_per_round
        Time slots per round.
    seed
        Seed (combined with the block's key).

    Returns
    -------
    dict or None
        Arrays ``row`` (LSOA row), ``day``, ``leg_minutes``, ``leg_km``,
        ``unreachable`` for the visits of the block's targets; ``None`` without homes.
    """
    t, km, xy, pos = cell
    # the block's own rows of the cell's matrices: small enough to stay in cache
    t, km, xy = t[np.ix_(pos, pos)], km[np.ix_(pos, pos)], xy[pos]
    rng = np.random.default_rng([seed, zlib.crc32(block.key.encode())])
    n_homes = pool.start[block.rows + 1] - pool.start[block.rows]
    if n_homes.sum() == 0:
        return None
    # each day: floor(e) or floor(e) + 1 clients per LSOA, drawn from its homes at random
    group = np.repeat(np.arange(len(block.rows)), n_homes)
    group_start = np.concatenate([[0], np.cumsum(n_homes)[:-1]])
    exp = pool.expected[block.rows]
    counts = (np.floor(exp) + (rng.random((days, len(exp))) < exp - np.floor(exp))).astype(int)
    order = np.argsort(group[None, :] + rng.random((days, len(homes))), axis=1)
    rank = np.arange(len(homes)) - group_start[group]
    take = rank[None, :] < counts[:, group]
    n_chosen = take.sum(axis=1)
    n_max = max(int(n_chosen.max()), 1)
    chosen = np.zeros((days, n_max), dtype=np.int64)
    for d in range(days):
        chosen[d, : n_chosen[d]] = order[d, take[d]]
    slots = rng.integers(0, visits_per_round, size=(days, n_max)).astype(np.int64)
    leg_t, leg_k, unreach = simulate_days(
        t, km, xy, chosen, n_chosen.astype(np.int64), slots, visits_per_round
    )
    day, slot = np.nonzero(np.arange(n_max)[None, :] < n_chosen[:, None])
    lsoa_row = pool.lsoa[homes[chosen[day, slot]]]
    keep = np.isin(lsoa_row, block.targets)
    return {
        "row": lsoa_row[keep],
        "day": day[keep],
        "leg_minutes": leg_t[day, slot][keep],
        "leg_km": leg_k[day, slot][keep],
        "unreachable": unreach[day, slot][keep],
    }
