"""Vendor the pinned Leaflet and plugin files into ``geosuff/maps/assets/vendor/``.

Self-contained maps inline Leaflet and its plugins, so the files ship inside the
package (and its wheel); nothing is fetched when geosuff runs. This script is how
they are updated: it installs the versions pinned in
``geosuff/maps/assets/package-lock.json`` with ``npm ci`` in a temporary folder (npm
checks each package against the lock file's integrity hash), then copies only what
geosuff uses: the scripts and style sheets of :data:`geosuff.maps.offline.ASSETS`,
the images their style sheets refer to (and Leaflet's marker images), each
package's licence and ``package.json``. ``vendor/MANIFEST.json`` records the version
and SHA-256 of every file; the tests check both against the lock file.

To move to another version: edit ``package.json``, run ``npm install
--package-lock-only --prefix geosuff/maps/assets`` to update the lock file, then::

    python scripts/vendor_leaflet.py           # or: make vendor-assets
    python scripts/vendor_leaflet.py --check   # compare the vendored files with npm's

It needs Node.js/npm and the npm registry; geosuff itself never does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS_DIR = ROOT / "geosuff" / "maps" / "assets"
VENDOR = ASSETS_DIR / "vendor"
#: Extra files per package (globs inside the package): images Leaflet's script uses.
EXTRA = {"leaflet": ("dist/images/*.png",)}
LICENCE_GLOBS = ("LICENSE*", "LICENCE*", "MIT-LICENCE*", "MIT-LICENSE*")
_CSS_URL = re.compile(r"url\((['\"]?)([^'\")#][^'\")]*)\1\)")


def _assets() -> list[tuple[str, str, str]]:
    sys.path.insert(0, str(ROOT))
    from geosuff.maps.offline import ASSETS

    return [(a.package, a.path, a.kind) for a in ASSETS]


def _npm_install(work: Path) -> Path:
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(ASSETS_DIR / name, work / name)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        cwd=work,
        check=True,
    )
    return work / "node_modules"


def _files_to_copy(modules: Path) -> dict[str, list[str]]:
    """Package -> paths (inside the package) to vendor."""
    wanted: dict[str, set[str]] = {}
    for package, path, kind in _assets():
        files = wanted.setdefault(package, set())
        files.add(path)
        if kind == "css":
            css = (modules / package / path).read_text(encoding="utf-8")
            base = Path(path).parent
            for match in _CSS_URL.finditer(css):
                target = (base / match.group(2)).as_posix()
                if (modules / package / target).is_file():
                    files.add(target)
    for package, files in wanted.items():
        root = modules / package
        for pattern in (*EXTRA.get(package, ()), *LICENCE_GLOBS, "package.json"):
            files.update(p.relative_to(root).as_posix() for p in root.glob(pattern))
    return {package: sorted(files) for package, files in sorted(wanted.items())}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(dest: Path) -> dict[str, object]:
    """Install the pinned packages and copy the files geosuff uses into *dest*."""
    lock = json.loads((ASSETS_DIR / "package-lock.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="geosuff-npm-") as tmp:
        modules = _npm_install(Path(tmp))
        if dest.exists():
            shutil.rmtree(dest)
        manifest: dict[str, object] = {}
        for package, files in _files_to_copy(modules).items():
            pinned = lock["packages"][f"node_modules/{package}"]
            entry = {
                "version": pinned["version"],
                "integrity": pinned["integrity"],
                "license": pinned.get("license"),
                "files": {},
            }
            for rel in files:
                target = dest / package / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(modules / package / rel, target)
                entry["files"][rel] = _sha256(target)  # type: ignore[index]
            manifest[package] = entry
    (dest / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main() -> int:
    """Vendor the assets, or with ``--check`` compare them with a fresh npm install."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare vendor/ with a fresh install; change nothing"
    )
    args = parser.parse_args()
    if not args.check:
        manifest = build(VENDOR)
        for package, entry in manifest.items():
            print(f"{package} {entry['version']}: {len(entry['files'])} files")  # type: ignore[index]
        print(f"written to {VENDOR.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="geosuff-vendor-") as tmp:
        fresh = build(Path(tmp) / "vendor")
    current = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    if fresh != current:
        print("vendored assets differ from the pinned npm packages; run scripts/vendor_leaflet.py")
        return 1
    print("vendored assets match the pinned npm packages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
