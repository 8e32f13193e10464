"""Leaflet and plugin assets: inlined from the package, or linked from a CDN.

The scripts, styles, images and licences of the versions pinned in
``geosuff/maps/assets/package-lock.json`` are vendored in
``geosuff/maps/assets/vendor/`` (``python scripts/vendor_leaflet.py`` updates them
from the npm registry; ``vendor/MANIFEST.json`` lists each file's SHA-256), so they
ship in the wheel and geosuff never needs npm or the internet. A self-contained map
inlines them, with the images the styles refer to as ``data:`` URIs. Without
``self_contained`` the page links the same pinned versions on jsDelivr instead.

``GEOSUFF_JS_ASSETS`` points at another folder laid out like ``assets/`` (a
``package.json`` and a ``vendor/`` or npm ``node_modules/`` folder), to try other
versions.
"""

from __future__ import annotations

import base64
import functools
import json
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path

import branca.element as be

from geosuff._errors import DataMissingError

__all__ = [
    "ASSETS",
    "Asset",
    "RawElement",
    "add_assets",
    "asset_dir",
    "asset_file",
    "asset_versions",
    "assets_installed",
]

ASSET_DIR_ENV = "GEOSUFF_JS_ASSETS"


@dataclass(frozen=True)
class Asset:
    """One script or style sheet of an npm package.

    Attributes
    ----------
    package
        npm package name.
    path
        File inside the package.
    kind
        ``"js"`` or ``"css"``.
    """

    package: str
    path: str
    kind: str


#: In load order: Leaflet first, then the plugins.
ASSETS: tuple[Asset, ...] = (
    Asset("leaflet", "dist/leaflet.css", "css"),
    Asset("leaflet", "dist/leaflet.js", "js"),
    Asset("leaflet.markercluster", "dist/MarkerCluster.css", "css"),
    Asset("leaflet.markercluster", "dist/MarkerCluster.Default.css", "css"),
    Asset("leaflet.markercluster", "dist/leaflet.markercluster.js", "js"),
    Asset("leaflet.fullscreen", "Control.FullScreen.css", "css"),
    Asset("leaflet.fullscreen", "Control.FullScreen.js", "js"),
)

_CSS_URL = re.compile(r"url\((['\"]?)([^'\")#][^'\")]*)\1\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)


def asset_dir() -> Path:
    """Return the folder holding ``package.json`` and the vendored files.

    Returns
    -------
    pathlib.Path
        ``$GEOSUFF_JS_ASSETS`` if set, else ``geosuff/maps/assets``.
    """
    env = os.environ.get(ASSET_DIR_ENV)
    return Path(env) if env else Path(__file__).with_name("assets")


def asset_file(asset: Asset) -> Path:
    """Return where *asset* is: ``vendor/<package>/<path>``, else an npm ``node_modules``.

    Parameters
    ----------
    asset
        The script or style sheet.

    Returns
    -------
    pathlib.Path
        The file (which may not exist; see :func:`assets_installed`).
    """
    base = asset_dir()
    vendored = base / "vendor" / asset.package / asset.path
    if vendored.is_file():
        return vendored
    installed = base / "node_modules" / asset.package / asset.path
    return installed if installed.is_file() else vendored


def assets_installed() -> bool:
    """Whether every file of :data:`ASSETS` is present (self-contained maps need them).

    Returns
    -------
    bool
        ``True`` when all are present.
    """
    return all(asset_file(a).is_file() for a in ASSETS)


@functools.cache
def asset_versions() -> dict[str, str]:
    """Return the pinned version of each npm package.

    Returns
    -------
    dict of str to str
        Package name to version, from ``package.json``.
    """
    manifest = json.loads((asset_dir() / "package.json").read_text(encoding="utf-8"))
    return dict(manifest["dependencies"])


def _installed(asset: Asset) -> Path:
    path = asset_file(asset)
    if not path.is_file():
        msg = (
            f"{path} is missing: self-contained maps inline the Leaflet files shipped with "
            "geosuff; reinstall geosuff (in a checkout: python scripts/vendor_leaflet.py), "
            "or use --cdn"
        )
        raise DataMissingError(msg)
    return path


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@functools.cache
def _inline_text(path: Path, kind: str) -> str:
    text = path.read_text(encoding="utf-8")
    text = _SOURCE_MAP.sub("", text)
    if kind == "css":
        base = path.parent

        def embed(match: re.Match[str]) -> str:
            target = base / match.group(2)
            return f'url("{_data_uri(target)}")' if target.is_file() else match.group(0)

        text = _CSS_URL.sub(embed, text)
        return text.replace("</style", "<\\/style")
    return text.replace("</script", "<\\/script")


class RawElement(be.Element):
    """A page element rendered verbatim (never through Jinja).

    Parameters
    ----------
    text
        The exact HTML to emit.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        """Return the text unchanged.

        Parameters
        ----------
        **kwargs
            Ignored.

        Returns
        -------
        str
            The text.
        """
        return self.text


def _cdn_url(asset: Asset) -> str:
    version = asset_versions()[asset.package]
    return f"https://cdn.jsdelivr.net/npm/{asset.package}@{version}/{asset.path}"


def add_assets(figure: be.Figure, *, self_contained: bool) -> None:
    """Put Leaflet and the plugins into the page header, inlined or linked.

    Parameters
    ----------
    figure
        The page (``folium.Map.get_root()``).
    self_contained
        Inline every file (no internet needed) instead of linking the CDN.

    Raises
    ------
    DataMissingError
        If ``self_contained`` and the vendored files are missing.
    """
    for i, asset in enumerate(ASSETS):
        name = f"geosuff_asset_{i}"
        if self_contained:
            text = _inline_text(_installed(asset), asset.kind)
            tag = "style" if asset.kind == "css" else "script"
            element: be.Element = RawElement(f"<{tag}>\n{text}\n</{tag}>")
        elif asset.kind == "css":
            element = be.CssLink(_cdn_url(asset))
        else:
            element = be.JavascriptLink(_cdn_url(asset))
        figure.header.add_child(element, name=name)
