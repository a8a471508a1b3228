"""`GTI`: good time intervals, as Gammapy's ``gammapy.data.GTI`` presents them.

fluxprofile keeps the intervals in the form their FITS HDU has (START/STOP in seconds
relative to the reference time of the ``MJDREFI``/``MJDREFF``/``TIMESYS`` header keys),
so that files are written back unchanged; `GTI.time_start` and `GTI.time_stop` are the
absolute `~astropy.time.Time` values Gammapy computes from them (``TIMESYS`` scale, TT
when the header names none).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import astropy.units as u
import numpy as np
from astropy.io import fits
from astropy.table import Column, Table, vstack
from astropy.time import Time

__all__ = ["GTI", "as_gti", "profile_gti"]

#: Gammapy's reference time of GTIs that name none (``TIME_REF_DEFAULT``).
TIME_REF_DEFAULT = Time("2000-01-01T00:00:00", scale="tt")


def _reference_time(meta: dict[str, Any]) -> Time:
    """The reference time of a GTI header (TT unless ``TIMESYS`` says otherwise)."""
    scale = str(meta.get("TIMESYS", "tt")).lower()
    if "MJDREFI" in meta:
        return Time(
            float(meta["MJDREFI"]),
            float(meta.get("MJDREFF", 0.0)),
            format="mjd",
            scale=scale,
        )
    if "MJDREF" in meta:
        return Time(float(meta["MJDREF"]), format="mjd", scale=scale)
    ref = TIME_REF_DEFAULT.tt if scale == "tt" else getattr(TIME_REF_DEFAULT, scale)
    ref = ref.copy()
    ref.format = "mjd"
    return ref


class GTI:
    """Good time intervals (the behaviour of Gammapy's ``GTI`` that scripts use).

    Parameters
    ----------
    table : `~astropy.table.Table`
        The intervals as their FITS HDU holds them: columns START and STOP (seconds, or
        the header's ``TIMEUNIT``, after the reference time) and the time keywords
        (``MJDREFI``/``MJDREFF`` or ``MJDREF``, ``TIMESYS``) in ``meta``. Kept as given.

    Raises
    ------
    TypeError
        If ``table`` is not an astropy Table.
    ValueError
        If it has no START or STOP column.

    Examples
    --------
    >>> import astropy.units as u
    >>> from fluxprofile.datamodel.gti import GTI
    >>> gti = GTI.create([0] * u.s, [5] * u.h, reference_time="2010-01-01T00:00:00")
    >>> f"{gti.time_start[0].mjd:.6f} ({gti.time_start.scale})"
    '55197.000766 (tt)'
    """

    def __init__(self, table: Table) -> None:
        self._build: Callable[[], Table] | None = None
        self._table_value: Table | None = self._checked(table)

    @staticmethod
    def _checked(table: Any) -> Table:
        if not isinstance(table, Table):
            msg = f"GTI table must be an astropy Table, got {type(table).__name__}"
            raise TypeError(msg)
        missing = [name for name in ("START", "STOP") if name not in table.colnames]
        if missing:
            msg = f"GTI table needs columns START and STOP, missing {missing}"
            raise ValueError(msg)
        return table

    @classmethod
    def deferred(cls, build: Callable[[], Table]) -> GTI:
        """Intervals whose table is made by ``build()`` when first needed.

        A profile of datasets with long interval lists (HAWC: 39,250 per dataset) would
        spend more time stacking its intervals than fitting; the estimator hands them
        over this way (``build`` works on a copy of the intervals taken at run time), and
        any use of the intervals (including pickling and copies) builds the table once.

        Parameters
        ----------
        build : callable
            Returns the table (as `GTI` takes it); called at most once per object.

        Returns
        -------
        gti : `GTI`
        """
        gti = cls.__new__(cls)
        gti._build = build
        gti._table_value = None
        return gti

    @property
    def _table(self) -> Table:
        table = self._table_value
        if table is None:
            assert self._build is not None  # set by deferred()
            table = self._checked(self._build())
            self._table_value, self._build = table, None
        return table

    def __getstate__(self) -> dict[str, Any]:
        # the builder may be a closure: pickles and copies hold the table itself
        return {"_table_value": self._table, "_build": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ---- construction ----------------------------------------------------------------
    @classmethod
    def create(cls, start: Any, stop: Any, reference_time: Any = None) -> GTI:
        """Intervals from start and stop times (Gammapy's ``GTI.create``).

        Parameters
        ----------
        start, stop : `~astropy.time.Time` or `~astropy.units.Quantity`
            Start and stop times; quantities are durations after ``reference_time``.
        reference_time : `~astropy.time.Time` or str, optional
            Reference time (a string is read by `~astropy.time.Time`, UTC). Default is
            None (2000-01-01T00:00:00 TT).

        Returns
        -------
        gti : `GTI`
            The intervals; the reference is stored in TT, as Gammapy writes it.
        """
        ref = TIME_REF_DEFAULT if reference_time is None else Time(reference_time)
        ref_tt = ref.tt
        mjd = ref_tt.mjd
        mjdrefi = int(np.floor(mjd))
        meta = {"MJDREFI": mjdrefi, "MJDREFF": float(mjd - mjdrefi), "TIMESYS": "tt",
                "TIMEUNIT": "s", "TIMEREF": "LOCAL"}  # fmt: skip

        def seconds(value: Any) -> np.ndarray:
            if isinstance(value, Time):
                return np.atleast_1d((value.tt - ref_tt).to_value(u.s))
            return np.atleast_1d(u.Quantity(value).to_value(u.s))

        table = Table({"START": seconds(start) * u.s, "STOP": seconds(stop) * u.s},
                      meta=meta)  # fmt: skip
        return cls(table)

    @classmethod
    def from_table_hdu(cls, hdu: fits.BinTableHDU) -> GTI:
        """Intervals from a FITS "GTI" table HDU.

        Parameters
        ----------
        hdu : `~astropy.io.fits.BinTableHDU`
            The HDU.

        Returns
        -------
        gti : `GTI`
            The intervals.
        """
        return cls(Table.read(hdu))

    @classmethod
    def from_stack(cls, gtis: list[GTI]) -> GTI:
        """Concatenate intervals (the meta of the first is kept, as Gammapy does).

        Parameters
        ----------
        gtis : list of `GTI`
            Intervals to stack.

        Returns
        -------
        gti : `GTI`
            All intervals, in order.
        """
        tables = [as_gti(g).to_table() for g in gtis]
        return cls(vstack(tables, metadata_conflicts="silent"))

    def copy(self) -> GTI:
        """Deep copy."""
        return type(self)(self._table.copy())

    # ---- tables ---------------------------------------------------------------------
    def to_table(self) -> Table:
        """The intervals as their FITS HDU holds them (not a copy)."""
        return self._table

    def to_table_hdu(self) -> fits.BinTableHDU:
        """The FITS "GTI" table HDU.

        Returns
        -------
        hdu : `~astropy.io.fits.BinTableHDU`
            START/STOP and the time keywords, as read.
        """
        return fits.BinTableHDU(self._table, name="GTI")

    # Before issue 12 fluxprofile's flux points held the FITS-form table itself: its
    # columns and meta stay reachable the same way.
    def __getitem__(self, name: str) -> Any:
        return self._table[name]

    @property
    def meta(self) -> dict[str, Any]:
        """Header keywords of the FITS form (``MJDREFI``, ``TIMESYS``, ...)."""
        return self._table.meta

    @property
    def colnames(self) -> list[str]:
        """Columns of the FITS form."""
        return list(self._table.colnames)

    @property
    def table(self) -> Table:
        """Gammapy's view: START and STOP as `~astropy.time.Time` columns."""
        return Table({"START": self.time_start, "STOP": self.time_stop})

    # ---- times ----------------------------------------------------------------------
    @property
    def time_ref(self) -> Time:
        """Reference time (``TIMESYS`` scale, TT by default; format "mjd")."""
        return _reference_time(self._table.meta)

    def _offsets(self, column: str) -> u.Quantity:
        col = self._table[column]
        unit = getattr(col, "unit", None) or self._table.meta.get("TIMEUNIT", "s")
        return u.Quantity(np.asarray(col, dtype=float), unit)

    @property
    def met_start(self) -> u.Quantity:
        """Start times after the reference time, in seconds."""
        return self._offsets("START").to(u.s)

    @property
    def met_stop(self) -> u.Quantity:
        """Stop times after the reference time, in seconds."""
        return self._offsets("STOP").to(u.s)

    @property
    def time_start(self) -> Time:
        """Start times (`~astropy.time.Time` in the reference time's scale)."""
        return self.time_ref + self.met_start

    @property
    def time_stop(self) -> Time:
        """Stop times (`~astropy.time.Time` in the reference time's scale)."""
        return self.time_ref + self.met_stop

    @property
    def time_delta(self) -> u.Quantity:
        """Durations, in seconds."""
        return (self.met_stop - self.met_start).to(u.s)

    @property
    def time_sum(self) -> u.Quantity:
        """Summed duration, in seconds."""
        return self.time_delta.sum()

    @property
    def time_intervals(self) -> list[tuple[Time, Time]]:
        """(start, stop) of each interval."""
        return list(zip(self.time_start, self.time_stop, strict=True))

    def __len__(self) -> int:
        return len(self._table)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GTI):
            return NotImplemented
        return (
            len(self) == len(other)
            and np.array_equal(self.met_start.value, other.met_start.value)
            and np.array_equal(self.met_stop.value, other.met_stop.value)
            and self.time_ref == other.time_ref
        )

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        if len(self) == 0:
            return "GTI info:\n- Number of GTIs: 0\n"
        start, stop = self.time_start, self.time_stop
        return (
            "GTI info:\n"
            f"- Number of GTIs: {len(self)}\n"
            f"- Duration: {self.time_sum}\n"
            f"- Start: {self.met_start[0]} MET\n"
            f"- Start: {start[0].fits} (time standard: {start.scale.upper()})\n"
            f"- Stop: {self.met_stop[-1]} MET\n"
            f"- Stop: {stop[-1].fits} (time standard: {stop.scale.upper()})\n"
        )


def as_gti(gti: Any) -> GTI | None:
    """Good time intervals from what a dataset or a file gives.

    Parameters
    ----------
    gti : `GTI`, `~astropy.table.Table`, Gammapy ``GTI`` or None
        Intervals: a fluxprofile `GTI` is returned as it is, a table in FITS form is
        wrapped, an object with ``to_table_hdu`` (Gammapy's GTI) is converted through
        its HDU.

    Returns
    -------
    gti : `GTI` or None
        The intervals (None for None).

    Raises
    ------
    TypeError
        For anything else.
    """
    if gti is None or isinstance(gti, GTI):
        return gti
    if isinstance(gti, Table):
        return GTI(gti)
    if hasattr(gti, "to_table_hdu"):
        return GTI(Table.read(gti.to_table_hdu()))
    msg = f"gti must be a GTI, an astropy Table or None, got {type(gti).__name__}"
    raise TypeError(msg)


def _table_snapshot(table: Any) -> Callable[[], Table]:
    """A function giving a copy of ``table`` as it is now (its columns' values, units,
    formats, descriptions and meta): the estimator's result does not change when the
    dataset's intervals are edited after the run."""
    if (
        not isinstance(table, Table)
        or table.has_masked_columns
        or table.has_mixin_columns
    ):
        frozen = Table(table, copy=True)
        return lambda: frozen.copy()
    columns = [
        (
            name,
            np.array(col),
            col.unit,
            col.format,
            col.description,
            copy.deepcopy(col.meta),
        )
        for name, col in table.columns.items()
    ]
    meta = copy.deepcopy(table.meta)

    def build() -> Table:
        out = Table(meta=copy.deepcopy(meta))
        for name, values, unit, fmt, description, col_meta in columns:
            out[name] = Column(
                values, unit=unit, format=fmt, description=description, meta=col_meta
            )
        return out

    return build


def profile_gti(gtis: list[Any], n_regions: int) -> GTI:
    """The intervals of a profile: the datasets' GTIs stacked, repeated once per region
    (Gammapy's layout), built when first used (`GTI.deferred`) from a copy taken now.

    Parameters
    ----------
    gtis : list of `GTI` or `~astropy.table.Table`
        The datasets' intervals.
    n_regions : int
        Number of profile regions.

    Returns
    -------
    gti : `GTI`
    """
    snapshots = [_table_snapshot(as_gti(g).to_table()) for g in gtis]

    def build() -> Table:
        # stacked once and tiled (vstack of the repeated list costs ~2 ms per table)
        stacked = vstack([snapshot() for snapshot in snapshots])
        return stacked[np.tile(np.arange(len(stacked)), n_regions)]

    return GTI.deferred(build)
