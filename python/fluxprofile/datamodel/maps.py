"""Map axes, WCS geometries and maps (the small subset of gammapy.maps fluxprofile needs)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS, FITSFixedWarning
from astropy.wcs.utils import celestial_frame_to_wcs, wcs_to_celestial_frame

__all__ = ["LabelMapAxis", "Map", "MapAxes", "MapAxis", "WcsGeom", "WcsNDMap"]

_INTERPS = ("lin", "log", "sqrt")
_NODE_TYPES = ("edges", "center")
_TINY = np.finfo(np.float64).tiny


# --------------------------------------------------------------------------------------
# interpolation scales
# --------------------------------------------------------------------------------------
def _scale(values: np.ndarray, interp: str) -> np.ndarray:
    """Transform axis coordinates into the (linear) interpolation scale."""
    values = np.asarray(values, dtype=np.float64)
    if interp == "log":
        return np.log(np.clip(values, _TINY, np.inf))
    if interp == "sqrt":
        sign = np.sign(values)
        return sign * np.sqrt(sign * values)
    return values


def _inverse_scale(values: np.ndarray, interp: str) -> np.ndarray:
    """Inverse of `_scale`."""
    if interp == "log":
        out = np.exp(values)
        return np.where(np.abs(out) - _TINY <= _TINY, 0.0, out)
    if interp == "sqrt":
        return np.power(values, 2)
    return values


def _interp_extrapolate(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation of ``fp(xp)`` at ``x`` with linear extrapolation.

    ``xp`` must be strictly monotonic (either direction). A single node gives a constant.
    The arithmetic is that of the degree-1 B-spline Gammapy's axes use (SciPy's
    ``interp1d(kind=1, fill_value="extrapolate")``): on the segment ``[xp_lo, xp_hi)``
    holding ``x`` (the first or last segment outside), ``w = 1 / (xp_hi - xp_lo)`` and the
    value is ``fp_lo * (w * (xp_hi - x)) + fp_hi * (w * (x - xp_lo))``. So bin edges and
    centres are Gammapy's to the last bit (e.g. the outer edges of a centre-node axis,
    written as x_min/x_max in profile files; docs/profile_files.rst).
    """
    x = np.asarray(x, dtype=np.float64)
    if xp.size == 1:
        return np.full(x.shape, fp[0], dtype=np.float64)
    if xp[0] > xp[-1]:
        xp = xp[::-1]
        fp = fp[::-1]
    hi = np.clip(np.searchsorted(xp, x, side="right"), 1, xp.size - 1)
    lo = hi - 1
    x_lo, x_hi = xp[lo], xp[hi]
    w = 1.0 / (x_hi - x_lo)
    return fp[lo] * (w * (x_hi - x)) + fp[hi] * (w * (x - x_lo))


def _as_unit(unit: Any) -> u.UnitBase:
    try:
        return u.Unit("" if unit is None else unit)
    except (ValueError, TypeError) as err:
        msg = f"unit must be a valid astropy unit, got {unit!r}"
        raise ValueError(msg) from err


# --------------------------------------------------------------------------------------
# MapAxis
# --------------------------------------------------------------------------------------
class MapAxis:
    """One non-spatial axis of a map (energy, true energy, projected distance, ...).

    An axis is defined by node values that are either the bin edges (``node_type="edges"``)
    or the bin centres (``node_type="center"``). Pixel coordinates are the bin index:
    bin ``k`` spans pixel coordinates ``k - 0.5`` to ``k + 0.5``. Between nodes, the pixel
    coordinate is a linear function of the coordinate in the interpolation scale
    (``interp``: ``"lin"``, ``"log"`` or ``"sqrt"``), with linear extrapolation outside.
    The edges of a centre-node axis are therefore the midpoints of neighbouring nodes in the
    interpolation scale, with the outer edges extrapolated by half a step.

    Parameters
    ----------
    nodes : array-like or `~astropy.units.Quantity`
        Node values (strictly monotonic). A Quantity sets the unit (converted to ``unit``
        when that is also given).
    interp : {"lin", "log", "sqrt"}, optional
        Interpolation scale. Default is "lin".
    name : str, optional
        Axis name (e.g. "energy", "energy_true", "projected-distance"). Default is "".
    unit : str or `~astropy.units.Unit`, optional
        Unit of the nodes. Default is "" (dimensionless).
    node_type : {"edges", "center"}, optional
        Whether ``nodes`` are bin edges or bin centres. Default is "edges".

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        For an invalid ``interp``/``node_type``, unsorted, repeated, non-finite or too few
        nodes, or negative nodes with a non-linear scale.

    Examples
    --------
    >>> import astropy.units as u
    >>> from fluxprofile.maps import MapAxis
    >>> axis = MapAxis.from_energy_bounds(10 * u.GeV, 500 * u.GeV, nbin=11)
    >>> axis.nbin
    11
    """

    def __init__(
        self,
        nodes: npt.ArrayLike | u.Quantity,
        interp: str = "lin",
        name: str = "",
        unit: str | u.UnitBase = "",
        node_type: str = "edges",
    ) -> None:
        if not isinstance(name, str):
            msg = f"name must be a string, got {type(name).__name__} {name!r}"
            raise TypeError(msg)
        if interp not in _INTERPS:
            msg = f"interp must be one of {_INTERPS}, got {interp!r}"
            raise ValueError(msg)
        if node_type not in _NODE_TYPES:
            msg = f"node_type must be one of {_NODE_TYPES}, got {node_type!r}"
            raise ValueError(msg)
        if isinstance(nodes, u.Quantity):
            target = _as_unit(unit)
            if target == u.dimensionless_unscaled and str(unit) == "":
                target = nodes.unit
            try:
                values = nodes.to_value(target)
            except u.UnitConversionError as err:
                msg = f"nodes in {nodes.unit} cannot be converted to unit {target}"
                raise ValueError(msg) from err
            unit = target
        else:
            values = nodes
        try:
            values = np.array(values, dtype=np.float64, ndmin=1)
        except (TypeError, ValueError) as err:
            msg = f"nodes must be an array of numbers, got {nodes!r}"
            raise ValueError(msg) from err
        if values.ndim != 1:
            msg = f"nodes must be one-dimensional, got shape {values.shape}"
            raise ValueError(msg)
        n_min = 2 if node_type == "edges" else 1
        if values.size < n_min:
            msg = (
                f"a MapAxis with node_type {node_type!r} needs at least {n_min} nodes, "
                f"got {values.size}"
            )
            raise ValueError(msg)
        if not np.all(np.isfinite(values)):
            msg = f"nodes must be finite, got {values}"
            raise ValueError(msg)
        diff = np.diff(values)
        if values.size > 1 and not (np.all(diff > 0) or np.all(diff < 0)):
            msg = f"MapAxis: node values must be strictly sorted and unique, got {values}"
            raise ValueError(msg)
        if interp != "lin" and np.any(values < 0):
            msg = f"interp {interp!r} needs non-negative nodes, got {values}"
            raise ValueError(msg)

        values.flags.writeable = False
        self._nodes = values
        self._interp = interp
        self._name = name
        self._unit = _as_unit(unit)
        self._node_type = node_type
        self._nbin = values.size - 1 if node_type == "edges" else values.size
        self._pix_offset = -0.5 if node_type == "edges" else 0.0
        self._scaled = _scale(values, interp)
        self._index = np.arange(values.size, dtype=np.float64)
        self._edges = self._readonly(self.pix_to_coord(np.arange(self._nbin + 1) - 0.5))
        self._center = self._readonly(
            values.copy() if node_type == "center" else self.pix_to_coord(np.arange(self._nbin))
        )

    @staticmethod
    def _readonly(array: np.ndarray) -> np.ndarray:
        array = np.asarray(array, dtype=np.float64)
        array.flags.writeable = False
        return array

    # ---- constructors ----------------------------------------------------------------
    @classmethod
    def from_edges(
        cls,
        edges: npt.ArrayLike | u.Quantity,
        unit: str | u.UnitBase | None = None,
        name: str | None = None,
        interp: str = "lin",
    ) -> MapAxis:
        """Make an axis from bin edges.

        Parameters
        ----------
        edges : array-like or `~astropy.units.Quantity`
            Bin edges (at least two).
        unit : str or `~astropy.units.Unit`, optional
            Unit (edges given as a Quantity are converted to it). Default is None
            (the Quantity's unit, or dimensionless).
        name : str, optional
            Axis name. Default is None (empty name).
        interp : {"lin", "log", "sqrt"}, optional
            Interpolation scale. Default is "lin".

        Returns
        -------
        axis : `MapAxis`
            Edge-type axis.
        """
        return cls(edges, interp=interp, name=name or "", unit=unit or "", node_type="edges")

    @classmethod
    def from_nodes(
        cls,
        nodes: npt.ArrayLike | u.Quantity,
        unit: str | u.UnitBase | None = None,
        name: str | None = None,
        interp: str = "lin",
    ) -> MapAxis:
        """Make an axis from bin centres (node_type "center").

        Parameters
        ----------
        nodes : array-like or `~astropy.units.Quantity`
            Bin centres (at least one).
        unit : str or `~astropy.units.Unit`, optional
            Unit. Default is None (the Quantity's unit, or dimensionless).
        name : str, optional
            Axis name. Default is None (empty name).
        interp : {"lin", "log", "sqrt"}, optional
            Interpolation scale. Default is "lin".

        Returns
        -------
        axis : `MapAxis`
            Centre-node axis; its edges are the midpoints of the nodes in the
            interpolation scale, extrapolated by half a step at both ends.
        """
        return cls(nodes, interp=interp, name=name or "", unit=unit or "", node_type="center")

    @classmethod
    def from_bounds(
        cls,
        lo_bnd: float,
        hi_bnd: float,
        nbin: int,
        interp: str = "lin",
        name: str = "",
        unit: str | u.UnitBase = "",
        node_type: str = "edges",
    ) -> MapAxis:
        """Make an axis with ``nbin`` bins evenly spaced in the interpolation scale.

        Parameters
        ----------
        lo_bnd, hi_bnd : float
            First and last edge (``node_type="edges"``) or centre (``"center"``).
        nbin : int
            Number of bins (>= 1).
        interp : {"lin", "log", "sqrt"}, optional
            Interpolation scale. Default is "lin".
        name : str, optional
            Axis name. Default is "".
        unit : str or `~astropy.units.Unit`, optional
            Unit. Default is "".
        node_type : {"edges", "center"}, optional
            Node type. Default is "edges".

        Returns
        -------
        axis : `MapAxis`
            The axis.
        """
        nbin = _check_nbin(nbin)
        if node_type not in _NODE_TYPES:
            msg = f"node_type must be one of {_NODE_TYPES}, got {node_type!r}"
            raise ValueError(msg)
        n_nodes = nbin + 1 if node_type == "edges" else nbin
        if interp == "lin":
            nodes = np.linspace(lo_bnd, hi_bnd, n_nodes)
        elif interp == "log":
            nodes = np.geomspace(lo_bnd, hi_bnd, n_nodes)
        elif interp == "sqrt":
            nodes = np.linspace(lo_bnd**0.5, hi_bnd**0.5, n_nodes) ** 2.0
        else:
            msg = f"interp must be one of {_INTERPS}, got {interp!r}"
            raise ValueError(msg)
        return cls(nodes, interp=interp, name=name, unit=unit, node_type=node_type)

    @classmethod
    def from_energy_bounds(
        cls,
        energy_min: u.Quantity | str | float,
        energy_max: u.Quantity | str | float,
        nbin: int,
        unit: str | u.UnitBase | None = None,
        per_decade: bool = False,
        name: str | None = None,
        node_type: str = "edges",
    ) -> MapAxis:
        """Make a log-spaced energy axis from energy bounds.

        Parameters
        ----------
        energy_min, energy_max : `~astropy.units.Quantity`, str or float
            Energy range (floats need ``unit``).
        nbin : int
            Number of bins (or bins per decade with ``per_decade=True``).
        unit : str or `~astropy.units.Unit`, optional
            Energy unit. Default is None (the unit of ``energy_max``).
        per_decade : bool, optional
            Whether ``nbin`` is per decade (total = ceil(decades * nbin)). Default is False.
        name : {"energy", "energy_true"}, optional
            Axis name. Default is None ("energy").
        node_type : {"edges", "center"}, optional
            Node type. Default is "edges".

        Returns
        -------
        axis : `MapAxis`
            Energy axis with interp "log".
        """
        e_min = _energy_quantity(energy_min, unit, "energy_min")
        e_max = _energy_quantity(energy_max, unit, "energy_max")
        unit = e_max.unit if unit is None else _as_unit(unit)
        e_min, e_max = e_min.to(unit), e_max.to(unit)
        if not (0 < e_min.value < e_max.value):
            msg = f"need 0 < energy_min < energy_max, got {e_min} and {e_max}"
            raise ValueError(msg)
        if per_decade:
            nbin = int(np.ceil(np.log10((e_max / e_min).to_value("")) * nbin))
        name = _energy_name(name)
        return cls.from_bounds(
            e_min.value, e_max.value, nbin, interp="log", name=name, unit=unit,
            node_type=node_type,
        )  # fmt: skip

    @classmethod
    def from_energy_edges(
        cls,
        edges: u.Quantity | npt.ArrayLike,
        unit: str | u.UnitBase | None = None,
        name: str | None = None,
        interp: str = "log",
    ) -> MapAxis:
        """Make an energy axis from bin edges.

        Parameters
        ----------
        edges : `~astropy.units.Quantity` or array-like
            Energy edges (plain numbers need ``unit``).
        unit : str or `~astropy.units.Unit`, optional
            Energy unit. Default is None (the unit of ``edges``).
        name : {"energy", "energy_true"}, optional
            Axis name. Default is None ("energy").
        interp : {"lin", "log", "sqrt"}, optional
            Interpolation scale. Default is "log".

        Returns
        -------
        axis : `MapAxis`
            Edge-type energy axis.
        """
        edges = _energy_quantity(edges, unit, "edges")
        return cls.from_edges(edges, unit=unit, name=_energy_name(name), interp=interp)

    # ---- properties ------------------------------------------------------------------
    @property
    def name(self) -> str:
        """Axis name."""
        return self._name

    @property
    def unit(self) -> u.UnitBase:
        """Unit of the axis coordinates."""
        return self._unit

    @property
    def nbin(self) -> int:
        """Number of bins."""
        return self._nbin

    @property
    def node_type(self) -> str:
        """Node type, "edges" or "center"."""
        return self._node_type

    @property
    def interp(self) -> str:
        """Interpolation scale, "lin", "log" or "sqrt"."""
        return self._interp

    @property
    def nodes(self) -> np.ndarray:
        """Node values as given (read-only float64 array, in `unit`)."""
        return self._nodes

    @property
    def edges(self) -> u.Quantity:
        """Bin edges, shape (nbin + 1,)."""
        return u.Quantity(self._edges, self._unit, copy=False)

    @property
    def edges_min(self) -> u.Quantity:
        """Lower bin edges, shape (nbin,)."""
        return self.edges[:-1]

    @property
    def edges_max(self) -> u.Quantity:
        """Upper bin edges, shape (nbin,)."""
        return self.edges[1:]

    @property
    def center(self) -> u.Quantity:
        """Bin centres (the nodes of a centre-node axis), shape (nbin,)."""
        return u.Quantity(self._center, self._unit, copy=False)

    @property
    def bin_width(self) -> u.Quantity:
        """Bin widths, shape (nbin,)."""
        return np.diff(self.edges)

    @property
    def bounds(self) -> u.Quantity:
        """First and last edge (edge axes) or first and last centre (centre-node axes)."""
        values = self.edges if self._node_type == "edges" else self.center
        return values[[0, -1]]

    @property
    def is_energy_axis(self) -> bool:
        """Whether the axis is named "energy" or "energy_true"."""
        return self._name in ("energy", "energy_true")

    # ---- coordinate transforms -------------------------------------------------------
    def _coord_value(self, coord: Any) -> np.ndarray:
        if isinstance(coord, u.Quantity):
            try:
                return np.asarray(coord.to_value(self._unit), dtype=np.float64)
            except u.UnitConversionError as err:
                msg = f"coord in {coord.unit} cannot be converted to axis unit {self._unit}"
                raise ValueError(msg) from err
        return np.asarray(coord, dtype=np.float64)

    def pix_to_coord(self, pix: npt.ArrayLike) -> np.ndarray:
        """Axis coordinates (in `unit`, plain array) at pixel coordinates ``pix``.

        Parameters
        ----------
        pix : array-like
            Pixel coordinates (bin k is centred on k).

        Returns
        -------
        coord : `~numpy.ndarray`
            Coordinates, float64.
        """
        pix = np.asarray(pix, dtype=np.float64) - self._pix_offset
        scaled = _interp_extrapolate(pix, self._index, self._scaled)
        return _inverse_scale(scaled, self._interp)

    def coord_to_pix(self, coord: npt.ArrayLike | u.Quantity) -> np.ndarray:
        """Pixel coordinates of axis coordinates.

        The pixel coordinate is a piecewise-linear function of the coordinate in the
        interpolation scale through the nodes (edges at ``-0.5 ... nbin - 0.5`` for edge
        axes, centres at ``0 ... nbin - 1`` for centre-node axes), linearly extrapolated.

        Parameters
        ----------
        coord : array-like or `~astropy.units.Quantity`
            Coordinates (plain numbers are taken to be in `unit`).

        Returns
        -------
        pix : `~numpy.ndarray`
            Pixel coordinates, float64.
        """
        scaled = _scale(self._coord_value(coord), self._interp)
        return _interp_extrapolate(scaled, self._scaled, self._index) + self._pix_offset

    def coord_to_idx(self, coord: npt.ArrayLike | u.Quantity, clip: bool = False) -> np.ndarray:
        """Bin index containing each coordinate (lower edge inclusive, by comparison
        with `edges`).

        Parameters
        ----------
        coord : array-like or `~astropy.units.Quantity`
            Coordinates.
        clip : bool, optional
            Clip out-of-range indices to the first/last bin instead of returning -1.
            Default is False.

        Returns
        -------
        idx : `~numpy.ndarray`
            Integer bin indices.
        """
        values = self._coord_value(coord)
        idx = np.digitize(values, self._edges).astype(np.int64) - 1
        if clip:
            idx = np.clip(idx, 0, self._nbin - 1)
        else:
            idx = np.where((idx < 0) | (idx >= self._nbin), -1, idx)
        return np.where(np.isfinite(values), idx, -1)

    # ---- copies and comparisons ------------------------------------------------------
    def copy(self, **kwargs: Any) -> MapAxis:
        """Copy the axis, overriding any constructor argument.

        Parameters
        ----------
        **kwargs : dict
            ``nodes``, ``interp``, ``name``, ``unit`` or ``node_type`` to replace.

        Returns
        -------
        axis : `MapAxis`
            New axis.
        """
        args = {
            "nodes": self._nodes,
            "interp": self._interp,
            "name": self._name,
            "unit": self._unit,
            "node_type": self._node_type,
        }
        unknown = set(kwargs) - set(args)
        if unknown:
            msg = f"copy() got unknown arguments {sorted(unknown)}"
            raise TypeError(msg)
        args.update(kwargs)
        return type(self)(**args)

    def rename(self, new_name: str) -> MapAxis:
        """Copy of the axis with another name.

        Parameters
        ----------
        new_name : str
            The new name.

        Returns
        -------
        axis : `MapAxis`
            Renamed copy.
        """
        return self.copy(name=new_name)

    def slice(self, idx: slice | int) -> MapAxis:
        """Sub-axis made of the bins selected by ``idx`` (contiguous, step 1).

        Parameters
        ----------
        idx : slice or int
            Bins to keep.

        Returns
        -------
        axis : `MapAxis`
            Sliced axis (same name, unit, interp and node type).
        """
        if isinstance(idx, (int, np.integer)):
            i = int(idx) + self._nbin if idx < 0 else int(idx)
            if not 0 <= i < self._nbin:
                msg = f"idx {idx} out of range for an axis with {self._nbin} bins"
                raise IndexError(msg)
            idx = slice(i, i + 1)
        if not isinstance(idx, slice):
            msg = f"idx must be a slice or an int, got {type(idx).__name__}"
            raise TypeError(msg)
        start, stop, step = idx.indices(self._nbin)
        if step != 1:
            msg = f"idx must have step 1, got {idx}"
            raise ValueError(msg)
        if stop <= start:
            msg = f"idx {idx} selects no bin of an axis with {self._nbin} bins"
            raise ValueError(msg)
        if self._node_type == "edges":
            nodes = self._nodes[start : stop + 1]
        else:
            nodes = self._nodes[start:stop]
        return self.copy(nodes=nodes)

    def squash(self) -> MapAxis:
        """Axis with one bin spanning the whole range.

        Returns
        -------
        axis : `MapAxis`
            One-bin edge axis from the first to the last edge.
        """
        return self.copy(nodes=self._edges[[0, -1]], node_type="edges")

    def is_allclose(self, other: object, **kwargs: Any) -> bool:
        """Whether two axes have the same name, type, scale and (close) edges.

        Parameters
        ----------
        other : `MapAxis`
            Axis to compare with.
        **kwargs : dict
            Passed to `numpy.allclose` (``rtol``, ``atol``).

        Returns
        -------
        allclose : bool
            True if equal within the tolerances.
        """
        if not isinstance(other, MapAxis):
            return False
        if self._edges.shape != other._edges.shape:
            return False
        if not self._unit.is_equivalent(other._unit):
            return False
        other_edges = (other._edges * other._unit).to_value(self._unit)
        return bool(
            np.allclose(self._edges, other_edges, **kwargs)
            and self._node_type == other._node_type
            and self._interp == other._interp
            and self._name.upper() == other._name.upper()
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MapAxis):
            return NotImplemented
        return self.is_allclose(other, rtol=1e-6, atol=1e-6)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        fmt = "\t{:<10s} : {:<10s}\n"
        vals = self.edges if self._node_type == "edges" else self.center
        out = f"{type(self).__name__}\n\n"
        out += fmt.format("name", self._name)
        out += fmt.format("unit", repr(str(self._unit)))
        out += fmt.format("nbins", str(self._nbin))
        out += fmt.format("node type", self._node_type)
        out += fmt.format(f"{self._node_type} min", f"{vals.min():.1e}")
        out += fmt.format(f"{self._node_type} max", f"{vals.max():.1e}")
        out += fmt.format("interp", self._interp)
        return out


def _check_nbin(nbin: Any) -> int:
    if isinstance(nbin, (bool, np.bool_)) or not float(nbin).is_integer() or nbin < 1:
        msg = f"nbin must be a positive integer, got {nbin!r}"
        raise ValueError(msg)
    return int(nbin)


def _energy_quantity(value: Any, unit: Any, argname: str) -> u.Quantity:
    try:
        quantity = u.Quantity(value, unit)
    except (TypeError, ValueError) as err:
        msg = f"{argname} must be an energy quantity, got {value!r}"
        raise ValueError(msg) from err
    if not quantity.unit.is_equivalent(u.TeV):
        msg = f"{argname} must have an energy unit, got {value!r} (unit {quantity.unit!r})"
        raise ValueError(msg)
    return quantity


def _energy_name(name: str | None) -> str:
    name = "energy" if name is None else name
    if name not in ("energy", "energy_true"):
        msg = f"name of an energy axis must be 'energy' or 'energy_true', got {name!r}"
        raise ValueError(msg)
    return name


# --------------------------------------------------------------------------------------
# MapAxes
# --------------------------------------------------------------------------------------
class LabelMapAxis:
    """An axis of named bins, e.g. the "dataset" axis of a profile run (Gammapy's LabelMapAxis).

    Parameters
    ----------
    labels : sequence of str
        Bin labels (unique).
    name : str, optional
        Axis name. Default is "".

    Raises
    ------
    ValueError
        For no label or duplicated labels.
    """

    node_type = "label"
    interp = "lin"

    def __init__(self, labels: Iterable[str], name: str = "") -> None:
        labels = [str(label) for label in labels]
        if not labels:
            msg = "labels must contain at least one label, got []"
            raise ValueError(msg)
        if len(set(labels)) != len(labels):
            msg = f"labels must be unique, got {labels}"
            raise ValueError(msg)
        self._labels = tuple(labels)
        self._name = str(name)

    @property
    def name(self) -> str:
        """Axis name."""
        return self._name

    @property
    def nbin(self) -> int:
        """Number of bins."""
        return len(self._labels)

    @property
    def unit(self) -> u.UnitBase:
        """Unit (dimensionless)."""
        return u.dimensionless_unscaled

    @property
    def labels(self) -> list[str]:
        """Bin labels."""
        return list(self._labels)

    @property
    def center(self) -> np.ndarray:
        """Bin labels as an array of str (Gammapy's ``center``)."""
        return np.array(self._labels)

    def copy(self, **kwargs: Any) -> LabelMapAxis:
        """Copy, optionally replacing ``labels`` or ``name``.

        Parameters
        ----------
        **kwargs : dict
            Constructor arguments to replace.

        Returns
        -------
        axis : `LabelMapAxis`
            New axis.
        """
        args = {"labels": self._labels, "name": self._name, **kwargs}
        return type(self)(**args)

    def slice(self, idx: slice | int) -> LabelMapAxis:
        """Sub-axis of the bins selected by ``idx``.

        Parameters
        ----------
        idx : slice or int
            Bins to keep.

        Returns
        -------
        axis : `LabelMapAxis`
            Sliced axis.
        """
        if isinstance(idx, (int, np.integer)):
            idx = slice(int(idx), int(idx) + 1 if idx != -1 else None)
        return self.copy(labels=self._labels[idx])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelMapAxis):
            return NotImplemented
        return self._name == other._name and self._labels == other._labels

    def __hash__(self) -> int:
        return hash((self._name, self._labels))

    def __repr__(self) -> str:
        return f"LabelMapAxis(labels={list(self._labels)}, name={self._name!r})"


class MapAxes(Sequence):
    """An ordered collection of `MapAxis` with unique names.

    Parameters
    ----------
    axes : iterable of `MapAxis`
        The axes, in the order of the map's non-spatial dimensions (first axis = FITS
        NAXIS3, i.e. the last non-spatial numpy dimension).

    Raises
    ------
    TypeError
        If an element is not a `MapAxis`.
    ValueError
        If two axes share a name.
    """

    def __init__(self, axes: Iterable[MapAxis] = ()) -> None:
        axes = list(axes)
        for i, axis in enumerate(axes):
            if not isinstance(axis, (MapAxis, LabelMapAxis)):
                msg = f"axes[{i}] must be a MapAxis or LabelMapAxis, got {type(axis).__name__}"
                raise TypeError(msg)
        names = [axis.name for axis in axes]
        if len(set(names)) != len(names):
            msg = f"axis names must be unique, got {names}"
            raise ValueError(msg)
        self._axes = tuple(axes)

    @property
    def names(self) -> list[str]:
        """Axis names."""
        return [axis.name for axis in self._axes]

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of bins of each axis."""
        return tuple(axis.nbin for axis in self._axes)

    def index(self, name: str) -> int:  # type: ignore[override]
        """Position of the axis called ``name``.

        Parameters
        ----------
        name : str
            Axis name.

        Returns
        -------
        index : int
            Its position.
        """
        names = self.names
        if name not in names:
            msg = f"no axis named {name!r}; axes are {names}"
            raise KeyError(msg)
        return names.index(name)

    def __getitem__(self, idx: int | str) -> MapAxis:  # type: ignore[override]
        if isinstance(idx, str):
            return self._axes[self.index(idx)]
        return self._axes[idx]

    def __len__(self) -> int:
        return len(self._axes)

    def __iter__(self) -> Iterator[MapAxis]:
        return iter(self._axes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MapAxes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"MapAxes(names={self.names}, shape={self.shape})"


# --------------------------------------------------------------------------------------
# WcsGeom
# --------------------------------------------------------------------------------------
_CELESTIAL_KEYS = (
    "CTYPE", "CRPIX", "CRVAL", "CDELT", "CUNIT", "CROTA",
)  # fmt: skip
_CELESTIAL_GLOBAL_KEYS = ("LONPOLE", "LATPOLE", "RADESYS", "RADECSYS", "EQUINOX", "EPOCH")


def _celestial_header(header: fits.Header) -> fits.Header:
    """The celestial WCS keywords of ``header`` (no time keywords: they trigger fixes)."""
    out = fits.Header()
    out["WCSAXES"] = 2
    for key in header:
        base = key.rstrip("0123456789")
        if base in _CELESTIAL_KEYS and key[len(base) :] in ("1", "2"):
            out[key] = header[key]
        elif key in _CELESTIAL_GLOBAL_KEYS:
            out[key] = header[key]
        elif key[:2] in ("PC", "CD", "PV") and len(key) >= 5 and key[2] in "12" and key[3] == "_":
            if key[4] in "12":
                out[key] = header[key]
    return out


def _make_wcs(header: fits.Header) -> WCS:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        return WCS(_celestial_header(header), naxis=2)


class WcsGeom:
    """Geometry of a WCS sky map: a 2-D celestial grid plus non-spatial axes.

    Parameters
    ----------
    wcs : `~astropy.wcs.WCS`
        Celestial WCS (extra non-celestial axes are dropped).
    npix : tuple of int
        Image size ``(nx, ny)`` (longitude, latitude).
    axes : sequence of `MapAxis`, optional
        Non-spatial axes; the first one is FITS NAXIS3, i.e. the last numpy dimension
        before the image. Default is ().

    Raises
    ------
    TypeError
        If ``wcs`` is not a WCS or an axis is not a `MapAxis`.
    ValueError
        If ``npix`` is not two positive integers or the WCS is not celestial.
    """

    def __init__(
        self, wcs: WCS, npix: Sequence[int], axes: Iterable[MapAxis] | MapAxes = ()
    ) -> None:
        if not isinstance(wcs, WCS):
            msg = f"wcs must be an astropy.wcs.WCS, got {type(wcs).__name__}"
            raise TypeError(msg)
        if not wcs.has_celestial:
            msg = f"wcs must be celestial, got CTYPE {list(wcs.wcs.ctype)}"
            raise ValueError(msg)
        if wcs.naxis != 2:
            wcs = wcs.celestial
        npix_arr = np.asarray(npix).ravel()
        if npix_arr.size != 2 or not all(float(n).is_integer() and n > 0 for n in npix_arr):
            msg = f"npix must be two positive integers (nx, ny), got {npix!r}"
            raise ValueError(msg)
        self._wcs = wcs
        self._npix = (int(npix_arr[0]), int(npix_arr[1]))
        self._axes = axes if isinstance(axes, MapAxes) else MapAxes(axes)

    # ---- constructors ----------------------------------------------------------------
    @classmethod
    def create(
        cls,
        skydir: SkyCoord | tuple[float, float] | None = None,
        binsz: float | u.Quantity | tuple = 0.5,
        width: float | u.Quantity | tuple | None = None,
        frame: str = "icrs",
        proj: str = "CAR",
        axes: Iterable[MapAxis] = (),
        npix: int | tuple[int, int] | None = None,
        refpix: tuple[float, float] | None = None,
    ) -> WcsGeom:
        """Make a geometry centred on ``skydir`` (gammapy pixel conventions).

        The reference pixel is the image centre (FITS ``CRPIX = (n + 1) / 2``),
        ``CDELT1 = -binsz`` (longitude increasing to the left) and ``CDELT2 = binsz``.

        Parameters
        ----------
        skydir : `~astropy.coordinates.SkyCoord` or tuple, optional
            Image centre; a tuple is (lon, lat) in deg in ``frame``. Default is None (0, 0).
        binsz : float, `~astropy.units.Quantity` or tuple, optional
            Pixel size in deg, or (lon, lat) sizes. Default is 0.5.
        width : float, `~astropy.units.Quantity` or tuple, optional
            Image width in deg, or (lon, lat) widths; npix = rint(width / binsz).
            Default is None (use ``npix``; all-sky when both are None).
        frame : {"icrs", "galactic"}, optional
            Celestial frame. Default is "icrs".
        proj : str, optional
            WCS projection code. Default is "CAR".
        axes : sequence of `MapAxis`, optional
            Non-spatial axes. Default is ().
        npix : int or tuple, optional
            Image size (nx, ny), used when ``width`` is None. Default is None.
        refpix : tuple, optional
            FITS (1-based) reference pixel. Default is None (image centre).

        Returns
        -------
        geom : `WcsGeom`
            The geometry.
        """
        if skydir is None:
            crval = (0.0, 0.0)
        elif isinstance(skydir, SkyCoord):
            coord = skydir.transform_to(frame)
            sph = coord.spherical
            crval = (float(sph.lon.deg), float(sph.lat.deg))
        elif isinstance(skydir, (tuple, list)) and len(skydir) == 2:
            crval = (float(u.Quantity(skydir[0], u.deg).value),
                     float(u.Quantity(skydir[1], u.deg).value))  # fmt: skip
        else:
            msg = f"skydir must be a SkyCoord or a (lon, lat) tuple, got {skydir!r}"
            raise TypeError(msg)
        bx, by = _pair_deg(binsz, "binsz")
        if bx <= 0 or by <= 0:
            msg = f"binsz must be positive, got {binsz!r}"
            raise ValueError(msg)
        if width is not None:
            wx, wy = _pair_deg(width, "width")
            nx, ny = int(np.rint(wx / bx)), int(np.rint(wy / by))
        elif npix is not None:
            nx, ny = (npix, npix) if np.isscalar(npix) else tuple(npix)
        else:
            nx, ny = int(np.rint(360.0 / bx)), int(np.rint(180.0 / by))
        if nx < 1 or ny < 1:
            msg = f"the geometry has no pixel: npix = ({nx}, {ny}) (width {width!r}, binsz {binsz!r})"
            raise ValueError(msg)
        try:
            frame_obj = SkyCoord(0.0, 0.0, unit="deg", frame=frame).frame
        except (ValueError, TypeError) as err:
            msg = f"frame must be a celestial frame name such as 'icrs' or 'galactic', got {frame!r}"
            raise ValueError(msg) from err
        wcs = celestial_frame_to_wcs(frame_obj, projection=proj)
        wcs.wcs.crpix = refpix if refpix is not None else ((nx + 1) / 2.0, (ny + 1) / 2.0)
        wcs.wcs.crval = crval
        wcs.wcs.cdelt = (-bx, by)
        wcs.array_shape = (ny, nx)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FITSFixedWarning)
            wcs.wcs.datfix()
        return cls(wcs, (nx, ny), axes=axes)

    @classmethod
    def from_header(
        cls, header: fits.Header, npix: Sequence[int] | None = None, axes: Iterable[MapAxis] = ()
    ) -> WcsGeom:
        """Geometry from a FITS image header.

        Parameters
        ----------
        header : `~astropy.io.fits.Header`
            Header with a celestial WCS in axes 1 and 2.
        npix : tuple of int, optional
            Image size (nx, ny). Default is None (NAXIS1, NAXIS2 of the header).
        axes : sequence of `MapAxis`, optional
            Non-spatial axes. Default is ().

        Returns
        -------
        geom : `WcsGeom`
            The geometry.
        """
        if npix is None:
            try:
                npix = (int(header["NAXIS1"]), int(header["NAXIS2"]))
            except KeyError as err:
                msg = "header has no NAXIS1/NAXIS2 and npix was not given"
                raise ValueError(msg) from err
        return cls(_make_wcs(header), npix, axes=axes)

    # ---- properties ------------------------------------------------------------------
    @property
    def wcs(self) -> WCS:
        """The celestial `~astropy.wcs.WCS`."""
        return self._wcs

    @property
    def npix(self) -> tuple[int, int]:
        """Image size (nx, ny)."""
        return self._npix

    @property
    def axes(self) -> MapAxes:
        """Non-spatial axes."""
        return self._axes

    @property
    def data_shape(self) -> tuple[int, ...]:
        """Numpy shape of a map's data: reversed non-spatial axes, then (ny, nx)."""
        return (*reversed(self._axes.shape), self._npix[1], self._npix[0])

    @property
    def is_image(self) -> bool:
        """Whether the geometry has no non-spatial axis."""
        return len(self._axes) == 0

    @property
    def frame(self) -> str:
        """Name of the celestial frame ("galactic", "icrs", "fk5", ...)."""
        return wcs_to_celestial_frame(self._wcs).name

    @property
    def projection(self) -> str:
        """WCS projection code (e.g. "CAR")."""
        return self._wcs.wcs.ctype[0][5:].strip("-") or "CAR"

    @property
    def pixel_scales(self) -> u.Quantity:
        """Absolute pixel sizes (|CDELT1|, |CDELT2|) at the reference pixel, in deg."""
        scales = np.abs(self._wcs.wcs.get_cdelt()) * np.abs(np.diag(self._wcs.wcs.get_pc()))
        return u.Quantity(scales, u.deg)

    @property
    def center_pix(self) -> tuple[float, float]:
        """0-based pixel coordinates (x, y) of the image centre."""
        return ((self._npix[0] - 1) / 2.0, (self._npix[1] - 1) / 2.0)

    @property
    def center_skydir(self) -> SkyCoord:
        """Sky position of the image centre."""
        x, y = self.center_pix
        return self.pix_to_skycoord(x, y)

    @property
    def width(self) -> u.Quantity:
        """Image width (lon, lat) = npix * pixel size, in deg."""
        return u.Quantity(np.asarray(self._npix) * self.pixel_scales.value, u.deg)

    # ---- derived geometries ----------------------------------------------------------
    def to_image(self) -> WcsGeom:
        """The same sky grid without non-spatial axes.

        Returns
        -------
        geom : `WcsGeom`
            Image geometry.
        """
        return type(self)(self._wcs, self._npix)

    def to_cube(self, axes: Iterable[MapAxis]) -> WcsGeom:
        """The same sky grid with the given non-spatial axes (appended to existing ones).

        Parameters
        ----------
        axes : sequence of `MapAxis`
            Axes to add.

        Returns
        -------
        geom : `WcsGeom`
            Cube geometry.
        """
        return type(self)(self._wcs, self._npix, axes=[*self._axes, *axes])

    def copy(self, **kwargs: Any) -> WcsGeom:
        """Copy, overriding ``wcs``, ``npix`` or ``axes``.

        Parameters
        ----------
        **kwargs : dict
            Constructor arguments to replace.

        Returns
        -------
        geom : `WcsGeom`
            New geometry.
        """
        args = {"wcs": self._wcs.deepcopy(), "npix": self._npix, "axes": self._axes}
        unknown = set(kwargs) - set(args)
        if unknown:
            msg = f"copy() got unknown arguments {sorted(unknown)}"
            raise TypeError(msg)
        args.update(kwargs)
        return type(self)(**args)

    # ---- coordinates -----------------------------------------------------------------
    def pix_to_skycoord(self, x: npt.ArrayLike, y: npt.ArrayLike) -> SkyCoord:
        """Sky coordinates of 0-based pixel coordinates.

        Parameters
        ----------
        x, y : array-like
            0-based pixel coordinates (pixel centres are integers).

        Returns
        -------
        coord : `~astropy.coordinates.SkyCoord`
            Positions in the geometry's frame.
        """
        lon, lat = self._wcs.wcs_pix2world(np.asarray(x, float), np.asarray(y, float), 0)
        return SkyCoord(lon, lat, unit="deg", frame=wcs_to_celestial_frame(self._wcs))

    def skycoord_to_pix(self, coord: SkyCoord) -> tuple[np.ndarray, np.ndarray]:
        """0-based pixel coordinates of sky positions.

        Parameters
        ----------
        coord : `~astropy.coordinates.SkyCoord`
            Positions (any frame).

        Returns
        -------
        x, y : `~numpy.ndarray`
            Pixel coordinates (NaN where the projection is undefined).
        """
        if not isinstance(coord, SkyCoord):
            msg = f"coord must be a SkyCoord, got {type(coord).__name__}"
            raise TypeError(msg)
        sph = coord.transform_to(wcs_to_celestial_frame(self._wcs)).spherical
        x, y = self._wcs.wcs_world2pix(
            np.atleast_1d(sph.lon.deg), np.atleast_1d(sph.lat.deg), 0
        )
        return x.reshape(coord.shape), y.reshape(coord.shape)

    def get_skycoord(self) -> SkyCoord:
        """Sky positions of all pixel centres, shape (ny, nx).

        Returns
        -------
        coord : `~astropy.coordinates.SkyCoord`
            Pixel centres.
        """
        y, x = np.indices((self._npix[1], self._npix[0]), dtype=float)
        return self.pix_to_skycoord(x, y)

    def solid_angle(self, rows_per_chunk: int = 128) -> u.Quantity:
        """Solid angle of every pixel, shape (ny, nx).

        Computed exactly on the sphere: each pixel is the spherical quadrilateral of its
        four corners (great-circle sides), split in two spherical triangles. The corners
        go through the raw ``wcs_pix2world`` transform, ``rows_per_chunk`` image rows at
        a time, so that the temporaries stay bounded on survey-size maps (a few MB per
        chunk instead of ~100 bytes per pixel).

        Parameters
        ----------
        rows_per_chunk : int, optional
            Number of image rows per chunk. Default is 128. The result does not depend
            on it.

        Returns
        -------
        omega : `~astropy.units.Quantity`
            Pixel solid angles in sr (float64, C-contiguous). Pixels with a corner
            outside the projection (e.g. beyond the edge of an all-sky map) are NaN.

        Raises
        ------
        ValueError
            If ``rows_per_chunk`` is not a positive integer.
        """
        if (
            isinstance(rows_per_chunk, bool)
            or not isinstance(rows_per_chunk, (int, np.integer))
            or rows_per_chunk < 1
        ):
            msg = f"rows_per_chunk must be a positive integer, got {rows_per_chunk!r}"
            raise ValueError(msg)
        nx, ny = self._npix
        out = np.empty((ny, nx), dtype=np.float64)
        x_corner = np.arange(nx + 1, dtype=np.float64) - 0.5
        for y0 in range(0, ny, int(rows_per_chunk)):
            y1 = min(ny, y0 + int(rows_per_chunk))
            xc, yc = np.meshgrid(x_corner, np.arange(y0, y1 + 1, dtype=np.float64) - 0.5)
            lon, lat = np.deg2rad(self._wcs.wcs_pix2world(xc, yc, 0))
            cos_lat = np.cos(lat)
            vec = np.stack(
                [cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1
            )
            a, b = vec[:-1, :-1], vec[:-1, 1:]
            c, d = vec[1:, 1:], vec[1:, :-1]
            out[y0:y1] = _triangle_area(a, b, c) + _triangle_area(a, c, d)
        return u.Quantity(out, u.sr, copy=False)

    # ---- comparisons -----------------------------------------------------------------
    def is_allclose(self, other: object, rtol: float = 1e-6, atol: float = 1e-6) -> bool:
        """Whether two geometries have the same grid (WCS, size) and close axes.

        Parameters
        ----------
        other : `WcsGeom`
            Geometry to compare with.
        rtol, atol : float, optional
            Tolerances for the WCS parameters and axis edges. Default is 1e-6.

        Returns
        -------
        allclose : bool
            True if equivalent.
        """
        if not isinstance(other, WcsGeom) or self._npix != other._npix:
            return False
        if len(self._axes) != len(other._axes):
            return False
        w1, w2 = self._wcs.wcs, other._wcs.wcs
        if list(w1.ctype) != list(w2.ctype):
            return False
        for p1, p2 in ((w1.crpix, w2.crpix), (w1.crval, w2.crval),
                       (w1.get_cdelt(), w2.get_cdelt()), (w1.get_pc(), w2.get_pc())):  # fmt: skip
            if not np.allclose(p1, p2, rtol=rtol, atol=atol):
                return False
        return all(
            a.is_allclose(b, rtol=rtol, atol=atol)
            for a, b in zip(self._axes, other._axes)
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WcsGeom):
            return NotImplemented
        return self.is_allclose(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        center = self.center_skydir.spherical
        width = self.width.value
        out = f"{type(self).__name__}\n\n"
        out += f"\taxes       : {['lon', 'lat', *self._axes.names]}\n"
        out += f"\tshape      : {(*self._npix, *self._axes.shape)}\n"
        out += f"\tndim       : {2 + len(self._axes)}\n"
        out += f"\tframe      : {self.frame}\n"
        out += f"\tprojection : {self.projection}\n"
        out += f"\tcenter     : {center.lon.deg:.1f} deg, {center.lat.deg:.1f} deg\n"
        out += f"\twidth      : {width[0]:.1f} deg x {width[1]:.1f} deg\n"
        return out


def _triangle_area(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Solid angle of spherical triangles with unit-vector corners (Van Oosterom-Strackee)."""
    triple = np.einsum("...i,...i->...", a, np.cross(b, c))
    denom = 1.0 + np.einsum("...i,...i->...", a, b) + np.einsum("...i,...i->...", b, c)
    denom = denom + np.einsum("...i,...i->...", c, a)
    return 2.0 * np.arctan2(np.abs(triple), denom)


def _pair_deg(value: Any, argname: str) -> tuple[float, float]:
    """(lon, lat) pair in deg from a scalar, a Quantity/str, or a 2-tuple of them."""
    try:
        if isinstance(value, (tuple, list)) or (
            isinstance(value, (np.ndarray, u.Quantity)) and np.ndim(value) == 1
        ):
            if len(value) != 2:
                raise ValueError
            return (float(u.Quantity(value[0], u.deg).value),
                    float(u.Quantity(value[1], u.deg).value))  # fmt: skip
        v = float(u.Quantity(value, u.deg).value)
    except (TypeError, ValueError, u.UnitsError) as err:
        msg = f"{argname} must be an angle or a pair of angles (deg), got {value!r}"
        raise ValueError(msg) from err
    return v, v


# --------------------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------------------
class Map:
    """Data on a `WcsGeom`: a numpy array of shape ``geom.data_shape`` with a unit.

    The array is used in place (never copied); integer, float32 and bool data stay as
    they are.

    Parameters
    ----------
    geom : `WcsGeom`
        Geometry.
    data : `~numpy.ndarray`
        Data, shape ``geom.data_shape``.
    unit : str or `~astropy.units.Unit`, optional
        Data unit. Default is "" (dimensionless).

    Raises
    ------
    TypeError
        If ``geom`` is not a `WcsGeom`.
    ValueError
        If the data shape does not match the geometry.
    """

    def __init__(self, geom: WcsGeom, data: npt.ArrayLike, unit: str | u.UnitBase = "") -> None:
        if not isinstance(geom, WcsGeom):
            msg = f"geom must be a WcsGeom, got {type(geom).__name__}"
            raise TypeError(msg)
        self._geom = geom
        self._unit = _as_unit(unit)
        self.data = data  # validated by the setter

    @classmethod
    def from_geom(
        cls,
        geom: WcsGeom,
        data: npt.ArrayLike | None = None,
        unit: str | u.UnitBase = "",
        dtype: npt.DTypeLike = float,
    ) -> Map:
        """Map on ``geom`` filled with zeros (or with ``data``).

        Parameters
        ----------
        geom : `WcsGeom`
            Geometry.
        data : `~numpy.ndarray`, optional
            Data of shape ``geom.data_shape``. Default is None (zeros of ``dtype``).
        unit : str or `~astropy.units.Unit`, optional
            Unit. Default is "".
        dtype : data-type, optional
            dtype of the zeros. Default is float.

        Returns
        -------
        map : `Map`
            The map.
        """
        if not isinstance(geom, WcsGeom):
            msg = f"geom must be a WcsGeom, got {type(geom).__name__}"
            raise TypeError(msg)
        if data is None:
            data = np.zeros(geom.data_shape, dtype=dtype)
        return cls(geom, data, unit=unit)

    # ---- properties ------------------------------------------------------------------
    @property
    def geom(self) -> WcsGeom:
        """Geometry."""
        return self._geom

    @property
    def data(self) -> np.ndarray:
        """Data array (shared, not a copy)."""
        return self._data

    @data.setter
    def data(self, value: npt.ArrayLike) -> None:
        if isinstance(value, u.Quantity):
            msg = "data must be a plain array; pass the unit separately (unit=...)"
            raise TypeError(msg)
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        if array.shape != self._geom.data_shape:
            msg = f"data shape {array.shape} does not match the geometry's data_shape {self._geom.data_shape}"
            raise ValueError(msg)
        self._data = array

    @property
    def unit(self) -> u.UnitBase:
        """Data unit."""
        return self._unit

    @property
    def quantity(self) -> u.Quantity:
        """Data as a `~astropy.units.Quantity` (a view for float data)."""
        return u.Quantity(self._data, self._unit, copy=False)

    # ---- operations ------------------------------------------------------------------
    def sum_over_axes(self, keepdims: bool = False) -> Map:
        """Sum over all non-spatial axes (NaNs ignored).

        Parameters
        ----------
        keepdims : bool, optional
            Keep each axis as a single squashed bin. Default is False (a 2-D image).

        Returns
        -------
        map : `Map`
            Summed map.
        """
        n_axes = len(self._geom.axes)
        axis = tuple(range(n_axes))
        if np.issubdtype(self._data.dtype, np.floating):
            data = np.nansum(self._data, axis=axis, keepdims=keepdims)
        else:
            data = np.sum(self._data, axis=axis, keepdims=keepdims)
        if keepdims:
            geom = self._geom.copy(axes=[ax.squash() for ax in self._geom.axes])
        else:
            geom = self._geom.to_image()
        return type(self)(geom, data, unit=self._unit)

    def smooth(self, width: Any, kernel: str = "gauss") -> Map:
        """Smooth every image plane (Gammapy's ``WcsNDMap.smooth``).

        The kernel is applied by correlation with reflected borders (``d c b a | a b c d``,
        scipy.ndimage's "reflect" mode). "gauss" is scipy's ``gaussian_filter`` with
        ``truncate=4``; "disk" is a normalised top-hat of radius ``width`` sampled at
        pixel centres (astropy's ``Tophat2DKernel``).

        Parameters
        ----------
        width : `~astropy.units.Quantity`, str or float
            Gaussian standard deviation or disk radius: an angle (converted with the mean
            pixel size) or a number of pixels.
        kernel : {"gauss", "disk"}, optional
            Kernel shape. Default is "gauss".

        Returns
        -------
        map : `Map`
            Smoothed float64 copy (same geometry and unit).

        Raises
        ------
        ValueError
            For an unknown kernel or a width that is not a positive angle or number.
        """
        if isinstance(width, (u.Quantity, str)):
            try:
                width = (u.Quantity(width) / self._geom.pixel_scales.mean()).to_value("")
            except (TypeError, ValueError, u.UnitsError) as err:
                msg = f"width must be an angle or a number of pixels, got {width!r}"
                raise ValueError(msg) from err
        try:
            width = float(width)
        except (TypeError, ValueError) as err:
            msg = f"width must be an angle or a number of pixels, got {width!r}"
            raise ValueError(msg) from err
        if not np.isfinite(width) or width <= 0:
            msg = f"width must be positive, got {width!r} pixels"
            raise ValueError(msg)
        data = np.asarray(self._data, dtype=np.float64)
        if kernel == "gauss":
            radius = int(4.0 * width + 0.5)
            offsets = np.arange(-radius, radius + 1, dtype=np.float64)
            weights = np.exp(-0.5 / width**2 * offsets**2)
            weights /= weights.sum()
            out = _correlate1d_reflect(data, weights, axis=-1)
            out = _correlate1d_reflect(out, weights, axis=-2)
        elif kernel == "disk":
            half = int(np.ceil(2 * width)) // 2  # odd size round_up_to_odd(2 * width)
            yy, xx = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
            disk = (np.hypot(xx, yy) <= width).astype(np.float64)
            disk /= disk.sum()
            out = _correlate2d_reflect(data, disk)
        else:
            msg = f"kernel must be 'gauss' or 'disk', got {kernel!r}"
            raise ValueError(msg)
        return type(self)(self._geom, out, unit=self._unit)

    def cutout(self, position: SkyCoord, width: Any, mode: str = "trim") -> Map:
        """Cut out the pixels around a sky position (Gammapy's ``WcsNDMap.cutout``).

        Parameters
        ----------
        position : `~astropy.coordinates.SkyCoord`
            Centre of the cutout.
        width : `~astropy.units.Quantity`, str or pair of them
            Angular size (lon, lat); one value gives a square. Converted to a number of
            pixels with the pixel sizes (at least 1).
        mode : {"trim", "partial", "strict"}, optional
            Behaviour at the map border, as `~astropy.nddata.Cutout2D`; pixels outside
            the map are 0 in "partial" mode. Default is "trim".

        Returns
        -------
        map : `Map`
            Cutout (copy of the data; non-spatial axes kept).

        Raises
        ------
        TypeError
            If ``position`` is not a `~astropy.coordinates.SkyCoord`.
        ValueError
            For an invalid width, or a position outside the map.
        """
        from astropy.nddata import Cutout2D
        from astropy.nddata.utils import NoOverlapError, PartialOverlapError

        if not isinstance(position, SkyCoord):
            msg = f"position must be a SkyCoord, got {type(position).__name__}"
            raise TypeError(msg)
        width_deg = np.array(_pair_deg(width, "width"))
        if np.any(width_deg <= 0):
            msg = f"width must be positive, got {width!r}"
            raise ValueError(msg)
        npix = np.clip(width_deg / self._geom.pixel_scales.value, 1, None)
        image_shape = (self._geom.npix[1], self._geom.npix[0])
        try:
            c2d = Cutout2D(
                np.empty(image_shape, dtype=bool),
                position=position,
                size=tuple(npix[::-1]),
                wcs=self._geom.wcs,
                mode=mode,
            )
        except (NoOverlapError, PartialOverlapError) as err:
            msg = f"cutout at {position} with width {width!r} does not fit the map ({err})"
            raise ValueError(msg) from err
        geom = WcsGeom(c2d.wcs, (c2d.shape[1], c2d.shape[0]), axes=list(self._geom.axes))
        data = np.zeros(geom.data_shape, dtype=self._data.dtype)
        data[(Ellipsis, *c2d.slices_cutout)] = self._data[(Ellipsis, *c2d.slices_original)]
        return type(self)(geom, data, unit=self._unit)

    def plot(
        self,
        ax: Any = None,
        stretch: str = "linear",
        add_cbar: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Show the image on a `~astropy.visualization.wcsaxes.WCSAxes` (Gammapy's ``plot``).

        Parameters
        ----------
        ax : `~astropy.visualization.wcsaxes.WCSAxes`, optional
            Axes. Default is None (a new WCSAxes on the current figure).
        stretch : str, optional
            Colour stretch of `~astropy.visualization.simple_norm` ("linear", "sqrt",
            "log", ...). Default is "linear".
        add_cbar : bool, optional
            Add a colour bar labelled with the unit. Default is False.
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.imshow` (defaults interpolation "nearest",
            origin "lower", cmap "afmhot"; ``vmin``/``vmax`` set the stretch limits).

        Returns
        -------
        ax : `~astropy.visualization.wcsaxes.WCSAxes`
            The axes.

        Raises
        ------
        TypeError
            If a non-spatial axis has more than one bin (sum or slice it first).
        """
        from ..plotting._plotting import plot_image

        if any(axis.nbin > 1 for axis in self._geom.axes):
            msg = (
                f"plot() needs an image: axes {self._geom.axes.names} have shape "
                f"{self._geom.axes.shape}; use sum_over_axes() first"
            )
            raise TypeError(msg)
        image = self._data.reshape(self._data.shape[-2:])
        return plot_image(
            image, self._geom.wcs, ax=ax, stretch=stretch, add_cbar=add_cbar,
            unit=self._unit, **kwargs,
        )  # fmt: skip

    def copy(self, **kwargs: Any) -> Map:
        """Deep copy, optionally replacing ``geom``, ``data`` or ``unit``.

        Parameters
        ----------
        **kwargs : dict
            Constructor arguments to replace (a given ``data`` is used as is).

        Returns
        -------
        map : `Map`
            New map.
        """
        args = {"geom": self._geom, "data": None, "unit": self._unit}
        unknown = set(kwargs) - set(args)
        if unknown:
            msg = f"copy() got unknown arguments {sorted(unknown)}"
            raise TypeError(msg)
        args.update(kwargs)
        if args["data"] is None:
            args["data"] = self._data.copy()
        return type(self)(**args)

    def __array__(self, dtype: npt.DTypeLike = None, copy: bool | None = None) -> np.ndarray:
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self._data.copy() if copy else self._data
        return self._data.astype(dtype)

    def __repr__(self) -> str:
        geom = self._geom
        out = f"{type(self).__name__}\n\n"
        out += f"\tgeom  : {type(geom).__name__} \n "
        out += f"\taxes  : {['lon', 'lat', *geom.axes.names]}\n"
        out += f"\tshape : {(*geom.npix, *geom.axes.shape)}\n"
        out += f"\tndim  : {2 + len(geom.axes)}\n"
        out += f"\tunit  : {self._unit}\n"
        out += f"\tdtype : {self._data.dtype}\n"
        return out

    # ---- FITS ------------------------------------------------------------------------
    @classmethod
    def from_hdulist(
        cls,
        hdulist: fits.HDUList,
        hdu: str,
        hdu_bands: str | None = None,
        filename: str = "",
    ) -> Map:
        """Read a WCS image map (gammapy "gadf" layout) from an open HDU list.

        The image data is used as stored (big-endian FITS arrays are byte-swapped in
        place to native order; the dtype is kept).

        Parameters
        ----------
        hdulist : `~astropy.io.fits.HDUList`
            Open FITS file.
        hdu : str
            Name of the image HDU.
        hdu_bands : str, optional
            Name of the BANDS table. Default is None (header BANDSHDU, else
            ``<hdu>_BANDS``).
        filename : str, optional
            File name used in error messages. Default is "".

        Returns
        -------
        map : `Map`
            The map.

        Raises
        ------
        ValueError
            If the HDU is missing, not a WCS image, has an invalid (or non-celestial)
            WCS, or its shape does not match its axes.
        """
        where = f"{filename}: " if filename else ""
        if hdu not in hdulist:
            msg = f"{where}no {hdu} HDU"
            raise ValueError(msg)
        image = hdulist[hdu]
        header = image.header
        if "CTYPE1" not in header or image.data is None:
            msg = f"{where}{hdu} HDU is not a WCS image map"
            raise ValueError(msg)
        axes = MapAxes()
        if "AXCOLS1" in header:
            bands = hdu_bands or str(header.get("BANDSHDU", f"{hdu}_BANDS")).strip()
            if bands not in hdulist:
                msg = f"{where}{hdu} needs the BANDS table {bands}, which is missing"
                raise ValueError(msg)
            axes = axes_from_bands_hdu(hdulist[bands], filename=filename)
        data = _native(image.data)
        if data.ndim < 2:
            msg = f"{where}{hdu} HDU is not a WCS image map (data shape {data.shape})"
            raise ValueError(msg)
        try:
            wcs = _make_wcs(header)
            geom = WcsGeom(wcs, (data.shape[-1], data.shape[-2]), axes=axes)
        except ValueError as err:  # includes astropy.wcs.WcsError and non-celestial axes
            reason = " ".join(str(err).split())
            msg = f"{where}{hdu} has an invalid WCS ({reason})"
            raise ValueError(msg) from err
        if data.shape != geom.data_shape:
            msg = (
                f"{where}{hdu} data shape {data.shape} does not match its axes "
                f"{geom.axes.names} (expected {geom.data_shape})"
            )
            raise ValueError(msg)
        unit = str(header.get("BUNIT", "")).strip()
        try:
            unit_obj = u.Unit(unit)
        except ValueError as err:
            msg = f"{where}{hdu} has an invalid BUNIT {unit!r}"
            raise ValueError(msg) from err
        return cls(geom, data, unit=unit_obj)

    def to_hdulist(self, hdu: str = "SKYMAP", hdu_bands: str | None = None) -> list[Any]:
        """HDUs storing the map: the image and (if the map has axes) its BANDS table.

        Parameters
        ----------
        hdu : str, optional
            Image HDU name. Default is "SKYMAP".
        hdu_bands : str, optional
            BANDS table name. Default is None (``<hdu>_BANDS``).

        Returns
        -------
        hdus : list
            `~astropy.io.fits.ImageHDU` followed by the BANDS `~astropy.io.fits.BinTableHDU`.
        """
        hdu = hdu.upper()
        hdu_bands = (hdu_bands or f"{hdu}_BANDS").upper()
        geom = self._geom
        header = geom.wcs.to_header()
        header.update(axes_to_header(geom.axes))
        header["WCSSHAPE"] = "(" + ",".join(str(n) for n in (*geom.npix, *geom.axes.shape)) + ")"
        if len(geom.axes):
            header["BANDSHDU"] = hdu_bands
        header["META"] = json.dumps({})
        header["BUNIT"] = self._unit.to_string("fits") if self._unit != u.dimensionless_unscaled else ""
        data = self._data.astype(np.uint8) if self._data.dtype == bool else self._data
        out: list[Any] = [fits.ImageHDU(data=data, header=header, name=hdu)]
        if len(geom.axes):
            out.append(axes_to_bands_hdu(geom.axes, hdu_bands))
        return out


WcsNDMap = Map


def _reflect_pad(data: np.ndarray, pad: int, axis: int) -> np.ndarray:
    """Pad one axis by ``pad`` with half-sample symmetric reflection (repeated if needed)."""
    n = data.shape[axis]
    period = np.concatenate([np.arange(n), np.arange(n)[::-1]])
    index = np.arange(-pad, n + pad) % (2 * n)
    return np.take(data, period[index], axis=axis)


def _correlate1d_reflect(data: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """Correlate along one axis with an odd kernel, borders reflected (scipy "reflect")."""
    radius = weights.size // 2
    padded = _reflect_pad(data, radius, axis)
    n = data.shape[axis]
    out = np.zeros(data.shape, dtype=np.float64)
    for k, weight in enumerate(weights):
        out += weight * np.take(padded, np.arange(k, k + n), axis=axis)
    return out


def _correlate2d_reflect(data: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate the last two axes with an odd 2-D kernel, borders reflected."""
    half = kernel.shape[0] // 2
    padded = _reflect_pad(_reflect_pad(data, half, -1), half, -2)
    ny, nx = data.shape[-2:]
    out = np.zeros(data.shape, dtype=np.float64)
    for iy, ix in zip(*np.nonzero(kernel)):
        out += kernel[iy, ix] * padded[..., iy : iy + ny, ix : ix + nx]
    return out


# --------------------------------------------------------------------------------------
# FITS helpers shared with datasets.py
# --------------------------------------------------------------------------------------
def _native(array: np.ndarray) -> np.ndarray:
    """``array`` in native byte order: swapped in place when possible (no copy)."""
    if array.dtype.isnative:
        return array
    if array.flags.writeable:
        array.byteswap(inplace=True)
        return array.view(array.dtype.newbyteorder("="))
    return array.astype(array.dtype.newbyteorder("="))


def _column_unit(hdu: fits.BinTableHDU, column: str, where: str) -> u.UnitBase:
    unit = hdu.columns[column].unit or ""
    try:
        return u.Unit(unit)
    except ValueError as err:
        msg = f"{where}column {column} of {hdu.name} has an invalid unit {unit!r}"
        raise ValueError(msg) from err


def axes_from_bands_hdu(hdu: fits.BinTableHDU, filename: str = "") -> MapAxes:
    """Axes described by a gammapy "gadf" BANDS table (AXCOLS1, AXCOLS2, ... keywords).

    Two column names (``X_MIN,X_MAX``) give an edge axis, one name a centre-node axis;
    the axis name is "energy" for ``E_MIN``, otherwise the first column lower-cased
    without "_min" ("theta" becomes "rad").

    Parameters
    ----------
    hdu : `~astropy.io.fits.BinTableHDU`
        The BANDS table.
    filename : str, optional
        File name used in error messages. Default is "".

    Returns
    -------
    axes : `MapAxes`
        The axes, first axis first.

    Raises
    ------
    ValueError
        If a column named by AXCOLSn is missing or has an invalid unit.
    """
    where = f"{filename}: " if filename else ""
    header, names_in_table = hdu.header, hdu.columns.names
    axes = []
    idx = 1
    while f"AXCOLS{idx}" in header:
        columns = [c.strip() for c in str(header[f"AXCOLS{idx}"]).split(",")]
        interp = str(header.get(f"INTERP{idx}", "lin")).strip()
        for column in columns:
            if column not in names_in_table:
                msg = f"{where}column {column!r} (AXCOLS{idx}) missing in {hdu.name}"
                raise ValueError(msg)
        unit = _column_unit(hdu, columns[0], where)
        if columns[0] == "E_MIN":
            name = "energy"
        else:
            name = columns[0].replace("_MIN", "").lower()
            name = "rad" if name == "theta" else name
        first = np.unique(np.asarray(hdu.data[columns[0]], dtype=np.float64))
        if len(columns) == 2:
            last = np.unique(np.asarray(hdu.data[columns[1]], dtype=np.float64))
            edges = np.append(first, last[-1])
            axis = MapAxis(edges, interp=interp, name=name, unit=unit, node_type="edges")
        else:
            axis = MapAxis(first, interp=interp, name=name, unit=unit, node_type="center")
        axes.append(axis)
        idx += 1
    return MapAxes(axes)


def axes_to_header(axes: MapAxes) -> fits.Header:
    """AXCOLSn / INTERPn keywords describing ``axes``.

    Parameters
    ----------
    axes : `MapAxes`
        The axes.

    Returns
    -------
    header : `~astropy.io.fits.Header`
        The keywords.
    """
    header = fits.Header()
    for idx, axis in enumerate(axes, start=1):
        name = axis.name.upper()
        if axis.name == "energy":
            header[f"AXCOLS{idx}"] = "E_MIN,E_MAX" if axis.node_type == "edges" else "ENERGY"
        else:
            header[f"AXCOLS{idx}"] = f"{name}_MIN,{name}_MAX" if axis.node_type == "edges" else name
        header[f"INTERP{idx}"] = axis.interp
    return header


def axes_to_bands_hdu(axes: MapAxes, name: str) -> fits.BinTableHDU:
    """BANDS table of ``axes``: one row per bin combination, first axis fastest.

    Parameters
    ----------
    axes : `MapAxes`
        The axes.
    name : str
        EXTNAME of the table.

    Returns
    -------
    hdu : `~astropy.io.fits.BinTableHDU`
        Columns CHANNEL, then per axis centre/min/max (ENERGY, E_MIN, E_MAX for "energy").
    """
    shape = axes.shape
    n_rows = int(np.prod(shape)) if shape else 0
    index = np.indices(tuple(reversed(shape))).reshape(len(shape), -1)
    columns = [fits.Column(name="CHANNEL", format="K", array=np.arange(n_rows))]
    for k, axis in enumerate(axes):
        i = index[len(shape) - 1 - k]
        upper = axis.name.upper()
        names = ["ENERGY", "E_MIN", "E_MAX"] if upper == "ENERGY" else [upper, f"{upper}_MIN", f"{upper}_MAX"]
        unit = axis.unit.to_string("fits") if axis.unit != u.dimensionless_unscaled else None
        for colname, values in zip(names, (axis.center, axis.edges_min, axis.edges_max)):
            columns.append(fits.Column(name=colname, format="D", unit=unit, array=values.value[i]))
    hdu = fits.BinTableHDU.from_columns(columns, name=name)
    hdu.header.update(axes_to_header(axes))
    return hdu
