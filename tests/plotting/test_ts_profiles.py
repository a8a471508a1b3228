"""What FluxPoints.plot_ts_profiles draws (fluxprofile.plotting.ts_profiles): the image of a
parabolic likelihood scan (closed form) and of the tutorial's reference scans.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from plot_helpers import DEG_LABEL, latex, read_case

from fluxprofile import (
    FluxPoints,
    MapAxis,
    PowerLawSpectralModel,
)


# ---- plot_ts_profiles -----------------------------------------------------------------
def parabola_profile(n0, sigma):
    """Flux points whose scans are exact parabolas ((norm - n0) / sigma)^2 above stat."""
    n_x = len(n0)
    scan = np.linspace(-1, 5, 11)
    stat = np.linspace(10, 20, n_x)[:, None]
    stat_scan = (
        stat[..., None] + ((scan - n0[:, None, None]) / sigma[:, None, None]) ** 2
    )
    data = {
        "norm": n0[:, None],
        "norm_err": sigma[:, None],
        "norm_ul": (n0 + 2 * sigma)[:, None],
        "ts": (n0 / sigma)[:, None] ** 2,
        "stat": stat,
        "stat_scan": stat_scan,
    }
    energy = MapAxis.from_energy_edges([100, 500] * u.GeV)
    distance = MapAxis.from_nodes(
        np.arange(n_x) * 0.2 * u.deg, name="projected-distance"
    )
    return FluxPoints(
        data, energy, distance, PowerLawSpectralModel(index=2.3), norm_scan=scan
    )


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
    assert finite.min() >= -4
    assert finite.max() <= 0
    assert mesh.get_clim() == (-4, 0)
    assert mesh.get_cmap().name == "Blues"

    coords = np.asarray(mesh.get_coordinates())  # (501, n_x + 1, 2)
    np.testing.assert_allclose(
        coords[0, :, 0], fp.distance_axis.edges.value, rtol=1e-12
    )
    eflux_ref = fp.eflux_ref.to_value("erg cm-2 s-1")[0]
    y_edges = coords[:, 0, 1]
    np.testing.assert_allclose(
        y_edges[[0, -1]], [-1 * eflux_ref, 5 * eflux_ref], rtol=1e-12
    )
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
    assert finite.min() >= -4
    assert finite.max() <= 0
    # In every column the least negative cell sits next to the best-fit norm, which
    # Gammapy's stat_scan puts within the scan: compare with the minimum of the scan.
    scan = np.asarray(table["norm_scan"][0][1])
    stat_scan = np.asarray(table["stat_scan"])[:, 1]
    best = scan[np.argmin(stat_scan, axis=1)]
    coords = np.asarray(mesh.get_coordinates())
    y = (
        0.5
        * (coords[1:, 0, 1] + coords[:-1, 0, 1])
        / high.eflux_ref.to_value("erg cm-2 s-1")[0]
    )
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
