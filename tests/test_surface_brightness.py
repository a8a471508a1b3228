"""Solid angles and surface brightness of profile bins (issue 6, item 1).

* The solid angles of boxes tiling a rectangle add up to the rectangle's solid angle from
  the pixel areas (brute force over the pixels with `regions`' own containment test, and
  a closed-form pixel overlap in "exact" mode), to 1e-9;
* surface brightness = flux / solid angle, in tables, attributes, files and plots;
* npix and solid_angle survive file round trips (FITS TUNIT "sr");
* clear errors for the likelihood SED type and for profiles without solid angles.
"""

from __future__ import annotations

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table
from regions import PixCoord

from fluxprofile import FluxPoints, FluxProfileEstimator, MapAxis, MapDataset
from fluxprofile.regions import make_orthogonal_rectangle_sky_regions
from fluxprofile.vocabulary import DEFAULT_UNIT

FLUX_SED_TYPES = ("dnde", "e2dnde", "flux", "eflux")
N_TILES = 8
# a rectangle on the Galactic equator: its boxes tile it exactly in pixel space
START = SkyCoord(-4.013, 0.0, unit="deg", frame="galactic")
END = SkyCoord(3.987, 0.0, unit="deg", frame="galactic")
HEIGHT = 2.23 * u.deg


def gal(lon, lat):
    return SkyCoord(lon, lat, unit="deg", frame="galactic")


@pytest.fixture(scope="module")
def fermi_gc(fermi_gc_path):
    return MapDataset.read(fermi_gc_path)


@pytest.fixture(scope="module")
def tiles(fermi_gc):
    wcs = fermi_gc.counts.geom.wcs
    return make_orthogonal_rectangle_sky_regions(START, END, wcs, HEIGHT, nbin=N_TILES)


@pytest.fixture(scope="module")
def profile(fermi_gc, tiles):
    est = FluxProfileEstimator(
        tiles,
        energy_edges=[10, 40, 2000] * u.GeV,
        selection_optional=["errn-errp", "ul", "sensitivity"],
    )
    return est.run(fermi_gc)


def big_rectangle(fermi_gc):
    wcs = fermi_gc.counts.geom.wcs
    return make_orthogonal_rectangle_sky_regions(START, END, wcs, HEIGHT, nbin=1)[0]


def cells(table, name):
    return np.array([np.asarray(v, dtype=float) for v in table[name]])


# ---------------------------------------------------------------------------------------
# acceptance: solid angles of a tiling
# ---------------------------------------------------------------------------------------
def test_tiling_solid_angles_add_up_to_the_region(fermi_gc, tiles, profile):
    geom = fermi_gc.counts.geom
    nx, ny = geom.npix
    omega = geom.solid_angle().to_value(u.sr)
    # brute force: the pixels of the big rectangle by regions' own containment rule
    big = big_rectangle(fermi_gc).to_pixel(geom.wcs)
    y, x = np.indices((ny, nx))
    inside = big.contains(PixCoord(x.ravel(), y.ravel())).reshape(ny, nx)
    assert (
        0 < inside.sum() < inside.size
    )  # the rectangle is inside the map, not all of it
    region_omega = omega[inside].sum()
    solid_angle = profile.solid_angle.quantity.to_value(u.sr)[:, :, 0, 0]
    assert profile.solid_angle.unit == u.sr
    assert solid_angle.shape == (N_TILES, 2)
    np.testing.assert_array_equal(solid_angle[:, 0], solid_angle[:, 1])  # per region
    assert solid_angle[:, 0].sum() == pytest.approx(region_omega, rel=1e-9)
    assert profile.npix.values[:, 0].sum() == inside.sum()
    # and tile by tile, against regions' containment of each tile
    for k, tile in enumerate(tiles):
        mask = (
            tile.to_pixel(geom.wcs)
            .contains(PixCoord(x.ravel(), y.ravel()))
            .reshape(ny, nx)
        )
        assert solid_angle[k, 0] == pytest.approx(omega[mask].sum(), rel=1e-12)
        assert profile.npix.values[k, 0] == mask.sum()


def _axis_overlap(lo, hi, n):
    """Length of [lo, hi] inside each pixel [i - 0.5, i + 0.5], i = 0 ... n - 1."""
    i = np.arange(n)
    return np.clip(np.minimum(hi, i + 0.5) - np.maximum(lo, i - 0.5), 0, None)


def test_tiling_solid_angles_exact_containment(fermi_gc, tiles):
    geom = fermi_gc.counts.geom
    nx, ny = geom.npix
    omega = geom.solid_angle().to_value(u.sr)
    est = FluxProfileEstimator(
        tiles, energy_edges=[10, 2000] * u.GeV, containment="exact"
    )
    fp = est.run(fermi_gc)
    # closed form: the big rectangle is axis-aligned in pixel space (angle 180 deg)
    big = big_rectangle(fermi_gc).to_pixel(geom.wcs)
    assert abs(np.sin(big.angle.to_value(u.rad))) < 1e-12
    cx, cy = big.center.x, big.center.y
    wx = _axis_overlap(cx - big.width / 2, cx + big.width / 2, nx)
    wy = _axis_overlap(cy - big.height / 2, cy + big.height / 2, ny)
    weights = wy[:, None] * wx[None, :]
    expected = (weights * omega).sum()
    solid_angle = fp.solid_angle.quantity.to_value(u.sr)[:, 0, 0, 0]
    assert solid_angle.sum() == pytest.approx(expected, rel=1e-9)
    assert fp.npix.values[:, 0].sum() == pytest.approx(weights.sum(), rel=1e-9)


# ---------------------------------------------------------------------------------------
# surface brightness in tables and attributes
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sed_type", FLUX_SED_TYPES)
def test_table_per_solid_angle(profile, sed_type):
    plain = profile.to_table(sed_type=sed_type)
    table = profile.to_table(sed_type=sed_type, per_solid_angle=True)
    assert table.colnames == plain.colnames
    assert table.colnames[-2:] == ["npix", "solid_angle"]
    assert table["solid_angle"].unit == u.sr
    omega = cells(table, "solid_angle")
    names = [c for c in plain.colnames if c == sed_type or c.startswith(f"{sed_type}_")]
    assert set(names) == {
        sed_type,
        *(f"{sed_type}_{s}" for s in ("err", "errp", "errn", "ul", "sensitivity")),
    }
    for name in names:
        assert table[name].unit == plain[name].unit / u.sr
        assert table[name].unit == DEFAULT_UNIT[sed_type] / u.sr
        np.testing.assert_allclose(
            cells(table, name), cells(plain, name) / omega, rtol=1e-14
        )
    assert "sr-1" in u.Unit(table[sed_type].unit).to_string("fits").split()
    for name in plain.colnames:
        if name not in names:
            np.testing.assert_array_equal(cells(table, name), cells(plain, name))
    # independent of the table code: norm * reference flux / solid angle
    ref = getattr(profile, f"{sed_type}_ref").to_value(DEFAULT_UNIT[sed_type])
    np.testing.assert_allclose(
        cells(table, sed_type), profile.norm.values * ref / omega, rtol=1e-12
    )


@pytest.mark.parametrize("quantity", [None, "err", "errn", "errp", "ul", "sensitivity"])
def test_surface_brightness_attribute(profile, quantity):
    name = "flux" if quantity is None else f"flux_{quantity}"
    sb = profile.surface_brightness(sed_type="flux", quantity=quantity)
    assert sb.name == name
    assert sb.unit == u.Unit("cm-2 s-1 sr-1")
    omega = profile.solid_angle.quantity.to_value(u.sr)
    np.testing.assert_allclose(sb.data, getattr(profile, name).data / omega, rtol=1e-14)
    assert sb.quantity.to_value("cm-2 s-1 deg-2") == pytest.approx(
        sb.data * (np.pi / 180) ** 2, rel=1e-12, nan_ok=True
    )


def test_surface_brightness_of_empty_bin_is_nan():
    energy = MapAxis.from_energy_edges([10, 100] * u.GeV)
    distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    data = {"norm": np.ones((3, 1)), "solid_angle": [[1e-4], [0.0], [3e-4]] * u.sr}
    fp = FluxPoints(data, energy, distance)
    values = fp.surface_brightness("dnde").values
    np.testing.assert_allclose(
        values[[0, 2], 0], fp.dnde.values[[0, 2], 0] / [1e-4, 3e-4], rtol=1e-14
    )
    assert np.isnan(values[1, 0])
    # solid angles in another unit are converted
    fp_deg = FluxPoints(
        {"norm": np.ones((3, 1)), "solid_angle": [[1.0], [2.0], [3.0]] * u.deg**2},
        energy,
        distance,
    )
    expected = fp_deg.flux.values / (
        np.array([[1.0], [2.0], [3.0]]) * (np.pi / 180) ** 2
    )
    np.testing.assert_allclose(fp_deg.surface_brightness().values, expected, rtol=1e-12)


def test_per_solid_angle_errors(profile, reference_dir):
    with pytest.raises(
        ValueError,
        match="not defined for sed_type 'likelihood'.*norms are dimensionless",
    ):
        profile.to_table(sed_type="likelihood", per_solid_angle=True)
    with pytest.raises(ValueError, match="not defined for sed_type 'norm'"):
        profile.surface_brightness("norm")
    with pytest.raises(ValueError, match="sed_type must be one of"):
        profile.surface_brightness("flux2")
    with pytest.raises(ValueError, match="quantity must be one of"):
        profile.surface_brightness("flux", quantity="_ul")
    # a profile written by Gammapy has no solid angles
    gammapy_file = FluxPoints.read(reference_dir / "fermi_rect_seed.ecsv")
    assert not gammapy_file.has_solid_angle
    with pytest.raises(ValueError, match="needs the solid angle of every profile bin"):
        gammapy_file.to_table(sed_type="flux", per_solid_angle=True)
    with pytest.raises(ValueError, match="needs the solid angle of every profile bin"):
        gammapy_file.surface_brightness("dnde")
    plt.close("all")
    with pytest.raises(ValueError, match="needs the solid angle of every profile bin"):
        gammapy_file.plot(sed_type="flux", per_solid_angle=True)
    assert not plt.get_fignums()  # failed before drawing anything
    energy = MapAxis.from_energy_edges([10, 100] * u.GeV)
    distance = MapAxis.from_nodes([0, 1] * u.deg, name="projected-distance")
    bad = FluxPoints(
        {"norm": np.ones((2, 1)), "solid_angle": np.ones((2, 1))}, energy, distance
    )
    with pytest.raises(ValueError, match="solid_angle must be in units of solid angle"):
        bad.surface_brightness()


# ---------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".fits", ".ecsv"])
@pytest.mark.parametrize("sed_type", ["likelihood", "flux"])
def test_files_keep_npix_and_solid_angle(profile, tmp_path, suffix, sed_type):
    path = tmp_path / f"profile{suffix}"
    profile.write(path, sed_type=sed_type)
    if suffix == ".fits":
        with fits.open(path) as hdul:
            header = hdul["FLUXPOINTS"].header
            names = [header[f"TTYPE{i}"] for i in range(1, header["TFIELDS"] + 1)]
            assert names[-2:] == ["npix", "solid_angle"]
            assert header[f"TUNIT{names.index('solid_angle') + 1}"] == "sr"
    back = FluxPoints.read(path, reference_model=profile.reference_model)
    assert back.has_solid_angle
    np.testing.assert_allclose(
        back.solid_angle.quantity, profile.solid_angle.quantity, rtol=1e-15
    )
    np.testing.assert_array_equal(back.npix.values, profile.npix.values)
    np.testing.assert_allclose(back.flux.values, profile.flux.values, rtol=1e-12)
    np.testing.assert_allclose(
        back.surface_brightness("eflux").values,
        profile.surface_brightness("eflux").values,
        rtol=1e-12,
    )


@pytest.mark.parametrize("suffix", [".fits", ".ecsv"])
@pytest.mark.parametrize("sed_type", FLUX_SED_TYPES)
def test_surface_brightness_files(profile, tmp_path, suffix, sed_type):
    path = tmp_path / f"sb{suffix}"
    profile.write(path, sed_type=sed_type, per_solid_angle=True)
    raw = Table.read(path)
    omega = cells(raw, "solid_angle")
    assert raw["solid_angle"].unit == u.sr
    for name in (sed_type, f"{sed_type}_err", f"{sed_type}_ul"):
        assert u.Unit(raw[name].unit) == DEFAULT_UNIT[sed_type] / u.sr
        flux = getattr(profile, name).to_value(DEFAULT_UNIT[sed_type])[..., 0, 0]
        np.testing.assert_allclose(cells(raw, name), flux / omega, rtol=1e-12)
    if suffix == ".fits":
        with fits.open(path) as hdul:
            header = hdul["FLUXPOINTS"].header
            units = {
                header[f"TTYPE{i}"]: header.get(f"TUNIT{i}")
                for i in range(1, header["TFIELDS"] + 1)
            }
        assert "sr-1" in units[sed_type].split()
        assert u.Unit(units[sed_type], format="fits") == DEFAULT_UNIT[sed_type] / u.sr
    # reading converts back to fluxes with the solid_angle column
    back = FluxPoints.read(path, reference_model=profile.reference_model)
    np.testing.assert_allclose(back.norm.values, profile.norm.values, rtol=1e-12)
    np.testing.assert_allclose(back.norm_ul.values, profile.norm_ul.values, rtol=1e-12)


def test_surface_brightness_file_without_solid_angle(profile, tmp_path):
    table = profile.to_table(sed_type="flux", per_solid_angle=True)
    table.remove_column("solid_angle")
    with pytest.raises(
        ValueError, match="'flux' is a surface brightness.*no 'solid_angle' column"
    ):
        FluxPoints.from_table(table)


# ---------------------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sed_type", FLUX_SED_TYPES)
def test_plot_per_solid_angle(profile, sed_type):
    fp = profile.slice_by_idx({"energy": 1})
    ax = fp.plot(sed_type=sed_type, per_solid_angle=True)
    assert "sr^{-1}" in ax.get_ylabel()
    unit = DEFAULT_UNIT[sed_type] / u.sr
    expected = fp.surface_brightness(sed_type).to_value(unit)[:, 0, 0, 0]
    ul = fp.surface_brightness(sed_type, "ul").to_value(unit)[:, 0, 0, 0]
    is_ul = fp.is_ul.values[:, 0]
    expected = np.where(is_ul, ul, expected)
    (line,) = ax.containers[0].lines[:1]
    np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)
    plt.close("all")
    ax = fp.plot(sed_type=sed_type)
    assert "sr^{-1}" not in ax.get_ylabel()
    plt.close("all")
    with pytest.raises(ValueError, match="not defined for sed_type 'norm'"):
        fp.plot(sed_type="norm", per_solid_angle=True)
    plt.close("all")


def test_ts_profiles_per_solid_angle():
    energy = MapAxis.from_energy_edges([10, 100] * u.GeV)
    distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    scan = np.linspace(0.1, 3, 30)
    norm = np.array([[0.5], [1.0], [1.5]])
    stat = np.zeros((3, 1))
    stat_scan = ((scan[None, None, :] - norm[..., None]) / 0.3) ** 2
    omega = np.array([[1e-4], [2e-4], [4e-4]])
    data = {
        "norm": norm,
        "stat": stat,
        "stat_scan": stat_scan,
        "solid_angle": omega * u.sr,
    }
    fp = FluxPoints(data, energy, distance, norm_scan=scan)
    ax = fp.plot_ts_profiles(sed_type="flux", per_solid_angle=True, add_cbar=False)
    assert "sr^{-1}" in ax.get_ylabel()
    mesh = ax.collections[0]
    values = mesh.get_array().reshape(-1, 3)  # (n_y, n_x)
    y_edges = mesh.get_coordinates()[:, 0, 1]
    y = 0.5 * (
        y_edges[1:] + y_edges[:-1]
    )  # the distance axis is linear: so is the flux grid
    ref = fp.flux_ref.to_value("cm-2 s-1")[0] / omega[:, 0]
    # the best surface brightness of each bin is where -Δstat is largest
    best = y[np.nanargmax(values, axis=0)]
    np.testing.assert_allclose(best, norm[:, 0] * ref, rtol=0.03)
    # the grid spans the scan of every bin: norm_scan[0] * min(ref) ... norm_scan[-1] * max(ref)
    assert y_edges[0] == pytest.approx(scan[0] * ref.min(), rel=1e-9)
    assert y_edges[-1] == pytest.approx(scan[-1] * ref.max(), rel=1e-9)
    plt.close("all")
    with pytest.raises(ValueError, match="not defined for sed_type 'norm'"):
        fp.plot_ts_profiles(sed_type="norm", per_solid_angle=True)
    plt.close("all")
