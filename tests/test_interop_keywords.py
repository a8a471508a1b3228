"""A Gammapy script's keywords and objects work with fluxprofile's estimator (issue 12):
a Parameter-like norm, ``parallel_backend``, ``regions.Regions`` containers, numpy
arrays of regions, one optional quantity given as a string. No gammapy needed: the
Gammapy Parameter is stood in for by an object with its attributes (the gammapy-marked
tests in test_interop_flux_points.py pass the real one)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from regions import Regions

from fluxprofile import (
    FluxProfileEstimator,
    Parameter,
    make_concentric_annulus_sky_regions,
    make_example_dataset,
)


def _annuli():
    return make_concentric_annulus_sky_regions(
        center=SkyCoord("0d", "0d", frame="galactic"), radius_max="1 deg", nbin=5
    )


class _ForeignParameter:
    """The attributes of a Gammapy 2.1 ``Parameter`` (private scan settings included)."""

    def __init__(self) -> None:
        self.name = "norm"
        self.value = 1.0
        self.unit = u.Unit("")
        self.min, self.max = np.nan, np.nan
        self.frozen = False
        self.error = 0.0
        self.interp = "log"
        self.scale_method = "scale10"
        self.scan_n_values = 7
        self.scan_n_sigma = 3
        self._scan_min, self._scan_max, self._scan_values = 0.5, 4.0, None

    @property
    def scan_values(self) -> np.ndarray:
        return np.geomspace(self._scan_min, self._scan_max, self.scan_n_values)


def test_regions_containers_and_arrays_give_the_same_profile():
    regions = _annuli()
    dataset = make_example_dataset()
    reference = FluxProfileEstimator(regions, energy_edges=[10, 500] * u.GeV).run(
        dataset
    )
    for given in (Regions(regions), np.array(regions, dtype=object), tuple(regions)):
        est = FluxProfileEstimator(given, energy_edges=[10, 500] * u.GeV)
        assert est.regions == regions
        result = est.run(dataset)
        np.testing.assert_array_equal(result.norm.values, reference.norm.values)
    with pytest.raises(ValueError, match="at least two regions"):
        FluxProfileEstimator(Regions(regions[:1]))
    with pytest.raises(ValueError, match="at least two regions"):
        FluxProfileEstimator(regions=[])
    with pytest.raises(TypeError, match="regions must be a list"):
        FluxProfileEstimator("circle(0, 0, 1)")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [("ul", ["ul"]), ("scan", ["scan"]), ("all", ["errn-errp", "ul", "scan", "sensitivity"]),
     (["ul", "scan"], ["ul", "scan"]), (None, [])],
)  # fmt: skip
def test_selection_optional_accepts_one_name(selection, expected):
    est = FluxProfileEstimator(_annuli(), selection_optional=selection)
    assert est.selection_optional == expected
    with pytest.raises(ValueError, match="is not a valid method"):
        FluxProfileEstimator(_annuli(), selection_optional="upper")


def test_parallel_backend_is_checked_like_gammapys():
    for backend in ("multiprocessing", "ray", None):
        est = FluxProfileEstimator(_annuli(), parallel_backend=backend, n_jobs=2)
        assert est.parallel_backend == backend
    with pytest.raises(ValueError, match="parallel_backend must be one of"):
        FluxProfileEstimator(_annuli(), parallel_backend="threads")


def test_parameter_like_norm_is_copied():
    foreign = _ForeignParameter()
    est = FluxProfileEstimator(_annuli(), norm=foreign)
    assert isinstance(est.norm, Parameter)
    assert est.norm.name == "norm"
    assert est.norm.interp == "log"
    assert est.norm.scan_n_values == 7
    # same scan: log-spaced from scan_min to scan_max (closed form)
    np.testing.assert_allclose(est.norm.scan_values, foreign.scan_values, rtol=1e-12)
    foreign._scan_values = np.array([0.0, 1.0, 2.0])
    est = FluxProfileEstimator(_annuli(), norm=foreign)
    np.testing.assert_array_equal(est.norm.scan_values, [0.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="norm must be a Parameter, a dict or None"):
        FluxProfileEstimator(_annuli(), norm=3.0)
