"""Binned map axes: `MapAxis` (edges or centre nodes on a lin/log/sqrt scale) and the
ordered collection `MapAxes` (the axis rules are in docs/data_model.rst)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt

from ._arrays import as_unit as _as_unit
from .label_axis import LabelMapAxis

__all__ = ["MapAxes", "MapAxis"]

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
    >>> from fluxprofile import MapAxis
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
            msg = (
                f"MapAxis: node values must be strictly sorted and unique, got {values}"
            )
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
            values.copy()
            if node_type == "center"
            else self.pix_to_coord(np.arange(self._nbin))
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
        return cls(
            edges, interp=interp, name=name or "", unit=unit or "", node_type="edges"
        )

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
        return cls(
            nodes, interp=interp, name=name or "", unit=unit or "", node_type="center"
        )

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

    def coord_to_idx(
        self, coord: npt.ArrayLike | u.Quantity, clip: bool = False
    ) -> np.ndarray:
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
        return len(self) == len(other) and all(
            a == b for a, b in zip(self, other, strict=True)
        )

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"MapAxes(names={self.names}, shape={self.shape})"
