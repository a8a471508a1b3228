"""Tests of fluxprofile.datamodel.reprs: notebook display (``_repr_html_``), one-line
``__repr__`` and the dataset summaries of ``print`` (Gammapy 2.1's text).

Expected totals are recomputed here with NumPy from the dataset arrays; the full text is
compared with Gammapy's own ``print`` on the real Fermi-LAT and H.E.S.S. files in the
tests marked ``gammapy``.
"""

from __future__ import annotations

import html
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from small_datasets import small_dataset, small_onoff

from fluxprofile import (
    Datasets,
    FluxProfileEstimator,
    Map,
    MapDataset,
    make_orthogonal_rectangle_sky_regions,
)
from fluxprofile.datamodel.reprs import dataset_summary, html_repr


def _field(text: str, label: str) -> str:
    """The value of the summary line ``label`` (stripped)."""
    values = [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.strip().split(":")[0].strip() == label
    ]
    assert len(values) == 1, (label, text)
    return values[0]


def _estimator(**kwargs) -> FluxProfileEstimator:
    ds = small_dataset()
    boxes = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord(0, 2, unit="deg", frame="galactic"),
        end_pos=SkyCoord(2, 2, unit="deg", frame="galactic"),
        wcs=ds.counts.geom.wcs,
        height=1 * u.deg,
        nbin=2,
    )
    return FluxProfileEstimator(boxes, energy_edges=[10, 100] * u.GeV, **kwargs)


@pytest.fixture(scope="module")
def profile():
    return _estimator(selection_optional=["ul"]).run(small_dataset())


# ---- notebooks ---------------------------------------------------------------------------
def test_html_repr_is_the_escaped_str_in_pre():
    class Thing:
        def __str__(self) -> str:
            return "a < b & c > 'd'"

    assert html_repr(Thing()) == "<pre>a &lt; b &amp; c &gt; &#x27;d&#x27;</pre>"


def test_every_class_shows_its_summary_in_notebooks(profile):
    ds, onoff = small_dataset(), small_onoff()
    objects = [_estimator(), profile, ds, onoff, Datasets([ds, onoff]), ds.counts]
    for obj in objects:
        text = obj._repr_html_()
        assert text.startswith("<pre>"), type(obj)
        assert text.endswith("</pre>")
        assert html.unescape(text[5:-6]) == str(obj)


# ---- one-line reprs ----------------------------------------------------------------------
def test_reprs_are_one_readable_line(profile):
    ds, onoff = small_dataset(), small_onoff()
    for obj in (_estimator(), profile, ds, onoff, Datasets([ds, onoff])):
        text = repr(obj)
        assert "\n" not in text
        assert " object at 0x" not in text
        assert text.startswith(f"{type(obj).__name__}(")
        assert text.endswith(")")
    assert repr(ds) == (
        "MapDataset(name='small', counts=(3, 4, 6), energy=10-100 GeV, stat_type='cash')"
    )
    assert repr(onoff).startswith(
        "MapDatasetOnOff(name='small-onoff', counts=(3, 4, 6)"
    )
    assert "energy=0.1-10 TeV" in repr(onoff)  # TeV when energies reach 10 TeV
    assert (
        repr(Datasets([ds, onoff])) == "Datasets(n=2, names=['small', 'small-onoff'])"
    )


def test_estimator_repr_names_regions_edges_and_selection():
    est = _estimator(selection_optional=["ul"], containment="exact")
    assert repr(est) == (
        "FluxProfileEstimator(regions=2 RectangleSkyRegion, energy_edges=[10, 100] GeV, "
        "spectral_model=PowerLawSpectralModel, selection_optional=['ul'], "
        "containment='exact')"
    )


def test_flux_points_repr_names_axes_and_quantities(profile):
    text = repr(profile)
    axis = profile.distance_axis
    lo, hi = axis.edges[0].to_value("deg"), axis.edges[-1].to_value("deg")
    assert f"projected-distance=2 bins {lo:.4g}-{hi:.4g} deg" in text
    assert "energy=1 bin 10-100 GeV" in text
    assert "sed_type_init='likelihood'" in text
    assert repr(list(profile.available_quantities)) in text


# ---- print(dataset) ----------------------------------------------------------------------
def test_summary_totals_are_over_the_safe_mask_only():
    ds = small_dataset()
    fit = np.ones(ds.counts.data.shape, bool)
    fit[:, :, 0] = False  # the fit mask does not change Gammapy's totals
    ds.mask_fit = Map(ds.counts.geom, fit)
    safe = ds.mask_safe.data
    text = str(ds)
    counts = int(ds.counts.data[safe].sum())
    background = float(ds.background.data[safe].sum())
    assert _field(text, "Total counts") == str(counts)
    assert _field(text, "Total background counts") == f"{background:.2f}"
    assert _field(text, "Total excess counts") == f"{counts - background:.2f}"
    npred = np.clip(ds.background.data, 0, None)[safe].sum()
    assert _field(text, "Predicted counts") == f"{npred:.2f}"
    # the background prediction is the background (not clipped), as Gammapy's
    assert _field(text, "Predicted background counts") == f"{background:.2f}"
    assert _field(text, "Predicted excess counts") == "nan"
    assert _field(text, "Number of total bins") == str(ds.counts.data.size)
    assert _field(text, "Number of fit bins") == str(int((safe & fit).sum()))
    assert _field(text, "Fit statistic type") == "cash"
    # no models: Gammapy does not evaluate the statistic
    assert _field(text, "Fit statistic value (-2 log(L))") == "nan"
    for label in (
        "Number of models",
        "Number of parameters",
        "Number of free parameters",
    ):
        assert _field(text, label) == "0"
    assert "Counts shape" not in text  # not one of Gammapy's fields


def test_summary_exposure_range_is_over_positive_exposure_of_safe_pixels():
    ds = small_dataset()
    exposure = ds.exposure.data
    exposure[:] = np.arange(exposure.size, dtype=np.float32).reshape(exposure.shape) + 1
    exposure[0, 2, 3] = 0  # zero exposure: not shown
    ds.mask_safe.data[:, :, 5] = False  # a column never safe: its exposure is not shown
    shown = (exposure > 0) & np.any(ds.mask_safe.data, axis=0)[None]
    text = str(ds)
    assert _field(text, "Exposure min") == f"{exposure[shown].min():.2e} cm2 s"
    assert _field(text, "Exposure max") == f"{exposure[shown].max():.2e} cm2 s"
    assert exposure[shown].max() < exposure.max()


def test_summary_without_masks_or_background_has_gammapys_nans():
    ds = small_dataset()
    bare = MapDataset(ds.counts, ds.exposure)
    text = str(bare)
    assert _field(text, "Total counts") == str(int(ds.counts.data.sum()))
    for label in (
        "Total background counts",
        "Total excess counts",
        "Predicted counts",
        "Predicted background counts",
    ):
        assert _field(text, label) == "nan"
    assert _field(text, "Number of fit bins") == "0"  # Gammapy: no mask, no fit bins
    assert _field(text, "Exposure min") == "1.00e+11 cm2 s"


def test_onoff_summary_adds_off_counts_and_its_wstat():
    ds = small_onoff()
    safe = ds.mask_safe.data if ds.mask_safe is not None else slice(None)
    text = str(ds)
    assert text.startswith("MapDatasetOnOff\n---------------\n")
    assert _field(text, "Fit statistic type") == "wstat"
    assert _field(text, "Fit statistic value (-2 log(L))") == f"{ds.stat_sum():.2f}"
    alpha_off = ds.alpha.data * ds.counts_off.data
    assert _field(text, "Total background counts") == f"{alpha_off[safe].sum():.2f}"
    assert _field(text, "Total counts_off") == f"{ds.counts_off.data[safe].sum():.0f}"
    assert _field(text, "Acceptance") == f"{ds.acceptance.data[safe].sum():.0f}"
    assert _field(text, "Acceptance off") == f"{ds.acceptance_off.data[safe].sum():.0f}"
    assert text == dataset_summary(ds)


def test_summary_of_an_infinite_wstat_does_not_warn(recwarn):
    ds = small_onoff()
    ds.acceptance_off.data[1, 1, 1] = 0.0  # alpha = largest float, counts_off > 0
    ds.counts_off.data[1, 1, 1] = 3.0
    ds.counts.data[1, 1, 1] = 0.0
    text = str(ds)
    assert _field(text, "Fit statistic value (-2 log(L))") == f"{ds.stat_sum():.2f}"
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_map_summary_shows_gammapys_class_and_file_dtype(fermi_gc_path):
    ds = MapDataset.read(fermi_gc_path)
    text = str(ds.counts)
    assert text.startswith("WcsNDMap\n")
    assert "dtype : >i4" in text  # as stored in the file (big-endian), as Gammapy
    assert "dtype : >f4" in str(ds.exposure)
    assert "dtype : bool" in str(ds.mask_safe)
    # an array set afterwards (or a map made in memory) shows its own dtype
    ds.counts.data = ds.counts.data.astype(np.float64)
    assert "dtype : float64" in str(ds.counts)
    assert "dtype : int32" in str(Map(ds.counts.geom, np.zeros((11, 200, 400), "i4")))


def test_datasets_summary_lists_type_name_instrument_and_models():
    ds, onoff = small_dataset(), small_onoff()
    from astropy.table import Table

    onoff.meta_table = Table({"TELESCOP": [["HESS", "HESS"]]})
    text = str(Datasets([ds, onoff]))
    assert "Dataset 1: \n\n  Type       : MapDatasetOnOff\n" in text
    assert "  Name       : small-onoff\n  Instrument : HESS\n  Models     : \n" in text


# ---- Gammapy 2.1 (run with -m gammapy) ---------------------------------------------------
def _without_name(text: str) -> str:
    # Gammapy names a dataset read from a file without NAME card randomly; fluxprofile
    # takes the file stem.
    return "\n".join(
        line for line in text.splitlines() if not line.strip().startswith("Name ")
    )


@pytest.mark.gammapy
@pytest.mark.parametrize(
    ("relative", "cls"),
    [
        ("fermi-3fhl-gc/fermi-3fhl-gc.fits.gz", "MapDataset"),
        ("hess-dl3-dr1-crab/hess_crab_onoff.fits.gz", "MapDatasetOnOff"),
        ("hess-dl3-dr1-crab/hess_crab_map.fits.gz", "MapDataset"),
    ],
)
def test_print_dataset_is_gammapys(data_dir: Path, relative, cls):
    gammapy_datasets = pytest.importorskip("gammapy.datasets")
    path = data_dir / relative
    theirs = getattr(gammapy_datasets, cls).read(path)
    ours = getattr(__import__("fluxprofile"), cls).read(path)
    with np.errstate(over="ignore"):  # Gammapy's sum of an infinite WStat warns
        theirs_text = str(theirs)
    assert _without_name(str(ours)) == _without_name(theirs_text)
    for name in ("counts", "exposure", "mask_safe"):
        # shapes aside (Gammapy prints numpy 2's np.int64(...) there)
        strip = [
            line
            for line in str(getattr(ours, name)).splitlines()
            if "shape" not in line
        ]
        assert strip == [
            line
            for line in str(getattr(theirs, name)).splitlines()
            if "shape" not in line
        ]
    with np.errstate(over="ignore"):
        assert ours._repr_html_() == theirs._repr_html_().replace(
            html.escape(theirs.name), html.escape(ours.name)
        )


# ---- print(estimator) and its norm ------------------------------------------------------
def _line(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(label))


def test_print_estimator_shows_the_scan_values_set():
    est = _estimator(norm_values=[0.5, 1, 2])
    np.testing.assert_array_equal(est.norm.scan_values, [0.5, 1, 2])
    assert _line(str(est), "norm scan").split(":", 1)[1].strip() == "[0.5 1.  2. ]"
    default = _estimator()
    n, lo, hi = (
        default.norm.scan_n_values,
        default.norm.scan_min,
        default.norm.scan_max,
    )
    assert (
        _line(str(default), "norm scan").split(":", 1)[1].strip()
        == f"{n} values from {lo:g} to {hi:g} (log)"
    )


def test_linear_norm_warning_describes_only_default_scans():
    from fluxprofile import Parameter

    with pytest.warns(UserWarning, match="Linear interpolation") as record:
        _estimator(norm=Parameter("norm", 1, interp="lin"))
    (message,) = [str(w.message) for w in record]
    assert "scan values from scan_min=" in message
    with pytest.warns(UserWarning, match="Linear interpolation") as record:
        _estimator(norm=Parameter("norm", 1, interp="lin"), norm_values=[1, 2, 3])
    with pytest.warns(UserWarning, match="Linear interpolation") as record2:
        _estimator(norm=Parameter("norm", 1, interp="lin", scan_values=[1, 2]))
    for rec in (record, record2):
        (message,) = [str(w.message) for w in rec]
        assert "start at 0" not in message
        assert "scan_min" not in message


def test_energy_edges_string_is_parsed():
    est = _estimator()
    est_text = FluxProfileEstimator(est.regions, energy_edges="10, 100 GeV")
    assert u.allclose(est_text.energy_edges, [10, 100] * u.GeV)
    assert "[10, 100] GeV" in repr(est_text)
    with pytest.raises(ValueError, match=r"invalid energy edges '10,2000 Gev'"):
        FluxProfileEstimator(est.regions, energy_edges="10,2000 Gev")
