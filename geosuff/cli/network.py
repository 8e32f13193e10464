"""``geosuff network`` and ``geosuff travel``: build road networks, compute travel times."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import typer

from geosuff._errors import InputFileError, ValidationError
from geosuff.cli._options import more_than_zero

log = logging.getLogger(__name__)

network_app = typer.Typer(no_args_is_help=True, help="Build road networks from OpenStreetMap.")
travel_app = typer.Typer(no_args_is_help=True, help="Travel times between points.")

_LONLAT = (("lon", "lat"), ("longitude", "latitude"), ("Longitude", "Latitude"))
_EN = (("easting", "northing"), ("Easting", "Northing"), ("x", "y"))


def read_points(path: Path) -> gpd.GeoDataFrame:
    """Read points from GeoJSON/GPKG/GeoParquet, or a CSV with lon/lat or easting/northing.

    Parameters
    ----------
    path
        The file. It must have an ``id`` column.

    Returns
    -------
    geopandas.GeoDataFrame
        The points.

    Raises
    ------
    InputFileError
        If the file cannot be read, lacks ``id`` or coordinates.
    """
    from geosuff.io.files import read_table, read_vector

    if path.suffix.lower() in (".csv", ".txt"):
        df = read_table(path)
        for pair, crs in [(p, "EPSG:4326") for p in _LONLAT] + [(p, "EPSG:27700") for p in _EN]:
            if set(pair) <= set(df.columns):
                geom = gpd.points_from_xy(df[pair[0]], df[pair[1]])
                gdf = gpd.GeoDataFrame(df, geometry=geom, crs=crs)
                break
        else:
            raise InputFileError(
                path, "no coordinate columns; need lon/lat (WGS84) or easting/northing (EPSG:27700)"
            )
    else:
        gdf = read_vector(path)
    if "id" not in gdf.columns:
        have = ", ".join(map(str, list(gdf.columns)[:10]))
        raise InputFileError(path, f"no 'id' column; found: {have}")
    return gdf


def _load_network(path: Path, profile: Path | None) -> object:
    import osmnx as ox

    from geosuff.network import RoadNetwork, build_network, load_network

    if path.is_dir():
        return load_network(path)
    if path.suffix.lower() == ".graphml":
        try:
            graph = ox.load_graphml(path)
        except Exception as exc:  # networkx/lxml raise many types; all mean "unreadable"
            raise InputFileError(path, f"cannot read GraphML ({type(exc).__name__})") from exc
        return RoadNetwork.from_graph(graph)
    return build_network(path, profile=profile)


@network_app.command("build")
def build(
    pbf: Annotated[Path, typer.Option("--pbf", help="OpenStreetMap .osm.pbf or .osm file.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output: a folder (arrays + GraphML, fast to load) or a .graphml file."
        ),
    ],
    profile: Annotated[
        Path | None, typer.Option("--profile", help="TOML file overriding speed-profile values.")
    ] = None,
) -> None:
    """Build a drivable network with UK care-worker speeds from a local OSM file."""
    import osmnx as ox

    from geosuff.network import build_network, save_network

    net = build_network(pbf, profile=profile)
    if out.suffix.lower() == ".graphml":
        out.parent.mkdir(parents=True, exist_ok=True)
        ox.save_graphml(net.graph, out)
    elif out.suffix:
        msg = f"{out}: --out must be a folder (no suffix) or a .graphml file"
        raise ValidationError(msg)
    else:
        save_network(net, out)
    m = net.meta
    typer.echo(
        f"{out}: {m['nodes']:,} nodes, {m['edges']:,} edges; "
        f"{m['scc_nodes_dropped']:,} nodes outside the largest strongly connected component "
        f"dropped; built in {m['build_s']:.1f} s"
    )


#: Layer names accepted by ``--from``/``--to`` (with ``--area``) instead of a file.
LAYER_POINTS = ("lsoa", "care-homes", "home-care", "extra-care")


def layer_points(name: str, area: str | None, data: Path | None) -> gpd.GeoDataFrame:
    """Return the points of a loaded layer by name, with an ``id`` column.

    Parameters
    ----------
    name
        One of :data:`LAYER_POINTS`: ``lsoa`` gives LSOA demand points (population-
        weighted centroids), the others the providers.
    area
        The area to load.
    data
        Data folder.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:27700 with ``id`` (LSOA code or provider id).
    """
    from geosuff.io.area_layers import load_area_layers
    from geosuff.io.population import demand_points

    if area is None:
        raise ValidationError(f"--from/--to {name} needs --area")
    layers = load_area_layers(area, data_dir=data)
    if name == "lsoa":
        return demand_points(layers.population).assign(id=lambda d: d["lsoa_code"])
    frame = getattr(layers, name.replace("-", "_"))
    return frame.assign(id=frame["provider_id"])


def _points(value: Path, area: str | None, data: Path | None) -> gpd.GeoDataFrame:
    if str(value) in LAYER_POINTS and not value.exists():
        return layer_points(str(value), area, data)
    return read_points(value)


@travel_app.command("matrix")
def matrix(
    from_: Annotated[
        Path,
        typer.Option(
            "--from",
            help="Origin points (GeoJSON/GPKG/CSV with id) or a layer name: "
            "lsoa, care-homes, home-care, extra-care (with --area).",
        ),
    ],
    to: Annotated[
        Path, typer.Option("--to", help="Destination points (file with id) or a layer name.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output table (.csv or .parquet).")],
    network: Annotated[
        Path | None,
        typer.Option(
            "--network",
            help="Network folder, .graphml or .osm.pbf. Without it: straight-line estimate.",
        ),
    ] = None,
    max_minutes: Annotated[
        float | None,
        typer.Option("--max-minutes", callback=more_than_zero, help="Leave out pairs beyond this."),
    ] = None,
    area_class: Annotated[
        str, typer.Option("--area-class", help="urban or rural (estimate only).")
    ] = "rural",
    profile: Annotated[
        Path | None, typer.Option("--profile", help="Speed-profile override (with a .pbf).")
    ] = None,
    max_snap_m: Annotated[
        float,
        typer.Option(
            "--max-snap-m",
            callback=more_than_zero,
            help="Points farther than this from any road are an error.",
        ),
    ] = 5000.0,
    area: Annotated[
        str | None, typer.Option("--area", help="Area for layer names in --from/--to.")
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Data folder ('sample': the Rutland sample).")
    ] = None,
) -> None:
    """Travel minutes and km from every origin to every destination."""
    from geosuff.cli._options import data_file_option
    from geosuff.cli._progress import progress_bar
    from geosuff.io.files import write_table
    from geosuff.network import travel_time_matrix

    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ValidationError(f"{out}: --out must end in .csv or .parquet")
    origins, dests = _points(from_, area, data), _points(to, area, data)
    network = data_file_option(network, data)
    net = _load_network(network, profile) if network is not None else None
    if net is None:
        log.warning(
            "no --network: times are straight-line estimates (method=estimate_crowfly, "
            "%s detour factor and speed)",
            area_class,
        )
    with progress_bar() as bar:
        task = bar.add_task("origins", total=len(origins))
        table = travel_time_matrix(
            net,  # type: ignore[arg-type]
            origins,
            dests,
            max_minutes=max_minutes,
            dropna=max_minutes is not None,
            area_class=area_class,
            max_snap_m=max_snap_m,
            progress=lambda k: bar.advance(task, k),
        )
    write_table(table, out)
    reached = int(table["minutes"].notna().sum())
    method = table["method"].iat[0] if len(table) else "-"
    typer.echo(f"{out}: {len(table):,} pairs ({reached:,} with a time), method {method}")
