"""Per-thread state of the compiled shortest-path searches (:mod:`geosuff.network._kernels`).

Kept apart from the kernels: it is plain Python, and numba's on-disk cache of the
kernels follows only their own module's source.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Workspace"]


class Workspace:
    """Per-thread search state for a graph of *n* nodes and *m* edges.

    Parameters
    ----------
    n, m
        Numbers of nodes and edges (*m* is kept for callers; the heap needs only *n*).
    seeds
        Most seeds one search starts from.
    with_len, with_label
        Whether route lengths and source labels are tracked (else 1-element stubs).

    Attributes
    ----------
    dist, lens, label
        Seconds, metres and source label of the nodes the last search reached.
    done
        Whether the last search settled each node.
    order
        Nodes in the order the last search settled them (``state[0]`` of them).
    """

    def __init__(
        self, n: int, m: int, seeds: int = 2, *, with_len: bool = False, with_label: bool = False
    ) -> None:
        self.dist = np.full(n, np.inf)
        self.lens = np.empty(n if with_len else 1)
        self.label = np.empty(n if with_label else 1, dtype=np.int32)
        self.done = np.zeros(n, dtype=np.bool_)
        self.order = np.empty(n, dtype=np.int32)
        # live entries never exceed the nodes, so n + seeds slots always suffice once
        # stale entries are compacted away (rarely: the frontier is usually small)
        self.hnode = np.empty(n + seeds + 1, dtype=np.int32)
        self.hkey = np.empty(n + seeds + 1)
        self.state = np.zeros(2, dtype=np.int64)  # settled count, heap size at the end

    def settled(self, nodes: np.ndarray) -> np.ndarray:
        """Whether each of *nodes* was settled by the last search."""
        return self.done[nodes]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Return the arrays the kernels take, in their order."""
        return (
            self.dist, self.lens, self.label, self.done, self.order, self.hnode, self.hkey,
            self.state,
        )  # fmt: skip
