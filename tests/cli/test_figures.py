"""fluxprofile.cli.figures: the y scale of the profile figures and how negative points show.

The expected y values of the drawn points are recomputed here from the stored norms and
the reference flux (Gammapy draws an upper-limit bin at its limit); on a linear axis
every point, negative ones included, is drawn (as Gammapy's points once the axis is
made linear), on a log axis the negative ones are reported.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from fluxprofile import FluxPoints, FluxProfileWarning, MapAxis, PowerLawSpectralModel
from fluxprofile.cli.figures import (
    default_yscale,
    negative_points,
    profile_figure,
    write_plot,
)

# norm, norm_ul and ts of four bins: a detection, a significant negative excess (signed
# sqrt(TS) = -3: an upper limit, whose limit is negative), a low-TS upper limit and NaN.
NORM = np.array([1.0, -0.5, 0.2, np.nan])
NORM_UL = np.array([1.2, -0.2, 0.4, np.nan])
TS = np.array([30.0, 9.0, 1.0, np.nan])


def _profile(norm=NORM, norm_ul=NORM_UL, ts=TS) -> FluxPoints:
    energy = MapAxis.from_energy_bounds("10 GeV", "500 GeV", 1)
    distance = MapAxis.from_nodes(
        [0.5, 1.5, 2.5, 3.5] * u.deg, name="projected-distance"
    )
    data = {
        "norm": np.asarray(norm, float)[:, None],
        "norm_err": np.full((4, 1), 0.1),
        "norm_ul": np.asarray(norm_ul, float)[:, None],
        "ts": np.asarray(ts, float)[:, None],
    }
    return FluxPoints(
        data=data, energy_axis=energy, distance_axis=distance,
        reference_model=PowerLawSpectralModel(), meta={"n_sigma_ul": 2},
    )  # fmt: skip


def _drawn_y(ax) -> np.ndarray:
    """y of the points of the (single) errorbar series."""
    (container,) = ax.containers
    return np.asarray(container.lines[0].get_ydata(), dtype=float)


def test_negative_points_are_counted_where_they_are_drawn():
    profile = _profile()
    is_ul = profile.is_ul.values[:, 0]
    np.testing.assert_array_equal(is_ul, [False, True, True, False])
    drawn = np.where(is_ul, NORM_UL, NORM)
    assert negative_points(profile) == np.sum(drawn < 0) == 1
    assert default_yscale(profile) == "linear"
    positive = _profile(norm=np.abs(NORM), norm_ul=np.abs(NORM_UL))
    assert negative_points(positive) == 0
    assert default_yscale(positive) == "log"


def test_linear_axis_draws_negative_points_as_gammapy():
    profile = _profile()
    fig = profile_figure(profile, "flux", "title")
    (ax,) = fig.axes
    assert ax.get_yscale() == "linear"
    ref = profile.flux_ref.to_value("cm-2 s-1").ravel()
    is_ul = profile.is_ul.values[:, 0]
    expected = np.where(is_ul, NORM_UL, NORM) * ref
    np.testing.assert_allclose(_drawn_y(ax), expected, rtol=1e-12)
    ymin, _ = ax.get_ylim()
    assert ymin < expected[1] < 0  # the negative limit is inside the axes
    # a line at zero
    assert any(
        np.all(np.asarray(line.get_ydata()) == 0)
        for line in ax.get_lines()
        if line.get_label().startswith("_")
    )


def test_log_axis_reports_the_hidden_points():
    profile = _profile()
    with pytest.warns(FluxProfileWarning, match="1 negative point is not shown"):
        fig = profile_figure(profile, "flux", "title", yscale="log")
    assert fig.axes[0].get_yscale() == "log"


def test_log_axis_of_positive_points_is_quiet(recwarn):
    profile = _profile(norm=np.abs(NORM), norm_ul=np.abs(NORM_UL))
    fig = profile_figure(profile, "flux", "title")
    assert fig.axes[0].get_yscale() == "log"
    assert not [w for w in recwarn if issubclass(w.category, FluxProfileWarning)]


def test_bad_yscale():
    with pytest.raises(
        ValueError, match="yscale must be one of linear, log, got 'symlog'"
    ):
        profile_figure(_profile(), "flux", "title", yscale="symlog")


def test_write_plot_is_atomic_and_refuses_to_overwrite(tmp_path):
    fig = profile_figure(_profile(), "flux", "title")
    path = tmp_path / "p.png"
    write_plot(fig, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(FileExistsError):
        write_plot(fig, path)
    write_plot(fig, path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png"]  # no temporary left
