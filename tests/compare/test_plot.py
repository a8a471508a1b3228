"""The comparison plot and table: shared distance axis, second y axis or normalisation,
upper limits kept; Fermi-LAT and H.E.S.S. profiles of the Crab on the same regions."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from compare_cases import line_regions, ridge_template, small_dataset
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from fluxprofile import (
    FluxProfileEstimator,
    PowerLawSpectralModel,
    compare_profiles,
    make_orthogonal_rectangle_sky_regions,
    make_predicted_profile,
    make_template_profile,
    plot_profile_comparison,
    read_dataset,
)
from fluxprofile.compare import comparison_table, template_npred_map


@pytest.fixture(scope="module")
def simulated():
    ds = small_dataset()
    template = ridge_template()
    rng = np.random.default_rng(2)
    ds.counts.data = rng.poisson(
        ds.background.data + template_npred_map(template, ds).data
    ).astype(float)
    regions = line_regions(ds.counts.geom.wcs)
    estimator = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=2.4),
        energy_edges=[10, 100] * u.GeV, selection_optional=["ul"],
    )  # fmt: skip
    profile = estimator.run(ds)
    tp = make_template_profile(
        template, regions, energy_edges=[10, 100] * u.GeV, containment="exact"
    )
    return profile, tp, make_predicted_profile(template, ds, estimator)


def _axes():
    return Figure().add_subplot()


def _line(ax, label):
    (line,) = [x for x in ax.get_lines() if x.get_label() == label]
    return line


def test_same_units_share_one_axis(simulated):
    profile, tp, predicted = simulated
    ax, right = plot_profile_comparison(profile, [tp, predicted], ax=_axes())
    assert right is None
    labels = ax.get_legend().get_texts()
    names = {t.get_text() for t in labels}
    assert names == {
        "data (10-100 GeV)",
        "template (10-100 GeV)",
        "template (predicted) (10-100 GeV)",
    }
    # the template line is the profile's integral in the data's unit
    line = _line(ax, "template (10-100 GeV)")
    np.testing.assert_allclose(line.get_ydata(), tp.integral[:, 0].to_value("cm-2 s-1"))
    np.testing.assert_allclose(line.get_xdata(), profile.distance_axis.center.value)


def test_other_units_go_to_a_second_axis(simulated):
    profile, tp, _ = simulated
    gas = tp.integral[:, 0].value * u.Unit("K km s-1 sr")
    _, right = plot_profile_comparison(profile, gas, ax=_axes(), labels=["data", "CO"])
    assert right is not None
    assert "K km" in right.get_ylabel()
    np.testing.assert_allclose(_line(right, "CO").get_ydata(), gas.value)
    with pytest.raises(ValueError, match="more than two axes"):
        plot_profile_comparison(
            profile, [gas, gas.value * u.Unit("cm-2")], ax=_axes(),
            labels=["data", "CO", "HI"],
        )  # fmt: skip


def test_normalised_to_a_bin_keeps_upper_limits(simulated):
    profile, tp, _ = simulated
    k = 3
    ax, right = plot_profile_comparison(profile, tp, ax=_axes(), normalize=k)
    assert right is None
    line = _line(ax, "template (10-100 GeV)")
    y = tp.integral[:, 0].value
    np.testing.assert_allclose(line.get_ydata(), y / y[k], rtol=1e-12)
    assert ax.get_ylabel() == f"normalised to bin {k}"
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    points = containers[0]
    flux = profile.flux.data[:, 0, 0, 0]
    is_ul = profile.is_ul.data[:, 0, 0, 0]
    np.testing.assert_allclose(
        points.lines[0].get_ydata(), (flux / flux[k])[~is_ul], rtol=1e-12
    )
    with pytest.raises(ValueError, match="cannot normalise"):
        plot_profile_comparison(profile, -tp.integral[:, 0], ax=_axes(), normalize=k)


def test_upper_limits_are_drawn_as_arrows():
    ds = small_dataset()
    rng = np.random.default_rng(4)
    ds.counts.data = rng.poisson(ds.background.data).astype(float)  # no signal: limits
    regions = line_regions(ds.counts.geom.wcs, nbin=6)
    profile = FluxProfileEstimator(
        regions, energy_edges=[10, 100] * u.GeV, selection_optional=["ul"]
    ).run(ds)
    is_ul = profile.is_ul.data[:, 0, 0, 0]
    assert is_ul.any()
    ax, _ = plot_profile_comparison(
        profile, np.arange(6.0) * u.Unit("cm-2 s-1"), ax=_axes()
    )
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    arrows = containers[-1]
    # each arrow runs from the upper limit down to half of it
    bars = arrows.lines[2][-1]  # the vertical bars (the horizontal ones come first)
    tops = [max(seg[:, 1]) for seg in bars.get_segments()]
    ul = profile.flux_ul.data[is_ul, 0, 0, 0]
    np.testing.assert_allclose(tops, ul, rtol=1e-12)
    bottoms = [min(seg[:, 1]) for seg in bars.get_segments()]
    np.testing.assert_allclose(bottoms, ul / 2, rtol=1e-12)


def test_table_and_correlations(simulated):
    profile, tp, predicted = simulated
    table = comparison_table(
        profile, [tp, predicted], labels=["data", "ridge", "npred"]
    )
    assert table.colnames[:3] == ["x_min", "x_ref", "x_max"]
    for name in (
        "data",
        "data_errn",
        "data_errp",
        "data_ul",
        "data_is_ul",
        "ridge",
        "npred",
    ):
        assert name in table.colnames
    np.testing.assert_allclose(table["ridge"].quantity, tp.integral[:, 0])
    assert table.meta["energy"]["ridge"] == "10-100 GeV"
    comparison = compare_profiles(
        profile, [tp, predicted], labels=["data", "ridge", "npred"], n_samples=100
    )
    corr = comparison.correlation_table
    assert list(corr["comparison"]) == ["ridge"] * 3 + ["npred"] * 3
    assert comparison.correlations[1].pearson_r > 0.9
    ax, _ = comparison.plot(ax=_axes(), normalize=0)
    assert ax.get_ylabel() == "normalised to bin 0"


def test_fermi_and_hess_on_the_same_regions(data_dir, tmp_path):
    fermi_path = data_dir / "fermi-3fhl-crab" / "Fermi-LAT-3FHL_data_Fermi-LAT.fits"
    hess_path = data_dir / "hess-dl3-dr1-crab" / "hess_crab_map.fits.gz"
    for path in (fermi_path, hess_path):
        if not path.is_file():
            pytest.fail(f"missing test data {path}")
    fermi, hess = read_dataset(fermi_path), read_dataset(hess_path)
    crab = SkyCoord(83.633, 22.0145, unit="deg", frame="icrs")
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=crab.directional_offset_by(90 * u.deg, -0.9 * u.deg),
        end_pos=crab.directional_offset_by(90 * u.deg, 0.9 * u.deg),
        wcs=hess.counts.geom.wcs, height=0.4 * u.deg, nbin=9,
    )  # fmt: skip
    model = PowerLawSpectralModel(index=2.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fermi_profile = FluxProfileEstimator(
            regions, spectral_model=model, energy_edges=[10, 2000] * u.GeV,
            selection_optional=["ul"],
        ).run(fermi)  # fmt: skip
        hess_profile = FluxProfileEstimator(
            regions, spectral_model=model, energy_edges=[1, 10] * u.TeV,
            selection_optional=["ul"],
        ).run(hess)  # fmt: skip
    comparison = compare_profiles(
        fermi_profile, hess_profile, labels=["Fermi-LAT", "H.E.S.S."], n_samples=200
    )
    energies = comparison.table.meta["energy"]
    # the two energy ranges are told apart (the data's snapped edges)
    assert energies["Fermi-LAT"] == "0.01-2 TeV"
    hess_edges = hess_profile.energy_axis.edges.to_value(u.TeV)
    assert energies["H.E.S.S."] == f"{hess_edges[0]:.3g}-{hess_edges[1]:.3g} TeV"
    assert energies["Fermi-LAT"] != energies["H.E.S.S."]
    # both see the Crab in the same bin: strongly correlated profiles
    assert np.argmax(comparison.table["Fermi-LAT"]) == 4
    assert np.argmax(comparison.table["H.E.S.S."]) == 4
    c = comparison.correlations[0]
    assert c.pearson_r > 0.9
    assert c.pearson_p < 1e-3
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    comparison.plot(ax=left, yscale="log")
    ax, _ = comparison.plot(ax=right, normalize=4)
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"Fermi-LAT ({energies['Fermi-LAT']})" in names
    assert f"H.E.S.S. ({energies['H.E.S.S.']})" in names
    fig.savefig(tmp_path / "fermi_hess.png")
    assert (tmp_path / "fermi_hess.png").stat().st_size > 10_000
