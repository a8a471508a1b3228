"""Array and unit normalisation shared by the data model, the file formats and interop.

One owner for the byte-order rule: FITS files store big-endian arrays, and Gammapy maps
read from files keep them so, while the core and NumPy's fast paths want native order.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

__all__ = ["as_unit", "native_byte_order"]


def native_byte_order(array: Any, inplace: bool = False) -> np.ndarray:
    """``array`` in native byte order, copied only when it must be.

    Parameters
    ----------
    array : array-like
        The array (anything `numpy.asarray` accepts).
    inplace : bool, optional
        Swap the bytes of a writeable non-native array in place and return a view
        (no copy; the caller owns the array, e.g. one just read from a FITS file).
        With False the array is never modified: a non-native array gives a native
        copy (e.g. the data of a Gammapy map). Default is False.

    Returns
    -------
    array : `~numpy.ndarray`
        ``array`` itself if already native, else a native view or copy with the same
        values and dtype kind.
    """
    array = np.asarray(array)
    if array.dtype.isnative:
        return array
    native = array.dtype.newbyteorder("=")
    if inplace and array.flags.writeable:
        array.byteswap(inplace=True)
        return array.view(native)
    return array.astype(native)


def as_unit(unit: Any) -> u.UnitBase:
    """``unit`` as an astropy unit; None and "" are dimensionless.

    Parameters
    ----------
    unit : str, `~astropy.units.UnitBase` or None
        The unit.

    Returns
    -------
    unit : `~astropy.units.UnitBase`
        The unit.

    Raises
    ------
    ValueError
        If ``unit`` is not a valid astropy unit.
    """
    try:
        return u.Unit("" if unit is None else unit)
    except (ValueError, TypeError) as err:
        msg = f"unit must be a valid astropy unit, got {unit!r}"
        raise ValueError(msg) from err
