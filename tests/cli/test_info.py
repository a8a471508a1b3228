"""``fluxprofile info``: the description of a dataset file, checked against the file itself."""

from __future__ import annotations

import numpy as np
from astropy.io import fits


def test_info_fermi(cli, fermi_gc_path, tmp_path):
    result = cli("info", fermi_gc_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    # Independent numbers, straight from the FITS file.
    with fits.open(fermi_gc_path) as hdul:
        counts = np.asarray(hdul["COUNTS"].data, dtype=float)
        background = np.asarray(hdul["BACKGROUND"].data, dtype=float)
        mask = np.asarray(hdul["MASK_SAFE"].data, dtype=bool)
        exposure = np.asarray(hdul["EXPOSURE"].data, dtype=float)
        header = hdul["COUNTS"].header
    assert f"{header['NAXIS1']} x {header['NAXIS2']} pixels" in out
    assert "galactic" in out
    assert "CAR" in out
    assert f"{abs(header['CDELT1']):.6g} x {abs(header['CDELT2']):.6g} deg" in out
    assert "centre        : lon 0.0000 deg, lat 0.0000 deg" in out
    assert "reco          : 11 bins, 10 - 500 GeV" in out
    assert "true          : 12 bins" in out
    assert f"counts {counts.sum():.0f} ({counts[mask].sum():.0f} safe)" in out
    assert (
        f"background {background.sum():.2f} ({background[mask].sum():.2f} safe)" in out
    )
    assert f"{exposure.min():.4g} - {exposure.max():.4g} cm2 s" in out
    assert f"mask_safe     : {mask.sum()} of {mask.size} bins" in out
    assert "within x 20..379, y 20..179" in out  # the 1 deg unsafe border
    assert "EDispKernelMap" in out
    assert "name          : fermi-3fhl-gc" in out
    # Per energy bin counts: one table row per bin, with the counts of the file.
    rows = [
        line.split() for line in out.splitlines() if line.strip()[:2].strip().isdigit()
    ]
    per_bin = {int(r[0]): float(r[3]) for r in rows if len(r) >= 7}
    assert per_bin == dict(enumerate(counts.sum(axis=(1, 2))))
