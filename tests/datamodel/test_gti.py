"""Tests of fluxprofile.datamodel.gti: GTI keeps the FITS form and gives Gammapy's
absolute times (TT unless the header names another scale)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.table import Table
from astropy.time import Time

from fluxprofile import GTI
from fluxprofile.datamodel.gti import as_gti


def test_create_stores_the_reference_in_tt_and_gives_time_objects():
    gti = GTI.create([0, 10] * u.s, [5, 20] * u.s, reference_time="2010-01-01T00:00:00")
    # 2010-01-01 UTC is TT + 66.184 s (32.184 s + 34 leap seconds): closed form
    expected = 55197.0 + 66.184 / 86400
    assert isinstance(gti.time_start, Time)
    assert gti.time_start.scale == "tt"
    np.testing.assert_allclose(gti.time_start.mjd, [expected, expected + 10 / 86400])
    np.testing.assert_allclose(
        gti.time_stop.mjd, [expected + 5 / 86400, expected + 20 / 86400]
    )
    np.testing.assert_array_equal(gti.met_start.to_value("s"), [0, 10])
    assert gti.time_sum == 15 * u.s
    assert len(gti) == 2
    assert gti.meta["TIMESYS"] == "tt"
    assert gti.meta["MJDREFI"] == 55197
    assert gti.table.colnames == ["START", "STOP"]
    assert isinstance(gti.table["START"], Time)
    assert "Number of GTIs: 2" in str(gti)


def test_fits_form_round_trip_and_time_keywords():
    table = Table(
        {"START": [0.0, 100.0], "STOP": [50.0, 200.0]},
        meta={"MJDREFI": 51910, "MJDREFF": 0.5, "TIMESYS": "TT", "TIMEUNIT": "s"},
    )
    gti = GTI(table)
    assert gti.to_table() is table
    np.testing.assert_allclose(gti.time_start.mjd, [51910.5, 51910.5 + 100 / 86400])
    back = GTI.from_table_hdu(gti.to_table_hdu())
    assert back == gti
    # MJDREF as one number, another scale, and minutes
    other = GTI(Table({"START": [1.0], "STOP": [2.0]},
                      meta={"MJDREF": 58000.0, "TIMESYS": "utc", "TIMEUNIT": "min"}))  # fmt: skip
    assert other.time_start.scale == "utc"
    assert other.time_delta.to_value("s") == pytest.approx(60.0)
    # no reference: Gammapy's default 2000-01-01 TT
    default = GTI(Table({"START": [0.0], "STOP": [1.0]}))
    assert default.time_ref.isot == "2000-01-01T00:00:00.000"


def test_stack_and_as_gti():
    a = GTI.create([0] * u.s, [1] * u.s)
    b = GTI.create([5] * u.s, [6] * u.s)
    stacked = GTI.from_stack([a, b])
    np.testing.assert_array_equal(stacked.met_start.value, [0, 5])
    assert as_gti(None) is None
    assert as_gti(a) is a
    assert isinstance(as_gti(a.to_table()), GTI)
    with pytest.raises(TypeError, match="gti must be"):
        as_gti([1, 2])
    with pytest.raises(ValueError, match="START and STOP"):
        GTI(Table({"START": [0.0]}))
    with pytest.raises(TypeError, match="astropy Table"):
        GTI({"START": [0.0], "STOP": [1.0]})


def _table(start, stop, **meta):
    meta = {"MJDREFI": 51910, "MJDREFF": 0.5, "TIMESYS": "tt", **meta}
    return Table({"START": start * u.s, "STOP": stop * u.s}, meta=meta)


def test_deferred_builds_once_and_only_when_used():
    calls = []

    def build():
        calls.append(1)
        return _table(np.array([0.0, 5.0]), np.array([1.0, 9.0]))

    gti = GTI.deferred(build)
    assert calls == []
    assert len(gti) == 2
    np.testing.assert_array_equal(gti.met_stop.to_value("s"), [1.0, 9.0])
    assert gti.meta["MJDREFI"] == 51910
    assert calls == [1]


def test_deferred_pickles_and_copies_as_a_table():
    import copy
    import pickle

    gti = GTI.deferred(lambda: _table(np.array([0.0]), np.array([3.0])))  # a closure
    for other in (pickle.loads(pickle.dumps(gti)), copy.deepcopy(gti), gti.copy()):
        assert other == gti
        np.testing.assert_array_equal(other.met_stop.to_value("s"), [3.0])


def test_deferred_table_is_checked():
    gti = GTI.deferred(lambda: Table({"START": [0.0]}))
    with pytest.raises(ValueError, match="STOP"):
        len(gti)


def test_profile_gti_repeats_the_stack_per_region_and_ignores_later_edits():
    from fluxprofile.datamodel.gti import profile_gti

    first = _table(np.array([0.0, 10.0]), np.array([5.0, 20.0]))
    second = _table(np.array([30.0]), np.array([40.0]))
    gti = profile_gti([first, GTI(second)], n_regions=3)
    # edited after the run: the profile keeps the intervals of the run
    first["STOP"][0] = 999.0
    first.meta["MJDREFI"] = 1
    expected = np.tile([5.0, 20.0, 40.0], 3)
    np.testing.assert_array_equal(gti.met_stop.to_value("s"), expected)
    assert gti.meta["MJDREFI"] == 51910
    assert gti.to_table()["START"].unit == u.s
