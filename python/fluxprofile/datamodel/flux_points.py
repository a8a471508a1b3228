"""`FluxPoints`: the result of a flux profile estimation (Gammapy-compatible container).

The stored quantities and their accessors are those of `FluxQuantities`
(`fluxprofile.datamodel.flux_quantities`), the SED conversions those of
`fluxprofile.datamodel.sed`; this module adds item access, printing, copies, slices and
the tables, files and plots, which are thin facades over `fluxprofile.io.profile_table`,
`fluxprofile.io.profile_file` and `fluxprofile.plotting`.
"""

from __future__ import annotations

import copy as _copy
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
from astropy.table import Table

from ..vocabulary import (
    DATASET_QUANTITIES,
    FLUX_SED_TYPES,
    STORABLE_QUANTITIES,
    SUFFIXES_LIKELIHOOD,
)
from .flux_quantities import FluxQuantities
from .reprs import flux_points_repr, html_repr
from .sed import reference_spectral_model

__all__ = ["FluxPoints"]

_SLICEABLE_AXES = ("projected-distance", "energy", "dataset", "norm")


class FluxPoints(FluxQuantities):
    """Flux points along a profile: the result of `FluxProfileEstimator`.

    Stores the "likelihood" SED quantities on the axes ``energy`` x ``projected-distance``
    and converts them to the other SED types with the reference spectral model, as
    Gammapy does (docs/flux_points.rst; the conversions are in `fluxprofile.datamodel.sed`).

    Parameters
    ----------
    data : dict of str to array-like
        Stored quantities. Keys (any subset, ``norm`` required): norm, norm_err, norm_errn,
        norm_errp, norm_ul, norm_sensitivity, ts, sqrt_ts, npred, npred_excess, stat,
        stat_null, stat_scan, niter, is_ul, counts, success, n_dof, npix, solid_angle.
        Scalar quantities have shape ``(n_x, n_energy)``; counts, npred and npred_excess
        ``(n_x, n_energy, n_dataset)``; stat_scan ``(n_x, n_energy, n_scan)``. Gammapy map
        shapes (with two trailing length-1 spatial dimensions) are accepted too. Arrays are
        stored without a copy; `~astropy.units.Quantity` values keep their unit.
    energy_axis : `~fluxprofile.MapAxis`
        Energy axis (edges of the energy groups).
    distance_axis : `~fluxprofile.MapAxis`
        Projected-distance axis (centre nodes).
    reference_model : `~fluxprofile.SpectralModel` or None
        Reference spectral model used for the SED conversions (anything accepted by
        `~fluxprofile.as_spectral_model`, or an object with a ``spectral_model``
        attribute such as a Gammapy SkyModel). None means a power law of index 2.
    meta : dict, optional
        Meta data. Default is None: ``{"n_sigma": 1, "n_sigma_ul": 2, "sed_type_init":
        "likelihood", "SED_TYPE": "likelihood"}``. A given dict is copied and gets
        ``sed_type_init`` "likelihood" if missing.
    norm_scan : array-like, optional
        Norm values of the likelihood scan (required with ``stat_scan``). Default is None.
    dataset_names : list of str, optional
        Names of the datasets (third axis of counts/npred/npred_excess). Default is None.
    gti : `~fluxprofile.datamodel.gti.GTI` or `~astropy.table.Table`, optional
        Good time intervals, written to the "GTI" HDU of FITS files (a table in FITS
        form is wrapped in a `~fluxprofile.datamodel.gti.GTI`). Default is None.
    filter_success_nan : bool, optional
        Set norm and norm_err to NaN where ``success`` is False. Default is True.

    Raises
    ------
    TypeError
        If ``data`` is not a mapping or an axis is not a `~fluxprofile.MapAxis`.
    ValueError
        For a missing ``norm``, an unknown key or inconsistent shapes.

    Examples
    --------
    >>> import numpy as np
    >>> import astropy.units as u
    >>> from fluxprofile import FluxPoints, MapAxis, PowerLawSpectralModel
    >>> energy = MapAxis.from_energy_edges([10, 500] * u.GeV)
    >>> distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    >>> fp = FluxPoints({"norm": np.ones((3, 1))}, energy, distance, PowerLawSpectralModel())
    >>> fp.dnde.data.shape
    (3, 1, 1, 1)
    """

    # ---- item access and printing -------------------------------------------------------
    def __getitem__(self, item: str) -> Any:
        if not isinstance(item, str):
            msg = f"FluxPoints item must be a quantity name (str), got {type(item).__name__}"
            raise TypeError(msg)
        if item not in _QUANTITY_NAMES:
            msg = f"{item!r} is not a FluxPoints quantity"
            raise KeyError(msg)
        return getattr(self, item)

    def __str__(self) -> str:
        name = type(self).__name__
        shape = (1, 1, self._energy_axis.nbin, self._distance_axis.nbin)
        lines = [
            ("geom", "RegionGeom"),
            ("axes", ["lon", "lat", "energy", "projected-distance"]),
            ("shape", shape),
            ("quantities", self.available_quantities),
            ("ref. model", self._reference_model.tag[-1]),
            ("n_sigma", self.n_sigma),
            ("n_sigma_ul", self.n_sigma_ul),
            ("sqrt_ts_threshold_ul", self.sqrt_ts_threshold_ul),
            ("sed type init", self.sed_type_init),
        ]
        text = f"{name}\n{'-' * len(name)}\n\n"
        text += "".join(f"\t{label:23}: {value}\n" for label, value in lines)
        return text.expandtabs(tabsize=2)

    def __repr__(self) -> str:
        return flux_points_repr(self)

    _repr_html_ = html_repr

    # ---- tables (the profile format: fluxprofile.io.profile_table) ---------------------
    def to_table(
        self,
        sed_type: str | None = None,
        format: str | None = "profile",
        formatted: bool = False,
        per_solid_angle: bool = False,
    ) -> Table:
        """Profile table: one row per projected-distance bin, array cells over energy.

        Parameters
        ----------
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type of the flux columns. Default is None (``sed_type_init``).
        format : {"profile"}, optional
            Table format (None is "profile"). Default is "profile".
        formatted : bool, optional
            Set display formats (".3e" for fluxes, ".3f" for norm/ts/stat/energies).
            Default is False.
        per_solid_angle : bool, optional
            Surface brightness: divide the flux-like columns of the SED type (e.g.
            flux, flux_err, flux_errn, flux_errp, flux_ul, flux_sensitivity) by the
            solid angle of each bin; their units get "sr-1" (see `surface_brightness`).
            Default is False.

        Returns
        -------
        table : `~astropy.table.Table`
            Columns x_min, x_max, x_ref, e_ref, e_min, e_max, then the SED columns in
            Gammapy's order (docs/profile_files.rst), with Gammapy's values (x_ref is the
            midpoint of x_min and x_max, not the node); then fluxprofile's ``x_node``
            (the exact nodes of the distance axis, so that `from_table` rebuilds it
            bit for bit; docs/profile_files.rst) and ``npix`` and ``solid_angle`` (sr)
            when known. The meta is empty.

        Raises
        ------
        ValueError
            For an unknown ``sed_type`` or ``format``; with ``per_solid_angle`` for the
            "likelihood" SED type (norms are not per solid angle) or for flux points
            without the solid angle of their bins.
        """
        from ..io.profile_table import flux_points_to_table

        return flux_points_to_table(
            self, sed_type=sed_type, format=format, formatted=formatted,
            per_solid_angle=per_solid_angle,
        )  # fmt: skip

    @classmethod
    def from_table(
        cls,
        table: Table,
        reference_model: Any = None,
        sed_type: str | None = None,
        format: str | None = "profile",
        gti: Any = None,
    ) -> FluxPoints:
        """Create flux points from a profile table (Gammapy ``FluxPoints.from_table``).

        Parameters
        ----------
        table : `~astropy.table.Table`
            Profile table (e.g. from `to_table` or `~astropy.table.Table.read`).
        reference_model : `~fluxprofile.SpectralModel`, optional
            Reference spectral model. Default is None: for "likelihood" tables a
            `~fluxprofile.TemplateSpectralModel` through (e_ref, ref_dnde); for the
            other SED types a power law of index 2, with a warning.
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type. Default is None (meta ``SED_TYPE``, else guessed from the columns).
        format : {"profile"}, optional
            Table format (None: guessed, "profile" when an ``x_min`` column exists).
            Default is "profile".
        gti : `~astropy.table.Table`, optional
            Good time intervals. Default is None.

        Returns
        -------
        flux_points : `FluxPoints`
            Flux points; stored sqrt_ts / is_ul columns become stored quantities. The
            distance axis is the one written when the table has fluxprofile's ``x_node``
            column, else (tables written by Gammapy) Gammapy's ``from_nodes(x_ref)``
            (docs/profile_files.rst).

        Raises
        ------
        ValueError
            For an unknown format or SED type, missing columns, energy columns that
            differ between rows, or an ``x_node`` column that does not fit the bins
            ``[x_min, x_max]`` (a table edited after it was written).
        """
        from ..io.profile_table import flux_points_arguments_from_table

        kwargs, units = flux_points_arguments_from_table(
            table,
            reference_model=reference_model,
            sed_type=sed_type,
            format=format,
            gti=gti,
        )
        new = cls(**kwargs)
        new._units.update(units)
        return new

    # ---- files (fluxprofile.io.profile_file) ----------------------------------------------
    @classmethod
    def read(
        cls,
        filename: str | Path,
        sed_type: str | None = None,
        format: str | None = None,
        reference_model: Any = None,
        checksum: bool = False,
        **kwargs: Any,
    ) -> FluxPoints:
        """Read a profile written by `write` or by Gammapy (ECSV or FITS).

        Parameters
        ----------
        filename : str or `~pathlib.Path`
            File name (``$VARIABLES`` and ``~`` are expanded).
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type. Default is None (guessed from the columns).
        format : {"profile"}, optional
            Table format. Default is None (guessed).
        reference_model : `~fluxprofile.SpectralModel`, optional
            Reference spectral model. Default is None (see `from_table`).
        checksum : bool, optional
            Verify FITS checksums. Default is False.
        **kwargs : dict
            Passed to `~astropy.table.Table.read` for non-FITS files.

        Returns
        -------
        flux_points : `FluxPoints`
            The flux points, with ``npix`` and ``solid_angle`` when the file has them;
            surface-brightness columns (written with ``per_solid_angle=True``) are
            converted back to fluxes.

        Raises
        ------
        ValueError
            If ``filename`` is None (as Gammapy).
        OSError
            If the file does not exist or cannot be read as a profile table.
        """
        from ..io.profile_file import read_profile_table

        if filename is None:
            msg = "The filename is not defined."
            raise ValueError(msg)

        table, gti = read_profile_table(filename, checksum=checksum, **kwargs)
        return cls.from_table(
            table,
            reference_model=reference_model,
            sed_type=sed_type,
            format=format,
            gti=gti,
        )

    def write(
        self,
        filename: str | Path,
        sed_type: str | None = None,
        format: str | None = "profile",
        overwrite: bool = False,
        checksum: bool = False,
        per_solid_angle: bool = False,
    ) -> None:
        """Write the profile table (FITS if ".fits" is a suffix of the name, else astropy).

        Parameters
        ----------
        filename : str or `~pathlib.Path`
            File name; ".fits"/".fits.gz" give Gammapy's FITS layout (empty primary HDU,
            "FLUXPOINTS" table, optional "GTI"); other suffixes use `~astropy.table.Table.write`
            (e.g. ".ecsv").
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type. Default is None (``sed_type_init``).
        format : {"profile"}, optional
            Table format. Default is "profile".
        overwrite : bool, optional
            Overwrite an existing file. Default is False.
        checksum : bool, optional
            Add FITS DATASUM/CHECKSUM cards. Default is False.
        per_solid_angle : bool, optional
            Write surface brightness (see `to_table`). `read` recognises the "sr-1"
            units and converts back with the ``solid_angle`` column; Gammapy cannot read
            such a file as flux points. Default is False.

        Notes
        -----
        fluxprofile's ``x_node`` (exact distance nodes), ``npix`` and ``solid_angle``
        (FITS TUNIT "sr") columns come after Gammapy's columns; Gammapy ignores them and
        `read` restores the distance axis, ``npix`` and ``solid_angle`` exactly
        (docs/profile_files.rst).

        The file is written to a temporary file next to it and moved onto ``filename``
        when complete: a failed write leaves an existing file as it was.

        Raises
        ------
        OSError
            If the file exists and ``overwrite`` is False.
        ValueError
            If ``filename`` is None (as Gammapy); see `to_table`.
        """
        from ..io.profile_file import write_flux_points

        if filename is None:
            msg = "The filename is not defined."
            raise ValueError(msg)

        write_flux_points(
            self, filename, sed_type=sed_type, format=format, overwrite=overwrite,
            checksum=checksum, per_solid_angle=per_solid_angle,
        )  # fmt: skip

    # ---- plots ------------------------------------------------------------------------
    def plot(
        self,
        ax: Any = None,
        sed_type: str | None = None,
        energy_power: float = 0,
        axis_name: str | None = None,
        per_solid_angle: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Plot the profile: points with error bars and upper-limit arrows.

        Drawn as Gammapy 2.1 draws flux points (docs/flux_points.rst): y is the SED
        quantity in its default unit (NaN where the fit failed, not drawn); errors are
        symmetric (``_err``) or asymmetric (``_errn``/``_errp``) when stored; points
        flagged ``is_ul`` are drawn at the upper limit with a downward arrow to half of
        it. One series per bin of the other axis, x error bars spanning the bins,
        log y scale, a legend.

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes to draw on. Default is None (current axes).
        sed_type : {"dnde", "e2dnde", "flux", "eflux", "norm"}, optional
            SED type. Default is None ("dnde" for likelihood points, else the SED type
            the points were read with).
        energy_power : float, optional
            Multiply the values by E^energy_power (E = energy-bin centre, in the energy
            unit of the SED type). Default is 0.
        axis_name : {"projected-distance", "energy"}, optional
            Axis along x. Default is None: the only axis with more than one bin, else
            "projected-distance" (Gammapy raises there).
        per_solid_angle : bool, optional
            Plot the surface brightness (values, errors and upper limits divided by the
            solid angle of each bin, y unit with "sr-1"). Default is False.
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.errorbar` (e.g. ``color``, ``label``).

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
            The axes.

        Raises
        ------
        ValueError
            For an unknown SED type or axis name; with ``per_solid_angle`` for
            ``sed_type="norm"`` or without solid angles.
        """
        from ..plotting.flux_points import plot_flux_points

        return plot_flux_points(
            self,
            ax=ax,
            sed_type=sed_type,
            energy_power=energy_power,
            axis_name=axis_name,
            per_solid_angle=per_solid_angle,
            **kwargs,
        )

    def plot_ts_profiles(
        self,
        ax: Any = None,
        sed_type: str | None = None,
        add_cbar: bool = True,
        axis_name: str | None = None,
        per_solid_angle: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Plot the likelihood scans as an image of -Δstat behind the points.

        For each profile bin the fit-statistic difference ``stat_scan - stat`` is
        interpolated (Gammapy's "stat-profile" scaling) on 500 y values from
        ``norm_scan[0] * min(ref)`` to ``norm_scan[-1] * max(ref)``; cells below -4
        are left blank (docs/flux_points.rst).

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes to draw on. Default is None (current axes).
        sed_type : {"dnde", "e2dnde", "flux", "eflux", "norm"}, optional
            SED type of the y axis. Default is None (as `plot`).
        add_cbar : bool, optional
            Add a colour bar "Fit statistic difference". Default is True.
        axis_name : {"projected-distance", "energy"}, optional
            Axis along x. Default is None (the axis with more than one bin).
        per_solid_angle : bool, optional
            y axis in surface brightness (sr-1), each bin scaled by its own solid
            angle. Default is False.
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.pcolormesh` (defaults vmin -4, vmax 0,
            cmap "Blues", zorder 0, linewidths 0, shading "auto").

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
            The axes.

        Raises
        ------
        ValueError
            Without ``stat_scan`` or when more than one axis has several bins (slice
            one energy bin first with `slice_by_idx`); with ``per_solid_angle`` for
            ``sed_type="norm"`` or without solid angles.
        """
        from ..plotting.ts_profiles import plot_ts_profiles

        return plot_ts_profiles(
            self,
            ax=ax,
            sed_type=sed_type,
            add_cbar=add_cbar,
            axis_name=axis_name,
            per_solid_angle=per_solid_angle,
            **kwargs,
        )

    # ---- Gammapy (fluxprofile.interop) ---------------------------------------------------
    def to_gammapy(self) -> Any:
        """The same flux points as Gammapy ``FluxPoints`` (needs gammapy).

        Every stored quantity becomes a Gammapy ``RegionNDMap`` on Gammapy's axes
        (``dataset`` as a ``LabelMapAxis`` of the dataset names, ``norm`` for the
        scan), with the reference model, the meta, the GTI and ``filter_success_nan``;
        Gammapy's downstream (``FluxPointsDataset(data=...)``, ``plot``, ``write``)
        takes the result (docs/from_gammapy.rst).

        Returns
        -------
        flux_points : ``gammapy.estimators.FluxPoints``
            Gammapy flux points.

        Raises
        ------
        ImportError
            If gammapy is not installed.
        """
        from ..interop import flux_points_to_gammapy

        return flux_points_to_gammapy(self)

    @classmethod
    def from_gammapy(cls, flux_points: Any, reference_model: Any = None) -> FluxPoints:
        """Flux points from Gammapy ``FluxPoints`` of a profile (the inverse of
        `to_gammapy`: the round trip gives the same arrays, axes, names and meta).

        Parameters
        ----------
        flux_points : ``gammapy.estimators.FluxPoints``
            Gammapy flux points with a ``projected-distance`` axis (e.g. from Gammapy's
            ``FluxProfileEstimator``).
        reference_model : `~fluxprofile.SpectralModel`, optional
            Reference model. Default is None (Gammapy's, converted).

        Returns
        -------
        flux_points : `FluxPoints`
            fluxprofile flux points.

        Raises
        ------
        TypeError
            If ``flux_points`` is not Gammapy flux points.
        ValueError
            If they have no ``projected-distance`` axis.
        """
        from ..interop import flux_points_arguments_from_gammapy

        kwargs, units = flux_points_arguments_from_gammapy(
            flux_points, reference_model=reference_model
        )
        new = cls(**kwargs)
        new._units.update(units)
        return new

    # ---- upper limits from the scan ---------------------------------------------------
    def recompute_ul(self, n_sigma_ul: float = 2, **kwargs: Any) -> FluxPoints:
        """Upper limits of another significance from the likelihood scan (Gammapy's
        ``FluxPoints.recompute_ul``; rule in `fluxprofile.datamodel.upper_limits`).

        Parameters
        ----------
        n_sigma_ul : float, optional
            Significance of the new limits. Default is 2.
        **kwargs : dict
            Passed to `scipy.optimize.brentq`.

        Returns
        -------
        flux_points : `FluxPoints`
            A copy with ``norm_ul`` replaced (NaN where the scan gives no limit) and
            ``meta["n_sigma_ul"]`` set.

        Raises
        ------
        ValueError
            Without a likelihood scan (``selection_optional`` without "scan"), or for an
            ``n_sigma_ul`` that is not a positive number.
        """
        from .upper_limits import scan_upper_limits

        if not self.has_stat_profiles:
            msg = "Stat profiles not present. Upper limit computation is not possible"
            raise ValueError(msg)
        ul = scan_upper_limits(
            self._norm_scan, self._data["stat_scan"], n_sigma_ul, **kwargs
        )
        new = _copy.deepcopy(self)
        new._data["norm_ul"] = ul
        new._units["norm_ul"] = self._units.get("norm", u.dimensionless_unscaled)
        new.meta["n_sigma_ul"] = n_sigma_ul
        return new

    # ---- copies and slices --------------------------------------------------------------
    def copy(self, reference_model: Any = None) -> FluxPoints:
        """Deep copy.

        Parameters
        ----------
        reference_model : `~fluxprofile.SpectralModel`, optional
            New reference model (changes all converted fluxes; a warning is emitted).
            Default is None (copy of the current model).

        Returns
        -------
        flux_points : `FluxPoints`
            The copy.
        """
        new = _copy.deepcopy(self)
        if reference_model is not None:
            new._reference_model = reference_spectral_model(reference_model).copy()
            warnings.warn(
                "Changing the reference model will change the fluxes. Handle with care.",
                UserWarning,
                stacklevel=2,
            )
        return new

    def slice_by_idx(self, slices: Mapping[str, slice | int]) -> FluxPoints:
        """Select bins along axes by index.

        Parameters
        ----------
        slices : dict of str to slice or int
            Axis name ("energy", "projected-distance", "dataset" or "norm") to a step-1
            slice or an int. Unlike Gammapy, an int keeps the axis with one bin.

        Returns
        -------
        flux_points : `FluxPoints`
            Sliced copy sharing the reference model and gti, with a copy of meta.

        Raises
        ------
        ValueError
            For an unknown axis name, or a slice selecting no bin.
        """
        energy_axis, distance_axis = self._energy_axis, self._distance_axis
        index = [slice(None)] * 3
        dataset_idx, norm_idx = slice(None), slice(None)
        norm_scan = self._norm_scan
        dataset_names = self._dataset_names
        for name, idx in slices.items():
            if name not in _SLICEABLE_AXES:
                msg = f"slices: unknown axis {name!r}; valid axes are {list(_SLICEABLE_AXES)}"
                raise ValueError(msg)
            if name == "energy":
                index[1] = self._as_slice(idx, self._energy_axis.nbin)
                energy_axis = energy_axis.slice(index[1])
            elif name == "projected-distance":
                index[0] = self._as_slice(idx, self._distance_axis.nbin)
                distance_axis = distance_axis.slice(index[0])
            elif name == "dataset":
                dataset_idx = self._as_slice(idx, self._n_dataset)
                if dataset_names is not None:
                    dataset_names = dataset_names[dataset_idx]
            else:
                if norm_scan is None:
                    msg = (
                        "slices: cannot slice axis 'norm' of flux points without a scan"
                    )
                    raise ValueError(msg)
                norm_idx = self._as_slice(idx, norm_scan.size)
                norm_scan = norm_scan[norm_idx]
        data = {}
        for key, values in self._data.items():
            third = dataset_idx if key in DATASET_QUANTITIES else norm_idx
            sl = (
                (index[0], index[1], third)
                if values.ndim == 3
                else (index[0], index[1])
            )
            data[key] = values[sl]
        new = type(self)(
            data,
            energy_axis,
            distance_axis,
            self._reference_model,
            meta=dict(self.meta),
            norm_scan=norm_scan,
            dataset_names=dataset_names,
            gti=self.gti,
            filter_success_nan=self.filter_success_nan,
        )
        new._units.update(self._units)
        return new

    @staticmethod
    def _as_slice(idx: slice | int, nbin: int) -> slice:
        if isinstance(idx, (int, np.integer)):
            i = int(idx) + nbin if idx < 0 else int(idx)
            if not 0 <= i < nbin:
                msg = f"slices: index {idx} out of range for an axis with {nbin} bins"
                raise ValueError(msg)
            return slice(i, i + 1)
        if not isinstance(idx, slice):
            msg = f"slices: expected a slice or an int, got {type(idx).__name__}"
            raise TypeError(msg)
        start, stop, step = idx.indices(nbin)
        if step != 1 or stop <= start:
            msg = f"slices: {idx} must select at least one bin with step 1 (axis has {nbin})"
            raise ValueError(msg)
        return slice(start, stop)


_QUANTITY_NAMES = frozenset(
    (
        *STORABLE_QUANTITIES,
        "ts_scan",
        "npred_background",
        "npred_excess_ref",
        "npred_excess_err",
        "npred_excess_errn",
        "npred_excess_errp",
        "npred_excess_ul",
        *(f"{sed}_ref" for sed in FLUX_SED_TYPES),
        *(sed + s for sed in FLUX_SED_TYPES for s in ("", *SUFFIXES_LIKELIHOOD)),
    )
)
