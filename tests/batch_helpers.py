"""A batch analysis that waits, for tests that kill a running batch (importable by workers)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd

from geosuff.batch import Analysis, register_analysis

#: Environment variable naming the folder where waiting workers write their process id.
PID_DIR_ENV = "GEOSUFF_TEST_PID_DIR"


def wait_here(ctx: object, params: dict) -> pd.DataFrame:
    """Write this worker's process id, then wait (up to two minutes) to be killed."""
    folder = Path(os.environ[PID_DIR_ENV])
    (folder / f"{os.getpid()}.pid").write_text(str(os.getppid()))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
    return pd.DataFrame({"waited": [True]})


register_analysis(Analysis("wait_here", wait_here, {}, network=False, reads=()))
