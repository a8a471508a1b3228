"""The Gammapy reference region cases and the WCS the region tests share."""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS
from regions import CircleAnnulusSkyRegion, RectangleSkyRegion

__all__ = [
    "REFERENCE_CASES",
    "fermi_like_wcs",
    "load_case",
    "regions_from_json",
    "skycoord_of",
    "tan_wcs",
]

REFERENCE_CASES = [
    "fermi_annulus_seed",
    "fermi_rect_seed",
    "onoff_horizontal_boxes",
    "onoff_radial",
    "onoff_radial_default",
    "onoff_radial_one_interval",
    "onoff_tilted_boxes",
]


def load_case(reference_dir: Path, name: str) -> tuple[dict, WCS]:
    with (reference_dir / f"{name}.json").open() as fh:
        case = json.load(fh)
    dataset = case["dataset"]
    if dataset["file"].startswith("$"):
        # Fermi cases: the counts WCS is stored in the json.
        wcs = WCS(dataset["counts_geom"]["wcs_header"])
    else:
        header = fits.getheader(reference_dir / dataset["file"], "COUNTS")
        wcs = WCS(header).celestial
    return case, wcs


def skycoord_of(entry: dict) -> SkyCoord:
    return SkyCoord(
        entry["lon_deg"] * u.deg, entry["lat_deg"] * u.deg, frame=entry["frame"]
    )


def regions_from_json(case: dict) -> list:
    out = []
    for entry in case["regions"]["list"]:
        center = skycoord_of(entry["center"])
        if entry["type"] == "RectangleSkyRegion":
            out.append(
                RectangleSkyRegion(
                    center,
                    entry["width_deg"] * u.deg,
                    entry["height_deg"] * u.deg,
                    entry["angle_deg"] * u.deg,
                )
            )
        else:
            assert entry["type"] == "CircleAnnulusSkyRegion"
            out.append(
                CircleAnnulusSkyRegion(
                    center,
                    entry["inner_radius_deg"] * u.deg,
                    entry["outer_radius_deg"] * u.deg,
                )
            )
    return out


def fermi_like_wcs() -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["GLON-CAR", "GLAT-CAR"]
    wcs.wcs.crval = [0.0, 0.0]
    wcs.wcs.crpix = [200.5, 100.5]
    wcs.wcs.cdelt = [-0.05, 0.05]
    return wcs


def tan_wcs(lon: float = 83.6, lat: float = 22.0, binsz: float = 0.02) -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [lon, lat]
    wcs.wcs.crpix = [100.5, 80.5]
    wcs.wcs.cdelt = [-binsz, binsz]
    wcs.wcs.radesys = "ICRS"
    return wcs
