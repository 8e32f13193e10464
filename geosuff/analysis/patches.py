"""Local patches: the rounds an LSOA's clients share when no zones are given.

Without commissioned zones, an LSOA's visits are planned with the clients around it,
never with a whole authority. **The patch rule**: the patch of an LSOA is the LSOA
itself and its nearest neighbours, by straight-line distance between population-
weighted centroids, added nearest first until the patch expects at least
``patch_clients`` home care clients (default :data:`PATCH_CLIENTS`, 100: about 14
rounds of 7 visits, what a small team covers). Patches stay inside the area; in an
area expecting fewer clients than that, the patch is the whole area. Only the visits
of the patch's own LSOA are kept from its simulation, so every LSOA sits in the
middle of its patch.
"""

from __future__ import annotations

import numpy as np

from geosuff._errors import ValidationError

__all__ = ["PATCH_CLIENTS", "local_patches", "patch_label"]

#: Default home care clients a local patch expects (about 14 rounds of 7 visits).
PATCH_CLIENTS = 100.0


def local_patches(
    centroids_xy: np.ndarray, expected: np.ndarray, *, patch_clients: float = PATCH_CLIENTS
) -> list[np.ndarray]:
    """Find the local patch of every LSOA (see the module docstring for the rule).

    Parameters
    ----------
    centroids_xy
        ``(n, 2)`` population-weighted centroids (EPSG:27700).
    expected
        Expected home care clients per LSOA.
    patch_clients
        Clients a patch must expect.

    Returns
    -------
    list of numpy.ndarray
        For each LSOA, the row positions of its patch, the LSOA itself first, then
        nearest first.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [1000.0, 0.0], [5000.0, 0.0]])
    >>> [p.tolist() for p in local_patches(xy, np.array([60.0, 50.0, 80.0]))]
    [[0, 1], [1, 0], [2, 1]]
    """
    if not patch_clients > 0:
        msg = f"patch_clients must be positive, got {patch_clients!r}"
        raise ValidationError(msg)
    xy = np.asarray(centroids_xy, dtype=float)
    exp = np.asarray(expected, dtype=float)
    patches = []
    for i in range(len(xy)):
        d = np.hypot(xy[:, 0] - xy[i, 0], xy[:, 1] - xy[i, 1])
        d[i] = -1.0  # the LSOA itself first, even when a neighbour shares its centroid
        order = np.argsort(d, kind="stable")
        enough = np.flatnonzero(np.cumsum(exp[order]) >= patch_clients)
        stop = int(enough[0]) + 1 if len(enough) else len(order)
        patches.append(order[:stop])
    return patches


def patch_label(n_lsoas: int, clients: float) -> str:
    """Describe a local patch for reasons and tables.

    Parameters
    ----------
    n_lsoas
        LSOAs in the patch.
    clients
        Clients the patch expects.

    Returns
    -------
    str
        E.g. ``"local patch (12 nearest LSOAs, ~104 clients)"``.
    """
    return f"local patch ({n_lsoas} nearest LSOAs, ~{clients:.0f} clients)"
