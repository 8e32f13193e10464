"""Check geosuff as a new user gets it: build the wheel, install it, run the README.

Builds the wheel, installs it into a fresh virtual environment (its dependencies come
from the package registry, through pip's cache), then runs every ``geosuff`` command of
the README's shell blocks from an empty temporary folder: the commands that read the
data folder with ``GEOSUFF_DATA`` pointing at it (``../shared/data`` in a command is
read as that folder), and the commands of the sample section with the Rutland sample
shipped in the wheel. A command fails the check when it exits with a code other than
the one the README says it may, or prints a traceback or an internal error.

    python scripts/check_install.py                     # data folder: ../shared/data
    python scripts/check_install.py --data DIR --keep   # keep the venv and outputs
    python scripts/check_install.py --no-data           # the sample commands only

Commands that cannot run here are listed in :data:`SKIP` with the reason.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: README commands not run here, and why.
SKIP = {
    "geosuff data fetch --area Wiltshire": "downloads from the internet",
    "geosuff batch national.toml --scheduler tcp://scheduler:8786": "needs a Dask cluster",
    "geosuff supply --area Rutland --bed-use capacity.csv": "needs the council's own bed-use file",
}
#: Marks of a command that reads files the user downloads by hand (``~/Downloads``, ``$F``).
BY_HAND = ("~/", "$")
#: Exit codes a README command may end with besides 0 (the README says why).
ALLOWED_CODES = {"--fail-on-problems": {0, 1}}
TIMEOUT_S = 900


@dataclass(frozen=True)
class Command:
    """A README command and how to run it."""

    text: str
    sample: bool

    def argv(self, data: Path | None) -> list[str]:
        """Return the command's arguments, ``../shared/data`` read as *data*."""
        text = self.text
        if data is not None:
            text = text.replace("../shared/data", str(data))
        return shlex.split(text)

    def skip_reason(self) -> str | None:
        """Return why the command is not run here, or ``None``."""
        if self.text in SKIP:
            return SKIP[self.text]
        if self.text.startswith("geosuff data fetch") and "--file" not in self.text:
            return "downloads from the internet"
        if any(mark in self.text for mark in BY_HAND):
            return "reads files downloaded by hand"
        return None

    def allowed(self) -> set[int]:
        """Return the exit codes that count as success."""
        for flag, codes in ALLOWED_CODES.items():
            if flag in self.text:
                return codes
        return {0}


def readme_commands(text: str | None = None) -> list[Command]:
    """List the ``geosuff`` commands of the README's ``sh`` blocks, in order.

    Parameters
    ----------
    text
        The README (default: the repository's).

    Returns
    -------
    list of Command
        Each command without its trailing comment; ``sample`` when it says
        ``--data sample``.
    """
    text = README.read_text(encoding="utf-8") if text is None else text
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        block = re.sub(r"\\\n\s*", " ", block)  # continuation lines
        for line in block.splitlines():
            line = line.strip()
            if not line.startswith("geosuff "):
                continue
            line = re.sub(r"\s+#.*$", "", line)
            commands.append(Command(line, "--data sample" in line))
    return commands


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=False, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def build_wheel(dist: Path) -> Path:
    """Build geosuff's wheel into *dist* and return it."""
    done = _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(dist)])
    if done.returncode != 0:
        raise SystemExit(f"building the wheel failed:\n{done.stdout}\n{done.stderr}")
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    return next(dist.glob("geosuff-*.whl"))


def fresh_venv(folder: Path, wheel: Path, python: str) -> Path:
    """Create a virtual environment with the wheel installed; return its ``bin``."""
    done = _run([python, "-m", "venv", str(folder)])
    if done.returncode != 0:
        raise SystemExit(f"creating the venv failed:\n{done.stderr}")
    bindir = folder / ("Scripts" if os.name == "nt" else "bin")
    pip = [str(bindir / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    done = _run([*pip, "install", str(wheel)])
    if done.returncode != 0:
        raise SystemExit(f"installing the wheel failed:\n{done.stdout}\n{done.stderr}")
    return bindir


def check(commands: list[Command], bindir: Path, work: Path, data: Path | None) -> int:
    """Run the commands from *work*; print one line each; return the number that failed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEOSUFF_", "PYTHON"))}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env["GEOSUFF_CACHE"] = str(work / ".network-cache")
    where = _run(
        [str(bindir / "python"), "-c", "import geosuff; print(geosuff.__file__)"],
        cwd=work,
        env=env,
    )
    if not where.stdout.startswith(str(bindir.parent)):
        print(f"FAIL geosuff imported from {where.stdout.strip() or where.stderr}")
        return 1
    failed = 0
    for command in commands:
        reason = command.skip_reason()
        if reason is not None:
            print(f"skip  {command.text}  ({reason})")
            continue
        if not command.sample and data is None:
            print(f"skip  {command.text}  (no data folder)")
            continue
        run_env = dict(env)
        if not command.sample:
            run_env["GEOSUFF_DATA"] = str(data)
        start = time.perf_counter()
        try:
            done = _run(command.argv(data), cwd=work, env=run_env, timeout=TIMEOUT_S)
            code, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            code, output = -1, f"timed out after {TIMEOUT_S} s"
        except ValueError as exc:  # shlex: the README line is not valid shell
            code, output = -1, f"cannot split the command: {exc}"
        seconds = time.perf_counter() - start
        bad = code not in command.allowed() or "Traceback" in output or "internal error" in output
        failed += bad
        label = "sample" if command.sample else "data"
        print(f"{'FAIL' if bad else 'ok  '}  {seconds:6.1f} s  [{label}]  {command.text}")
        if bad:
            print(textwrap_indent(output[-3000:]))
    return failed


def textwrap_indent(text: str) -> str:
    """Indent a command's output under its line."""
    return "\n".join(f"        {line}" for line in text.splitlines())


def main() -> int:
    """Build, install and run the README's commands; exit 1 when any fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--no-data", action="store_true", help="run the sample commands only")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the venv")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    data = None if args.no_data or not args.data.is_dir() else args.data.resolve()
    commands = readme_commands()
    tmp = Path(tempfile.mkdtemp(prefix="geosuff-install-check-"))
    try:
        start = time.perf_counter()
        wheel = build_wheel(tmp / "dist")
        print(f"built {wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB)")
        bindir = fresh_venv(tmp / "venv", wheel, args.python)
        print(f"installed into a fresh venv in {time.perf_counter() - start:.0f} s")
        work = tmp / "work"
        work.mkdir()
        failed = check(commands, bindir, work, data)
        ran = sum(1 for c in commands if c.skip_reason() is None and (c.sample or data is not None))
        print(
            f"{ran - failed} of {ran} README commands ran from {work} "
            f"in {time.perf_counter() - start:.0f} s; {failed} failed"
        )
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
