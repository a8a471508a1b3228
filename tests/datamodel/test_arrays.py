"""Byte-order and unit normalisation shared by the data model and the file formats."""

import astropy.units as u
import numpy as np
import pytest

from fluxprofile.datamodel._arrays import as_unit, native_byte_order


def test_native_array_is_returned_as_is():
    array = np.arange(5.0)
    assert native_byte_order(array) is array


def test_big_endian_copy_leaves_the_input_alone():
    big = np.arange(6, dtype=">f4").reshape(2, 3)
    out = native_byte_order(big)
    assert out.dtype.isnative
    assert out.dtype.kind == "f"
    assert out.dtype.itemsize == 4
    np.testing.assert_array_equal(out, big)
    assert not big.dtype.isnative  # untouched


def test_big_endian_inplace_swaps_without_copy():
    big = np.arange(6, dtype=">i4")
    expected = big.astype(int)
    out = native_byte_order(big, inplace=True)
    assert out.dtype.isnative
    assert np.shares_memory(out, big)
    np.testing.assert_array_equal(out, expected)


def test_read_only_big_endian_is_copied_even_inplace():
    big = np.arange(4, dtype=">f8")
    big.flags.writeable = False
    out = native_byte_order(big, inplace=True)
    assert not np.shares_memory(out, big)
    np.testing.assert_array_equal(out, big)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (None, u.dimensionless_unscaled),
        ("", u.dimensionless_unscaled),
        ("cm2 s", u.cm**2 * u.s),
    ],
)
def test_as_unit(unit, expected):
    assert as_unit(unit) == expected


def test_as_unit_names_the_bad_unit():
    with pytest.raises(ValueError, match="'parsecs per fortnight'"):
        as_unit("parsecs per fortnight")
