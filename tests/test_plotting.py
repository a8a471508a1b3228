"""What the plots draw: flux points, upper limits, likelihood-scan images, quantities, sky images.

Expected values come from the Gammapy 2.1 reference tables (``CASE_dnde.ecsv`` etc.), closed
forms (a parabolic likelihood scan) and scipy/astropy (smoothing). Every figure is also saved
as a PNG in ``tests/artifacts/`` (gitignored) to be looked at.
"""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.table import Table
from matplotlib.collections import QuadMesh
from matplotlib.lines import CARETDOWNBASE

from fluxprofile import (
    FluxPoints,
    Map,
    MapAxis,
    MapDataset,
    PowerLawSpectralModel,
    WcsGeom,
    make_concentric_annulus_sky_regions,
    plot_regions,
)

matplotlib.use("Agg")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "plotting"
SED_UNITS = {
    "dnde": "cm-2 s-1 TeV-1",
    "e2dnde": "erg cm-2 s-1",
    "flux": "cm-2 s-1",
    "eflux": "erg cm-2 s-1",
}
DEG_LABEL = "Projected-distance [$\\mathrm{{}^{\\circ}}$]"


@pytest.fixture
def figure(request):
    """A new figure, saved to tests/artifacts/plotting/<test id>.png and closed afterwards."""
    fig = plt.figure()
    yield fig
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("[", "_").replace("]", "").replace("/", "_")
    fig.savefig(ARTIFACTS / f"{name}.png", dpi=80)
    plt.close(fig)


def read_case(reference_dir: Path, case: str, sed_type: str = "likelihood"):
    """(fluxprofile FluxPoints read from CASE.ecsv, Gammapy's table of ``sed_type``).

    The case's reference spectral model (from CASE.json) is passed to the reader, so that
    integral fluxes equal Gammapy's even for one energy group (the fallback template
    model through a single (e_ref, ref_dnde) node integrates differently).
    """
    spec = json.loads((reference_dir / f"{case}.json").read_text())["estimator"]["spectral_model"]
    assert spec["type"] == "PowerLawSpectralModel"
    model = PowerLawSpectralModel(**{p["name"]: u.Quantity(p["value"], p["unit"]) for p in spec["parameters"]})
    fp = FluxPoints.read(reference_dir / f"{case}.ecsv", format="profile", reference_model=model)
    suffix = "" if sed_type == "likelihood" else f"_{sed_type}"
    table = Table.read(reference_dir / f"{case}{suffix}.ecsv", format="ascii.ecsv")
    return fp, table


def errorbar_parts(container):
    """(x, y, number of upper-limit carets, vertical bar segments) of an errorbar container."""
    data_line, caplines, barcols = container.lines
    carets = sum(
        int(np.count_nonzero(np.isfinite(np.asarray(line.get_ydata(), dtype=float))))
        for line in caplines
        if line.get_marker() == CARETDOWNBASE
    )
    vertical = barcols[-1].get_segments() if container.has_yerr else []
    return (
        np.asarray(data_line.get_xdata(), float),
        np.asarray(data_line.get_ydata(), float),
        carets,
        vertical,
    )


def latex(unit: str) -> str:
    return u.Unit(unit).to_string("latex_inline")


# ---- FluxPoints.plot ------------------------------------------------------------------
@pytest.mark.parametrize("sed_type", ["dnde", "e2dnde", "flux", "eflux"])
@pytest.mark.parametrize("case", ["fermi_rect_seed", "fermi_annulus_seed"])
def test_plot_draws_reference_points_and_upper_limits(reference_dir, figure, case, sed_type):
    fp, _ = read_case(reference_dir, case)
    # The flux/eflux/e2dnde tables are not all stored; dnde/flux are, e2dnde/eflux are
    # derived from them with the closed forms e2dnde = dnde * e_ref^2 and eflux =
    # flux * (eflux_ref / flux_ref) of the reference model stored in CASE.ecsv.
    ref = Table.read(reference_dir / f"{case}.ecsv", format="ascii.ecsv")
    if sed_type in ("dnde", "e2dnde"):
        table = Table.read(reference_dir / f"{case}_dnde.ecsv", format="ascii.ecsv")
        scale = 1.0 * u.Unit(SED_UNITS["dnde"])
        if sed_type == "e2dnde":
            scale = scale * table["e_ref"].quantity**2
        expected = {k: table[f"dnde{k}"] * scale.to_value(SED_UNITS[sed_type]) for k in ("", "_err", "_ul")}
    else:
        table = Table.read(reference_dir / f"{case}_flux.ecsv", format="ascii.ecsv")
        scale = 1.0 * u.Unit(SED_UNITS["flux"])
        if sed_type == "eflux":
            scale = scale * ref["ref_eflux"].quantity / ref["ref_flux"].quantity
        expected = {k: table[f"flux{k}"] * scale.to_value(SED_UNITS[sed_type]) for k in ("", "_err", "_ul")}
    is_ul = np.asarray(table["is_ul"], bool)
    n_x, n_e = is_ul.shape

    ax = figure.add_subplot()
    out = fp.plot(ax=ax, sed_type=sed_type)
    assert out is ax
    assert len(ax.containers) == n_e  # one series per energy group
    for i_e, container in enumerate(ax.containers):
        x, y, carets, segments = errorbar_parts(container)
        np.testing.assert_allclose(x, ref["x_ref"], rtol=1e-12)
        assert len(y) == n_x
        want = np.where(is_ul[:, i_e], expected["_ul"][:, i_e], expected[""][:, i_e])
        np.testing.assert_allclose(y, want, rtol=1e-9, equal_nan=True)
        assert carets == is_ul[:, i_e].sum()
        # vertical bars: [y - err, y + err]; upper limits: [ul - max(ul / 2, 0), ul]
        lower = np.where(is_ul[:, i_e], 0.5 * want, expected["_err"][:, i_e])
        lo = want - np.clip(lower, 0, None)
        hi = np.where(is_ul[:, i_e], want, want + np.clip(expected["_err"][:, i_e], 0, None))
        got = np.array([[s[0, 1], s[1, 1]] for s in segments])
        keep = np.isfinite(lo) & np.isfinite(hi)
        np.testing.assert_allclose(np.sort(got[:, 0]), np.sort(lo[keep]), rtol=1e-9)
        np.testing.assert_allclose(np.sort(got[:, 1]), np.sort(hi[keep]), rtol=1e-9)

    assert ax.get_xlabel() == DEG_LABEL
    assert ax.get_ylabel() == f"{sed_type} [{latex(SED_UNITS[sed_type])}]"
    assert ax.get_yscale() == "log"
    assert ax.get_xlim() == pytest.approx((ref["x_ref"][0], ref["x_ref"][-1]), rel=1e-12)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    e_ref, e_min, e_max = (np.asarray(ref[c][0]) for c in ("e_ref", "e_min", "e_max"))
    if sed_type in ("dnde", "e2dnde"):
        assert texts == [f"{e:.2e} keV" for e in e_ref]
    else:
        assert texts == [f"{lo:.2e} keV - {hi:.2e} keV" for lo, hi in zip(e_min, e_max)]


def test_plot_asymmetric_errors_and_energy_power(reference_dir, figure):
    """onoff_horizontal_boxes has errn/errp: bars use errn below, errp above; E^2 scaling."""
    fp, table = read_case(reference_dir, "onoff_horizontal_boxes", "dnde")
    # Gammapy found no upper limit at threshold 2; a higher threshold makes some points
    # upper limits: is_ul = sqrt_ts < threshold, from Gammapy's sqrt_ts column.
    threshold = float(np.median(table["sqrt_ts"]))
    fp.sqrt_ts_threshold_ul = threshold
    is_ul = np.asarray(table["sqrt_ts"]) < threshold
    assert is_ul.any() and (~is_ul).any()
    ax = figure.add_subplot()
    fp.plot(ax=ax, sed_type="dnde", energy_power=2)
    e2 = (table["e_ref"].quantity[0] ** 2).to_value("TeV2")
    for i_e, container in enumerate(ax.containers):
        x, y, carets, segments = errorbar_parts(container)
        dnde = np.where(is_ul[:, i_e], table["dnde_ul"][:, i_e], table["dnde"][:, i_e])
        np.testing.assert_allclose(y, dnde * e2[i_e], rtol=1e-9)
        assert carets == is_ul[:, i_e].sum()
        errn = np.where(is_ul[:, i_e], 0.5 * dnde, table["dnde_errn"][:, i_e])
        errp = np.where(is_ul[:, i_e], 0.0, table["dnde_errp"][:, i_e])
        got = np.array([[s[0, 1], s[1, 1]] for s in segments])
        np.testing.assert_allclose(got[:, 0], (dnde - np.clip(errn, 0, None)) * e2[i_e], rtol=1e-9)
        np.testing.assert_allclose(got[:, 1], (dnde + errp) * e2[i_e], rtol=1e-9)
    assert ax.get_ylabel() == f"e2 * dnde [{latex('TeV s-1 cm-2')}]"


def test_plot_without_ul_draws_no_arrows_and_takes_kwargs(reference_dir, figure):
    fp, table = read_case(reference_dir, "onoff_radial_default", "dnde")
    ax = figure.add_subplot()
    fp.plot(ax=ax, color="tab:orange", label="mine", markersize=7)
    assert "is_ul" not in table.colnames  # no UL computed, so no arrows
    (container,) = ax.containers
    x, y, carets, segments = errorbar_parts(container)
    assert carets == 0
    np.testing.assert_allclose(y, table["dnde"][:, 0], rtol=1e-9)
    line = container.lines[0]
    assert line.get_color() == "tab:orange"
    assert line.get_markersize() == 7
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["mine"]


def test_plot_along_energy_and_errors(reference_dir, figure):
    fp, _ = read_case(reference_dir, "fermi_annulus_seed")
    ax = figure.add_subplot()
    fp.slice_by_idx({"projected-distance": slice(0, 1)}).plot(ax=ax, sed_type="flux")
    (container,) = ax.containers
    x, _, _, _ = errorbar_parts(container)
    np.testing.assert_allclose(x, fp.energy_axis.center.value, rtol=1e-12)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == f"Energy [{latex('keV')}]"
    with pytest.raises(ValueError, match="sed_type must be one of"):
        fp.plot(ax=ax, sed_type="likelihood")
    with pytest.raises(ValueError, match="axis_name must be one of"):
        fp.plot(ax=ax, axis_name="time")


# ---- plot_ts_profiles -----------------------------------------------------------------
def parabola_profile(n0, sigma):
    """Flux points whose scans are exact parabolas ((norm - n0) / sigma)^2 above stat."""
    n_x = len(n0)
    scan = np.linspace(-1, 5, 11)
    stat = np.linspace(10, 20, n_x)[:, None]
    stat_scan = stat[..., None] + ((scan - n0[:, None, None]) / sigma[:, None, None]) ** 2
    data = {
        "norm": n0[:, None],
        "norm_err": sigma[:, None],
        "norm_ul": (n0 + 2 * sigma)[:, None],
        "ts": (n0 / sigma)[:, None] ** 2,
        "stat": stat,
        "stat_scan": stat_scan,
    }
    energy = MapAxis.from_energy_edges([100, 500] * u.GeV)
    distance = MapAxis.from_nodes(np.arange(n_x) * 0.2 * u.deg, name="projected-distance")
    return FluxPoints(data, energy, distance, PowerLawSpectralModel(index=2.3), norm_scan=scan)


def test_ts_profile_image_is_the_parabola(figure):
    n0 = np.array([0.13, 1.1, 2.4, 3.05, -0.4])
    sigma = np.array([0.5, 0.3, 1.2, 0.8, 0.6])
    fp = parabola_profile(n0, sigma)
    ax = figure.add_subplot()
    fp.plot(ax=ax, sed_type="eflux", color="tab:orange")
    out = fp.plot_ts_profiles(ax=ax, sed_type="eflux")
    assert out is ax
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    values = np.ma.filled(mesh.get_array(), np.nan).reshape(500, len(n0))
    finite = values[np.isfinite(values)]
    assert finite.size > 0
    assert finite.min() >= -4 and finite.max() <= 0
    assert mesh.get_clim() == (-4, 0)
    assert mesh.get_cmap().name == "Blues"

    coords = np.asarray(mesh.get_coordinates())  # (501, n_x + 1, 2)
    np.testing.assert_allclose(coords[0, :, 0], fp.distance_axis.edges.value, rtol=1e-12)
    eflux_ref = fp.eflux_ref.to_value("erg cm-2 s-1")[0]
    y_edges = coords[:, 0, 1]
    np.testing.assert_allclose(y_edges[[0, -1]], [-1 * eflux_ref, 5 * eflux_ref], rtol=1e-12)
    norm = 0.5 * (y_edges[1:] + y_edges[:-1]) / eflux_ref
    expected = -(((norm[:, None] - n0) / sigma) ** 2)
    clear = np.abs(expected + 4) > 1e-9  # cells exactly at the -4 cut may go either way
    assert np.all(np.isnan(values[clear]) == (expected[clear] < -4))
    inside = clear & (expected >= -4)
    np.testing.assert_allclose(values[inside], expected[inside], rtol=1e-9, atol=1e-12)

    assert ax.get_ylabel() == f"eflux [{latex('erg cm-2 s-1')}]"
    assert ax.get_xlabel() == DEG_LABEL
    assert [a.get_ylabel() for a in ax.figure.axes][-1] == "Fit statistic difference"
    ax.set_yscale("linear")  # the artifact shows the negative norms too


def test_ts_profiles_of_the_tutorial_slice(reference_dir, figure):
    fp, table = read_case(reference_dir, "fermi_annulus_seed")
    high = fp.slice_by_idx({"energy": slice(1, 2)})
    ax = figure.add_subplot()
    high.plot(ax=ax, sed_type="eflux", color="tab:orange")
    high.plot_ts_profiles(ax=ax, sed_type="eflux", add_cbar=False)
    ax.set_yscale("linear")
    assert len(ax.figure.axes) == 1  # no colour bar
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    values = np.ma.filled(mesh.get_array(), np.nan).reshape(500, 10)
    finite = values[np.isfinite(values)]
    assert finite.min() >= -4 and finite.max() <= 0
    # In every column the least negative cell sits next to the best-fit norm, which
    # Gammapy's stat_scan puts within the scan: compare with the minimum of the scan.
    scan = np.asarray(table["norm_scan"][0][1])
    stat_scan = np.asarray(table["stat_scan"])[:, 1]
    best = scan[np.argmin(stat_scan, axis=1)]
    coords = np.asarray(mesh.get_coordinates())
    y = 0.5 * (coords[1:, 0, 1] + coords[:-1, 0, 1]) / high.eflux_ref.to_value("erg cm-2 s-1")[0]
    peak = y[np.nanargmax(values, axis=0)]
    assert np.all(np.abs(peak - best) <= scan[1] - scan[0])


def test_ts_profiles_errors(reference_dir, figure):
    fp, _ = read_case(reference_dir, "fermi_annulus_seed")
    ax = figure.add_subplot()
    with pytest.raises(ValueError, match="unidimensional"):
        fp.plot_ts_profiles(ax=ax)
    no_scan, _ = read_case(reference_dir, "fermi_rect_seed")
    with pytest.raises(ValueError, match="stat_scan"):
        no_scan.plot_ts_profiles(ax=ax)
    ax.plot([0, 1], [0, 1])  # keep the artifact non-empty


# ---- quantities -----------------------------------------------------------------------
def test_quantity_plots_of_the_tutorial(reference_dir, figure):
    fp, table = read_case(reference_dir, "fermi_rect_seed")
    ax = figure.add_subplot()
    names = ["npred", "npred_excess", "npred_background"]
    for name in names:
        assert fp[name].plot(ax=ax, label=name.title()) is ax
    assert len(ax.containers) == 3
    npred = np.asarray(table["npred"])[:, 0, 0]
    excess = np.asarray(table["npred_excess"])[:, 0, 0]
    expected = [npred, excess, npred - excess]
    for container, want in zip(ax.containers, expected):
        x, y, carets, _ = errorbar_parts(container)
        np.testing.assert_allclose(x, table["x_ref"], rtol=1e-12)
        np.testing.assert_allclose(y, want, rtol=1e-6)
        assert carets == 0
        assert container.lines[0].get_linestyle() == "None"
        assert container.lines[0].get_marker() == "o"
    assert [c.get_label() for c in ax.containers] == [n.title() for n in names]
    assert ax.get_xlabel() == DEG_LABEL
    assert ax.get_ylabel() == "npred"  # dimensionless: no unit; first quantity's label kept
    ax.set_ylabel("Counts")
    ax.legend()


def test_quantity_plot_several_series_has_legend(reference_dir, figure):
    fp, table = read_case(reference_dir, "fermi_annulus_seed")
    ax = figure.add_subplot()
    fp.counts.plot(ax=ax)
    counts = np.asarray(table["counts"])[..., 0]
    assert len(ax.containers) == 2
    for i_e, container in enumerate(ax.containers):
        np.testing.assert_array_equal(errorbar_parts(container)[1], counts[:, i_e])
    e_min, e_max = np.asarray(table["e_min"][0]), np.asarray(table["e_max"][0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"{lo:.2e} keV - {hi:.2e} keV" for lo, hi in zip(e_min, e_max)
    ]


# ---- sky images -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def counts_image(fermi_gc_path):
    return MapDataset.read(fermi_gc_path).counts.sum_over_axes()


def test_sum_over_axes_and_smooth_match_scipy(fermi_gc_path, counts_image):
    ndimage = pytest.importorskip("scipy.ndimage")
    from astropy.convolution import Tophat2DKernel

    counts = MapDataset.read(fermi_gc_path).counts
    np.testing.assert_array_equal(counts_image.data, counts.data.sum(axis=0))
    smoothed = counts_image.smooth("0.1 deg")  # 2 pixels of 0.05 deg
    assert smoothed.geom == counts_image.geom
    np.testing.assert_allclose(
        smoothed.data, ndimage.gaussian_filter(counts_image.data.astype(float), 2.0), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        counts_image.smooth(3.3).data, ndimage.gaussian_filter(counts_image.data.astype(float), 3.3), rtol=1e-12, atol=1e-12
    )
    kernel = Tophat2DKernel(2.5)
    kernel.normalize("integral")
    np.testing.assert_allclose(
        counts_image.smooth(2.5, kernel="disk").data,
        ndimage.convolve(counts_image.data.astype(float), kernel.array),
        rtol=1e-12,
        atol=1e-12,
    )
    cube = counts.smooth(1.5)  # each energy plane on its own
    np.testing.assert_allclose(
        cube.data[3], ndimage.gaussian_filter(counts.data[3].astype(float), 1.5), rtol=1e-12, atol=1e-12
    )
    with pytest.raises(ValueError, match="kernel must be"):
        counts_image.smooth(1, kernel="box")
    with pytest.raises(ValueError, match="width must be positive"):
        counts_image.smooth(0)


def test_cutout_around_the_galactic_centre(counts_image):
    center = SkyCoord(0, 0, unit="deg", frame="galactic")
    cutout = counts_image.cutout(center, 3 * u.deg)
    # 400 x 200 pixels of 0.05 deg centred on (0, 0): the GC is at pixel (199.5, 99.5),
    # so 60 x 60 pixels from (170, 70)
    assert cutout.geom.npix == (60, 60)
    np.testing.assert_array_equal(cutout.data, counts_image.data[70:130, 170:230])
    sky = cutout.geom.pix_to_skycoord([0, 59], [0, 59])
    parent = counts_image.geom.pix_to_skycoord([170, 229], [70, 129])
    assert np.all(sky.separation(parent).deg < 1e-10)
    rect = counts_image.cutout(center, (4 * u.deg, 2 * u.deg))
    assert rect.geom.npix == (80, 40)
    with pytest.raises(TypeError, match="SkyCoord"):
        counts_image.cutout((0, 0), 1 * u.deg)


def test_map_plot_sqrt_stretch_with_regions(counts_image, figure):
    from astropy.visualization import SqrtStretch
    from astropy.visualization.wcsaxes import WCSAxes

    center = SkyCoord(0, 0, unit="deg", frame="galactic")
    image = counts_image.cutout(center, 3 * u.deg).smooth("0.1 deg")
    ax = image.plot(stretch="sqrt", add_cbar=True)
    assert isinstance(ax, WCSAxes)
    (im,) = ax.get_images()
    np.testing.assert_array_equal(im.get_array(), image.data)
    assert isinstance(im.norm.stretch, SqrtStretch)
    assert (im.norm.vmin, im.norm.vmax) == (image.data.min(), image.data.max())
    assert im.get_cmap().name == "afmhot"
    assert ax.coords["glon"].get_axislabel() == "Galactic Longitude"
    assert ax.coords["glat"].get_axislabel() == "Galactic Latitude"
    assert len(ax.figure.axes) == 2  # colour bar

    regions = make_concentric_annulus_sky_regions(center=center, radius_max="1.5 deg", nbin=11)
    plot_regions(regions, ax=ax, color="w")
    assert len(ax.patches) == len(regions) == 10
    assert all(matplotlib.colors.to_hex(p.get_edgecolor()) == "#ffffff" for p in ax.patches)


def test_map_plot_needs_an_image():
    geom = WcsGeom.create(npix=(4, 3), binsz=0.1, axes=[MapAxis.from_energy_edges([1, 2, 3] * u.TeV)])
    cube = Map.from_geom(geom)
    with pytest.raises(TypeError, match="sum_over_axes"):
        cube.plot()


def test_dataset_axis_labels_and_plot(figure):
    energy = MapAxis.from_energy_edges([10, 100, 500] * u.GeV)
    distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    counts = np.arange(12, dtype=float).reshape(3, 2, 2)
    fp = FluxPoints({"norm": np.ones((3, 2)), "counts": counts}, energy, distance, dataset_names=["fermi", "hess"])
    axis = fp.counts.axes["dataset"]
    assert list(axis.center) == ["fermi", "hess"]  # Gammapy's LabelMapAxis after a run
    assert list(fp.slice_by_idx({"dataset": 1}).counts.axes["dataset"].center) == ["hess"]
    unnamed = FluxPoints({"norm": np.ones((3, 2)), "counts": counts}, energy, distance)
    np.testing.assert_array_equal(unnamed.counts.axes["dataset"].edges.value, [-0.5, 0.5, 1.5])

    ax = figure.add_subplot()
    fp.counts.plot(ax=ax)
    assert len(ax.containers) == 4  # 2 datasets x 2 energy groups, along the profile
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    energy_labels = ["1.00e+01 GeV - 1.00e+02 GeV", "1.00e+02 GeV - 5.00e+02 GeV"]
    assert texts == [f"{d} {e}" for d in ("fermi", "hess") for e in energy_labels]
    for k, container in enumerate(ax.containers):
        i_d, i_e = divmod(k, 2)
        np.testing.assert_array_equal(errorbar_parts(container)[1], counts[:, i_e, i_d])
