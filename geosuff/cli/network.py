"""``geosuff network`` and ``geosuff travel``: build road networks, compute travel times."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import typer

from geosuff._errors import InputFileError, ValidationError
from geosuff.cli._network_option import load_network_file, load_network_option
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


@network_app.command("calibrate")
def calibrate(
    network: Annotated[
        Path,
        typer.Option("--network", help="Network folder, .graphml or .osm.pbf to calibrate on."),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Speed-profile file to write (.toml).", dir_okay=False)
    ],
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="Area inside the network: its LSOAs and providers are the points "
            "(default: the LSOA centroids inside the network).",
        ),
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Data folder.")] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Starting profile (its estimate values are the priors)."),
    ] = None,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.", min=2)] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Seed dealing LSOAs into folds.")] = 0,
    pairs_out: Annotated[
        Path | None,
        typer.Option("--pairs-out", help="Also write every pair with its predictions (.csv)."),
    ] = None,
) -> None:
    """Fit the travel estimate to a road network; write it as a speed profile."""
    from geosuff.analysis.calibration import calibrate_network
    from geosuff.io.area_layers import load_area_layers
    from geosuff.io.files import atomic_path, write_table
    from geosuff.network.calibration_report import error_table, nearest_check, profile_toml

    if out.suffix.lower() != ".toml":
        raise ValidationError(f"{out}: --out must be a .toml speed profile")
    net = load_network_option(network, data, profile)
    layers = load_area_layers(area, data_dir=data) if area is not None else None
    cal = calibrate_network(
        net, layers=layers, data_dir=data, profile=profile, folds=folds, seed=seed
    )
    text = profile_toml(cal)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    if pairs_out is not None:
        write_table(cal.pairs, pairs_out)
    table = error_table(cal)
    typer.echo(f"{cal.model.calibration}")
    typer.echo(
        f"cross-validated ({cal.folds} folds of LSOAs), estimate minus road, "
        "MAE = median absolute error, bias = mean:"
    )
    for r in table.itertuples(index=False):
        typer.echo(
            f"  {r.value:12} {int(r.pairs):>6} pairs  minutes MAE {r.crowfly_mae:5.2f} -> "
            f"{r.calibrated_mae:5.2f}, bias {r.crowfly_bias:+5.2f} -> {r.calibrated_bias:+5.2f}"
            f"  ({r.crowfly_pct:3.0f}% -> {r.calibrated_pct:3.0f}% of road minutes)"
            f"  | km MAE {r.crowfly_km_mae:5.2f} -> {r.calibrated_km_mae:5.2f}"
        )
    near = nearest_check(cal)
    if near:
        typer.echo(
            f"  nearest provider to each LSOA (weighted mean minutes): road "
            f"{near['road_weighted_mean']:.2f}, today {near['crowfly_weighted_mean']:.2f}, "
            f"calibrated {near['calibrated_weighted_mean']:.2f}"
        )
    typer.echo(f"{out}: use it with --profile {out} (or GEOSUFF_ESTIMATE_PROFILE={out})")


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
        str | None,
        typer.Option(
            "--area-class",
            help="Estimate only: default each point's RUC11 class (ruc11 column; layers have "
            "it); 'urban'/'rural' for the uncalibrated estimate; a RUC11 code (C1, E1...) "
            "for that setting everywhere.",
        ),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="Speed-profile override: speeds for a .pbf build, and the estimate's "
            "calibration (e.g. from `geosuff network calibrate`).",
        ),
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
    net = load_network_file(network, profile) if network is not None else None
    with progress_bar() as bar:
        task = bar.add_task("origins", total=len(origins))
        table = travel_time_matrix(
            net,  # type: ignore[arg-type]
            origins,
            dests,
            max_minutes=max_minutes,
            dropna=max_minutes is not None,
            area_class=area_class,
            profile=profile,
            max_snap_m=max_snap_m,
            progress=lambda k: bar.advance(task, k),
        )
    write_table(table, out)
    reached = int(table["minutes"].notna().sum())
    method = table["method"].iat[0] if len(table) else "-"
    typer.echo(f"{out}: {len(table):,} pairs ({reached:,} with a time), method {method}")
    if net is None:
        typer.echo(
            f"no --network: straight-line estimate, calibration: {table.attrs['calibration']}",
            err=True,
        )
