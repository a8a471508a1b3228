"""The fit does not depend on the units of the signal (docs/numeric_limits.rst): scaling
the exposure or the reference model's amplitude by f scales every fitted norm by 1 / f.

The independent result is the unscaled fit itself: with ``norm_err_method="curvature"``
(the exact minimum) every quantity agrees to 1e-9 relative for f in 1e-30..1e30; with the
default MIGRAD emulation the norms agree within MIGRAD's documented tolerance (0.1 of
the error; norm_err 10 %), and are never 0, NaN or unsuccessful.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from regions import RectangleSkyRegion
from small_datasets import small_dataset

from fluxprofile import FluxProfileEstimator, Map, MapDataset, PowerLawSpectralModel

FACTORS = [1e-30, 1e-15, 1e-5, 3.7, 1e5, 1e15, 1e30]
# Quantities in norm units (scale with 1 / f) and the others (do not scale).
NORMS = ("norm", "norm_err", "norm_errn", "norm_errp", "norm_ul", "norm_sensitivity")
INVARIANT = ("ts", "stat", "stat_null")
# MIGRAD's documented tolerance (docs/numeric_limits.rst): each run lies within 0.05 of
# the error from the exact minimum and within 5 % of its error.
MIGRAD_NORM_TOL = 0.1
MIGRAD_ERR_RTOL = 0.1


def _regions():
    return [
        RectangleSkyRegion(
            SkyCoord(lon, 2, unit="deg", frame="galactic"), 1 * u.deg, 1.5 * u.deg
        )
        for lon in (0.25, 1.25, 2.0)
    ]


def _dataset(exposure_factor: float) -> MapDataset:
    ds = small_dataset()
    e = ds.exposure
    # float64: 1e11 cm2 s times 1e30 does not fit a float32
    exposure = Map(e.geom, e.data.astype(np.float64) * exposure_factor, unit=e.unit)
    return MapDataset(
        ds.counts,
        exposure,
        background=ds.background,
        mask_safe=ds.mask_safe,
        edisp=ds.edisp,
        name=ds.name,
    )


def _profile(method: str, exposure_factor=1.0, amplitude_factor=1.0):
    ds = _dataset(exposure_factor)
    model = PowerLawSpectralModel(
        index=2, amplitude=1e-12 * amplitude_factor * u.Unit("cm-2 s-1 TeV-1")
    )
    est = FluxProfileEstimator(
        _regions(),
        spectral_model=model,
        energy_edges=ds.counts.geom.axes["energy"].edges,
        selection_optional="all",
        norm_err_method=method,
    )
    with warnings.catch_warnings():
        # the scaled datasets warn as the unscaled one does (if at all)
        warnings.simplefilter("ignore")
        result = est.run(ds)
    return {
        key: np.asarray(result._data[key], dtype=float).squeeze()
        for key in (*NORMS, *INVARIANT, "success")
    }


@pytest.fixture(scope="module", params=["curvature", "minuit"])
def reference(request):
    return request.param, _profile(request.param)


@pytest.mark.parametrize("what", ["exposure", "amplitude"])
@pytest.mark.parametrize("factor", FACTORS)
def test_fit_is_invariant_to_the_signal_scale(reference, what, factor):
    method, ref = reference
    kwargs = {f"{what}_factor": factor}
    ours = _profile(method, **kwargs)
    assert ref["success"].all()
    assert ours["success"].all()
    for key in NORMS:
        scaled = ours[key] * factor
        assert np.all(np.isfinite(scaled)), key
        assert np.all(scaled != 0), key
        if method == "curvature":
            np.testing.assert_allclose(scaled, ref[key], rtol=1e-9, err_msg=key)
    if method == "curvature":
        for key in INVARIANT:
            np.testing.assert_allclose(
                ours[key], ref[key], rtol=1e-9, atol=1e-9, err_msg=key
            )
    else:
        err = ref["norm_err"]
        for key in ("norm", "norm_errn", "norm_errp", "norm_ul"):
            # the intervals start from MIGRAD's re-optimised norms
            np.testing.assert_array_less(
                np.abs(ours[key] * factor - ref[key]),
                MIGRAD_NORM_TOL * err,
                err_msg=key,
            )
        np.testing.assert_allclose(
            ours["norm_err"] * factor, err, rtol=MIGRAD_ERR_RTOL, err_msg="norm_err"
        )
        np.testing.assert_allclose(ours["ts"], ref["ts"], rtol=1e-3, atol=1e-3)
