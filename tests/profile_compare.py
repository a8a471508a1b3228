"""Issue 19's tolerances: compare a fluxprofile profile table with Gammapy's.

The same rules apply to the stored Gammapy references and to live Gammapy runs, for the
likelihood table and for the SED-type tables (dnde, e2dnde, flux, eflux):

* norm, norm_ul, norm_errn, norm_errp within 1 % of norm_err (+ 1e-6); norm_err 1e-3
  relative. In an SED-type table a quantity X = norm * ref_X, so X, X_ul, X_errn, X_errp
  are within 1 % of X_err (+ 1e-6 ref_X) and X_err is 1e-3 relative;
* ts within 1e-3 + 1e-5 ts; sqrt_ts, derived from ts, likewise (on its square), and of the
  same sign wherever norm and ts are beyond their tolerances;
* stat, stat_null, stat_scan within 1e-3 absolute; counts and norm_scan exact;
* npred and npred_excess within (0.01 norm_err + 1e-6) * signal + 1e-4 |value|, where
  signal is the model-predicted excess per unit norm of each dataset: a norm that is off
  by the norm tolerance moves them by that much;
* norm_sensitivity (a 1 %-accurate quantity in Gammapy) within 2 %;
* the bin edges: x within 1e-6 deg, energies and reference fluxes 1e-9 relative.

Rows where Gammapy's fit failed (success False) are compared by counts and success only:
their numbers depend on where MINUIT stopped.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np

__all__ = [
    "EXTRA_COLUMNS",
    "SED_TYPES",
    "compare_to_reference",
    "excess_signal",
]

#: Columns fluxprofile adds after Gammapy's (exact distance nodes and the size of each bin;
#: Gammapy ignores them).
EXTRA_COLUMNS = ["x_node", "npix", "solid_angle"]
#: Table types: the likelihood table and the SED types derived from it.
SED_TYPES = ("likelihood", "dnde", "e2dnde", "flux", "eflux")
# Suffixes of the quantities compared with the norm tolerance (norm or an SED quantity).
_VALUE_SUFFIXES = ("", "_ul", "_errn", "_errp")
_ALL_SUFFIXES = (*_VALUE_SUFFIXES, "_err", "_sensitivity")
# Below this fraction of norm_err a norm says too little about the excess it predicts.
_TINY_NORM = 1e-6


def _cells(table, name: str) -> np.ndarray:
    """A table column as a float array (rows, then the shape of each cell)."""
    return np.array([np.asarray(v, dtype=float) for v in table[name]])


def _sed_type(table) -> str:
    for sed_type in SED_TYPES[1:]:
        if sed_type in table.colnames:
            return sed_type
    return "likelihood"


def _reference_values(likelihood, sed_type: str, unit) -> np.ndarray:
    """The reference model's value of an SED type in each cell, in ``unit``."""
    if sed_type == "e2dnde":
        e_ref = u.Quantity(_cells(likelihood, "e_ref"), likelihood["e_ref"].unit)
        value = (
            u.Quantity(_cells(likelihood, "ref_dnde"), likelihood["ref_dnde"].unit)
            * e_ref**2
        )
    else:
        value = u.Quantity(
            _cells(likelihood, f"ref_{sed_type}"), likelihood[f"ref_{sed_type}"].unit
        )
    return value.to_value(unit)


def _as_norms(table, sed_type: str, ref_values) -> dict[str, np.ndarray]:
    """The norm-like columns of a table in units of the reference model (norm, norm_err, ...)."""
    prefix = "norm" if sed_type == "likelihood" else sed_type
    scale = 1.0 if ref_values is None else ref_values
    return {
        f"norm{suffix}": _cells(table, f"{prefix}{suffix}") / scale
        for suffix in _ALL_SUFFIXES
        if f"{prefix}{suffix}" in table.colnames
    }


def excess_signal(
    ref, ours, ref_norms: dict, our_norms: dict, signal=None
) -> np.ndarray:
    """Model-predicted excess counts per unit norm, shape (rows, groups, datasets).

    Taken from Gammapy's npred_excess / norm where that norm is finite and not tiny
    (|norm| > 1e-6 norm_err, so neither 0 / 0 nor the float32 round-off of a vanishing
    product); elsewhere from fluxprofile's own npred_excess / norm, i.e. from its signal
    template; elsewhere from ``signal`` if given.

    Raises
    ------
    AssertionError
        If a successful row is left without a signal.
    """
    out = np.full(_cells(ref, "npred_excess").shape, np.nan)
    for table, norms in ((ref, ref_norms), (ours, our_norms)):
        norm, err = norms["norm"], norms["norm_err"]
        with np.errstate(invalid="ignore", divide="ignore"):
            usable = np.isfinite(norm) & (np.abs(norm) > _TINY_NORM * np.abs(err))
            ratio = np.abs(_cells(table, "npred_excess") / norm[..., None])
        fill = np.isnan(out) & usable[..., None] & np.isfinite(ratio)
        out[fill] = ratio[fill]
    if signal is not None:
        signal = np.broadcast_to(np.abs(np.asarray(signal, dtype=float)), out.shape)
        out = np.where(np.isnan(out), signal, out)
    ok = _cells(ref, "success").astype(bool)
    missing = np.isnan(out) & ok[..., None]
    assert not missing.any(), (
        "no signal per unit norm for (row, group, dataset) "
        f"{np.argwhere(missing).tolist()}: both norms vanish there, pass signal="
    )
    return out


def _check(failures: list, name: str, a: np.ndarray, b: np.ndarray, tol, where) -> None:
    """Record in ``failures`` where |a - b| > tol inside ``where``, naming the first cells."""
    tol = np.broadcast_to(tol, b.shape)
    where = np.broadcast_to(where, b.shape)
    with np.errstate(invalid="ignore"):
        bad = where & ~(np.abs(a - b) <= tol)
    if bad.any():
        cells = [tuple(int(i) for i in c) for c in np.argwhere(bad)]
        shown = "; ".join(
            f"{c}: {a[c]:.10g} vs {b[c]:.10g} (diff {abs(a[c] - b[c]):.3g}, tol {tol[c]:.3g})"
            for c in cells[:6]
        )
        failures.append(
            f"{name}: {len(cells)} of {int(where.sum())} cells (row, group[, ...]) differ: {shown}"
        )


def compare_to_reference(ours, ref, signal=None, ref_likelihood=None) -> None:
    """Compare a fluxprofile profile table with Gammapy's within issue 19's tolerances.

    Parameters
    ----------
    ours, ref : `~astropy.table.Table`
        ``to_table(format="profile", sed_type=...)`` of fluxprofile and of Gammapy (a
        stored reference or a live run), of the same sed type.
    signal : array-like, optional
        Excess per unit norm (rows, groups, datasets) for rows where neither table's norm
        defines it (see `excess_signal`). Default is None.
    ref_likelihood : `~astropy.table.Table`, optional
        Gammapy's likelihood table of the same profile; required for SED-type tables,
        whose quantities it converts to norms with its ref_dnde, ref_flux and ref_eflux.
        Default is None.

    Raises
    ------
    AssertionError
        Naming every quantity that differs, its first cells and the tolerance.
    """
    # fluxprofile adds the size of each bin after Gammapy's columns (Gammapy ignores them).
    assert ours.colnames == [*ref.colnames, *EXTRA_COLUMNS], (
        ours.colnames,
        ref.colnames,
    )
    for name in ref.colnames:
        assert ours[name].shape == ref[name].shape, name
        assert str(ours[name].unit or "") == str(ref[name].unit or ""), name
    sed_type = _sed_type(ref)
    ref_values = None
    if sed_type != "likelihood":
        assert ref_likelihood is not None, f"a {sed_type} table needs ref_likelihood"
        assert len(ref_likelihood) == len(ref), (
            "ref_likelihood has another number of rows"
        )
        ref_values = _reference_values(ref_likelihood, sed_type, ref[sed_type].unit)

    ok = _cells(ref, "success").astype(bool)
    np.testing.assert_array_equal(
        _cells(ours, "success").astype(bool), ok, err_msg="success"
    )
    np.testing.assert_array_equal(
        _cells(ours, "counts"), _cells(ref, "counts"), err_msg="counts"
    )
    for name in ("x_min", "x_max", "x_ref"):
        np.testing.assert_allclose(
            ours[name], ref[name], rtol=0, atol=1e-6, err_msg=name
        )
    for name in ("e_ref", "e_min", "e_max", "ref_dnde", "ref_flux", "ref_eflux"):
        if name in ref.colnames:
            np.testing.assert_allclose(
                _cells(ours, name), _cells(ref, name), rtol=1e-9, err_msg=name
            )

    failures: list[str] = []
    if "is_ul" in ref.colnames:
        _check(failures, "is_ul", _cells(ours, "is_ul"), _cells(ref, "is_ul"), 0, ok)
    a, b = _as_norms(ours, sed_type, ref_values), _as_norms(ref, sed_type, ref_values)
    assert set(a) == set(b), (sorted(a), sorted(b))
    label = "norm" if sed_type == "likelihood" else sed_type
    err = b["norm_err"]
    tol_norm = 0.01 * err + 1e-6
    for suffix in _VALUE_SUFFIXES:
        if f"norm{suffix}" in b:
            _check(
                failures,
                f"{label}{suffix}",
                a[f"norm{suffix}"],
                b[f"norm{suffix}"],
                tol_norm,
                ok,
            )
    _check(failures, f"{label}_err", a["norm_err"], err, 1e-3 * np.abs(err), ok)
    if "norm_sensitivity" in b:
        sens = b["norm_sensitivity"]
        _check(
            failures,
            f"{label}_sensitivity",
            a["norm_sensitivity"],
            sens,
            0.02 * np.abs(sens),
            ok,
        )

    ts_a, ts_b = _cells(ours, "ts"), _cells(ref, "ts")
    tol_ts = 1e-3 + 1e-5 * np.abs(ts_b)
    _check(failures, "ts", ts_a, ts_b, tol_ts, ok)
    if "sqrt_ts" in ref.colnames:
        s_a, s_b = _cells(ours, "sqrt_ts"), _cells(ref, "sqrt_ts")
        _check(failures, "sqrt_ts**2", s_a**2, s_b**2, tol_ts, ok)
        clear_sign = ok & (np.abs(b["norm"]) > tol_norm) & (ts_b > tol_ts)
        _check(failures, "sign of sqrt_ts", np.sign(s_a), np.sign(s_b), 0, clear_sign)

    tol_signal = (0.01 * err + 1e-6)[..., None] * excess_signal(ref, ours, b, a, signal)
    for name in ("npred", "npred_excess"):
        va, vb = _cells(ours, name), _cells(ref, name)
        _check(failures, name, va, vb, tol_signal + 1e-4 * np.abs(vb), ok[..., None])

    for name in ("stat", "stat_null"):
        _check(failures, name, _cells(ours, name), _cells(ref, name), 1e-3, ok)
    if "stat_scan" in ref.colnames:
        _check(
            failures,
            "stat_scan",
            _cells(ours, "stat_scan"),
            _cells(ref, "stat_scan"),
            1e-3,
            ok[..., None],
        )
        np.testing.assert_array_equal(
            _cells(ours, "norm_scan"), _cells(ref, "norm_scan"), err_msg="norm_scan"
        )
    assert not failures, "\n".join(failures)
