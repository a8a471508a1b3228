"""Bad input: every case must end in a clear exception (type + message naming the culprit)
or in a documented NaN profile bin plus a `FluxProfileWarning` -- never in a crash, a hang
or a silent NaN.

Tests marked ``xfail(strict=True)`` describe the behaviour we want and fail today; each
reason names the pending fix (see the issue-8 report). When the fix lands the test XPASSes,
which fails the suite until the marker is removed.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table
from regions import (
    CircleAnnulusSkyRegion,
    CircleSkyRegion,
    EllipseSkyRegion,
    PointSkyRegion,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

from fluxprofile import (
    FluxProfileEstimator,
    FluxProfileWarning,
    Map,
    MapAxis,
    MapDataset,
    Parameter,
    PowerLawSpectralModel,
    WcsGeom,
    _core,
)
from fluxprofile.exceptions import index_ranges as _index_ranges

pytestmark = pytest.mark.timeout(120)

EDGES = [10, 100, 500] * u.GeV


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _geoms(n_reco=4, n_true=5):
    energy = MapAxis.from_energy_bounds(10, 500, n_reco, unit="GeV", name="energy")
    true = MapAxis.from_energy_bounds(10, 500, n_true, unit="GeV", name="energy_true")
    kw = {"skydir": (0, 0), "binsz": 0.1, "width": (4, 2), "frame": "galactic"}
    return WcsGeom.create(axes=[energy], **kw), WcsGeom.create(axes=[true], **kw)


def make_dataset(
    name="bad", seed=0, counts_dtype=np.float64, mask=None, exposure_unit="cm2 s"
):
    """A 40 x 20 pixel, 4 reco-bin dataset with Poisson counts on a flat background."""
    geom, geom_true = _geoms()
    rng = np.random.default_rng(seed)
    background = np.full(geom.data_shape, 5.0)
    counts = rng.poisson(background + 1.0).astype(counts_dtype)
    exposure = Map(geom_true, np.full(geom_true.data_shape, 1e11), unit=exposure_unit)
    return MapDataset(
        Map(geom, counts),
        exposure,
        background=Map(geom, background),
        mask_safe=mask,
        name=name,
    )


def gal(lon, lat=0.0):
    return SkyCoord(lon, lat, unit="deg", frame="galactic")


def boxes(lons=(-1.0, 0.0, 1.0)):
    return [RectangleSkyRegion(gal(x), 0.5 * u.deg, 1.0 * u.deg) for x in lons]


def estimator(regions=None, **kwargs):
    kwargs.setdefault("energy_edges", EDGES)
    return FluxProfileEstimator(boxes() if regions is None else regions, **kwargs)


def region_of_pixel(dataset, region_index=1):
    """(y, x) of a pixel inside box ``region_index`` (the box centre)."""
    x, y = dataset.counts.geom.wcs.world_to_pixel(
        gal([-1.0, 0.0, 1.0][region_index], 0.05)
    )
    return round(float(y)), round(float(x))


@pytest.fixture(scope="module")
def good_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fits") / "good.fits"
    make_dataset(name="good").write(path)
    return path


def _hdus(path):
    with fits.open(path) as hdul:
        return fits.HDUList([h.copy() for h in hdul])


# ---------------------------------------------------------------------------------------
# FITS files: missing, corrupt, truncated, wrong content
# ---------------------------------------------------------------------------------------
def test_read_missing_file(tmp_path):
    with pytest.raises(OSError, match=r"does not exist.*missing\.fits"):
        MapDataset.read(tmp_path / "missing.fits")


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"", "empty"),
        (b"this is not a FITS file\n" * 200, "text"),
        (b"X" * 2880, "garbage"),
    ],
)
def test_read_not_fits(tmp_path, content, what):
    path = tmp_path / f"{what}.fits"
    path.write_bytes(content)
    with pytest.raises(OSError, match=rf"{what}\.fits.*not a readable FITS file"):
        MapDataset.read(path)


def test_read_corrupt_primary_header(tmp_path, good_file):
    raw = bytearray(good_file.read_bytes())
    raw[:80] = b"X" * 80  # destroys the SIMPLE card
    path = tmp_path / "corrupt.fits"
    path.write_bytes(bytes(raw))
    with pytest.raises(
        OSError, match=r"corrupt\.fits.*not a readable FITS file.*SIMPLE"
    ):
        MapDataset.read(path)


def test_read_truncated_gzip(tmp_path, good_file):
    path = tmp_path / "cut.fits.gz"
    path.write_bytes(gzip.compress(good_file.read_bytes())[:3000])
    with pytest.raises(OSError, match=r"cut\.fits\.gz.*truncated or corrupt"):
        MapDataset.read(path)


@pytest.mark.parametrize("cut", ["half", "last_block", "100_bytes"])
def test_read_truncated_file(tmp_path, good_file, cut):
    raw = good_file.read_bytes()
    size = {
        "half": len(raw) // 2,
        "last_block": len(raw) - 2880,
        "100_bytes": len(raw) - 100,
    }[cut]
    path = tmp_path / f"trunc_{cut}.fits"
    path.write_bytes(raw[:size])
    with pytest.raises(OSError, match=rf"trunc_{cut}\.fits.*truncated"):
        MapDataset.read(path)


def test_read_ogip_spectrum_file(tmp_path):
    """An OGIP PHA spectrum (SPECTRUM + EBOUNDS) is not a map dataset."""
    hdul = fits.HDUList(
        [
            fits.PrimaryHDU(),
            fits.BinTableHDU(
                Table({"CHANNEL": np.arange(4), "COUNTS": np.ones(4)}), name="SPECTRUM"
            ),
            fits.BinTableHDU(
                Table(
                    {
                        "CHANNEL": np.arange(4),
                        "E_MIN": np.ones(4),
                        "E_MAX": np.full(4, 2.0),
                    }
                ),
                name="EBOUNDS",
            ),
        ]
    )
    path = tmp_path / "pha.fits"
    hdul.writeto(path)
    with pytest.raises(
        ValueError, match=r"pha\.fits: no COUNTS HDU.*not a gammapy MapDataset"
    ):
        MapDataset.read(path)


def test_read_gammapy_spectrum_dataset(tmp_path):
    """A Gammapy SpectrumDataset file: COUNTS is a region table, not a WCS image."""
    bands = Table(
        {
            "CHANNEL": np.arange(4, dtype=np.int64),
            "ENERGY": [0.15, 0.5, 1.5, 5.0],
            "E_MIN": [0.1, 0.316, 1.0, 3.16],
            "E_MAX": [0.316, 1.0, 3.16, 10.0],
        }
    )
    region = Table(
        {"SHAPE": ["circle"], "X": [1.5], "Y": [1.5], "R": [1.0], "ROTANG": [0.0]}
    )
    hdus = [fits.PrimaryHDU()]
    for name in ("COUNTS", "EXPOSURE"):
        table = fits.BinTableHDU(
            Table(
                {
                    "CHANNEL": np.arange(4, dtype=np.int16),
                    "DATA": np.full((4, 1, 1), 3.0, np.float32),
                }
            ),
            name=name,
        )
        table.header["BANDSHDU"] = f"{name}_BANDS"
        hdus += [
            table,
            fits.BinTableHDU(bands, name=f"{name}_BANDS"),
            fits.BinTableHDU(region, name=f"{name}_REGION"),
        ]
    path = tmp_path / "spectrum.fits"
    fits.HDUList(hdus).writeto(path)
    with pytest.raises(ValueError, match=r"spectrum\.fits: COUNTS.*not a WCS image"):
        MapDataset.read(path)


def test_read_counts_without_bands_hdu(tmp_path, good_file):
    hdul = fits.HDUList([h for h in _hdus(good_file) if h.name != "COUNTS_BANDS"])
    path = tmp_path / "nobands.fits"
    hdul.writeto(path)
    with pytest.raises(
        ValueError, match=r"nobands\.fits: COUNTS needs the BANDS table COUNTS_BANDS"
    ):
        MapDataset.read(path)


def test_read_counts_image_without_energy_axis(tmp_path, good_file):
    hdul = _hdus(good_file)
    hdul["COUNTS"] = fits.ImageHDU(
        hdul["COUNTS"].data[0], header=hdul["COUNTS"].header, name="COUNTS"
    )
    path = tmp_path / "flat.fits"
    hdul.writeto(path)
    with pytest.raises(
        ValueError, match=r"flat\.fits: COUNTS data shape \(20, 40\) does not match"
    ):
        MapDataset.read(path)


def test_read_exposure_of_other_width(tmp_path, good_file):
    hdul = _hdus(good_file)
    hdul["EXPOSURE"].data = np.ascontiguousarray(hdul["EXPOSURE"].data[:, :, :-1])
    path = tmp_path / "narrow.fits"
    hdul.writeto(path)
    with pytest.raises(
        ValueError, match=r"narrow\.fits: EXPOSURE image size \(39, 20\) does not match"
    ):
        MapDataset.read(path)


def test_read_invalid_bunit(tmp_path, good_file):
    hdul = _hdus(good_file)
    hdul["EXPOSURE"].header["BUNIT"] = "furlongs per pint"
    path = tmp_path / "bunit.fits"
    hdul.writeto(path)
    with pytest.raises(ValueError, match=r"bunit\.fits: EXPOSURE has an invalid BUNIT"):
        MapDataset.read(path)


def test_read_invalid_wcs(tmp_path, good_file):
    hdul = _hdus(good_file)
    hdul["COUNTS"].header["CTYPE1"] = "FOO"
    path = tmp_path / "badwcs.fits"
    hdul.writeto(path)
    with pytest.raises(
        ValueError, match=r"badwcs\.fits: COUNTS has an invalid WCS \(.+\)$"
    ) as info:
        MapDataset.read(path)
    assert "\n" not in str(info.value)  # wcslib's multi-line message on one line
    # no celestial axis at all: same message
    hdul["COUNTS"].header["CTYPE2"] = "BAR"
    path = tmp_path / "nowcs.fits"
    hdul.writeto(path)
    with pytest.raises(
        ValueError, match=r"nowcs\.fits: COUNTS has an invalid WCS \(.*celestial"
    ):
        MapDataset.read(path)


def test_read_exposure_in_seconds(tmp_path, good_file):
    hdul = _hdus(good_file)
    hdul["EXPOSURE"].header["BUNIT"] = "s"
    path = tmp_path / "seconds.fits"
    hdul.writeto(path)
    with pytest.raises(
        ValueError, match=r"seconds\.fits: exposure unit must be an area times a time"
    ):
        MapDataset.read(path)


# ---------------------------------------------------------------------------------------
# mismatched cubes
# ---------------------------------------------------------------------------------------
def test_background_with_other_energy_bins():
    ds = make_dataset()
    geom3, _ = _geoms(n_reco=3)
    with pytest.raises(
        ValueError,
        match=r"background shape \(3, 20, 40\) does not match counts shape \(4, 20, 40\)",
    ):
        MapDataset(
            ds.counts, ds.exposure, background=Map(geom3, np.ones(geom3.data_shape))
        )


def test_exposure_on_other_sky_grid():
    ds = make_dataset()
    true = ds.exposure.geom.axes[0]
    other = WcsGeom.create(
        skydir=(0, 0), binsz=0.1, width=(3, 2), frame="galactic", axes=[true]
    )
    with pytest.raises(
        ValueError,
        match=r"exposure image size \(30, 20\) does not match counts image size \(40, 20\)",
    ):
        MapDataset(ds.counts, Map(other, np.ones(other.data_shape), unit="cm2 s"))


def test_mask_of_other_shape():
    ds = make_dataset()
    with pytest.raises(
        ValueError, match=r"mask_safe shape \(4, 20, 39\) does not match counts shape"
    ):
        MapDataset(ds.counts, ds.exposure, mask_safe=np.ones((4, 20, 39), bool))


def test_datasets_with_misaligned_energy_axes():
    a = make_dataset("a")
    geom3, geom_true = _geoms(n_reco=3)
    b = MapDataset(
        Map(geom3, np.ones(geom3.data_shape)),
        Map(geom_true, np.ones(geom_true.data_shape), unit="cm2 s"),
        name="b",
    )
    with pytest.raises(ValueError, match="All datasets must have aligned energy axes"):
        estimator().run([a, b])


def test_datasets_with_duplicate_names():
    with pytest.raises(ValueError, match=r"(?i)dataset names must be unique.*'x'"):
        estimator().run([make_dataset("x"), make_dataset("x", seed=1)])


# ---------------------------------------------------------------------------------------
# non-finite or negative data
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cube", "value", "pattern"),
    [
        ("counts", np.nan, r"dataset 'bad': counts .*finite"),
        ("counts", np.inf, r"dataset 'bad': counts .*finite"),
        ("background", np.nan, r"dataset 'bad': background .*finite"),
        ("background", np.inf, r"dataset 'bad': background .*finite"),
        ("exposure", np.nan, r"dataset 'bad': exposure .*finite"),
        ("exposure", np.inf, r"dataset 'bad': exposure .*finite"),
    ],
)
def test_non_finite_pixel_in_a_region(cube, value, pattern):
    ds = make_dataset()
    y, x = region_of_pixel(ds)
    getattr(ds, cube).data[0, y, x] = value
    with pytest.raises(ValueError, match=pattern):
        estimator().run(ds)


def test_negative_counts_of_a_whole_region_bin():
    ds = make_dataset()
    ds.counts.data[2] = -1.0
    with pytest.raises(
        ValueError, match=r"dataset 'bad': counts .*(non-negative|>= 0)"
    ):
        estimator().run(ds)


def test_negative_counts_in_one_pixel():
    ds = make_dataset()
    y, x = region_of_pixel(ds)
    ds.counts.data[0, y, x] = -3.0  # the region's sum stays positive
    with pytest.raises(
        ValueError, match=r"dataset 'bad': counts must be finite and >= 0"
    ):
        estimator().run(ds)


def test_negative_exposure():
    ds = make_dataset()
    ds.exposure.data[...] *= -1.0
    with pytest.raises(
        ValueError, match=r"dataset 'bad': exposure must be finite and >= 0"
    ):
        estimator().run(ds)


def test_negative_background_is_clipped_as_gammapy_npred():
    """Not an error: the predicted background is clipped at 0 (MapDataset.npred)."""
    ds = make_dataset()
    y, x = region_of_pixel(ds)
    ds.background.data[0, y, x] = -50.0
    clipped = make_dataset()
    clipped.background.data[0, y, x] = 0.0
    np.testing.assert_array_equal(
        estimator().run(ds).norm.values, estimator().run(clipped).norm.values
    )
    assert (
        ds.background.data[0, y, x] == -50.0
    )  # clipped while summing, the input is untouched


def test_non_finite_values_in_unsafe_pixels_are_ignored():
    """NaN/inf where mask_safe is False never reach the sums."""
    mask = np.ones(_geoms()[0].data_shape, bool)
    ref = make_dataset(mask=mask)
    y, x = region_of_pixel(ref)
    mask[:, y, x] = False
    clean = make_dataset(mask=mask.copy())
    dirty = make_dataset(mask=mask.copy())
    dirty.counts.data[:, y, x] = np.nan
    dirty.background.data[:, y, x] = np.inf
    a, b = estimator().run(clean), estimator().run(dirty)
    np.testing.assert_array_equal(a.norm.values, b.norm.values)
    np.testing.assert_array_equal(a.ts.values, b.ts.values)


def test_exposure_with_wrong_unit():
    with pytest.raises(
        ValueError, match=r"exposure unit must be an area times a time.*'s'"
    ):
        estimator().run(make_dataset(exposure_unit="s"))


@pytest.mark.parametrize("dtype", [">f8", ">i4", "uint16", "float16"])
def test_counts_in_other_dtypes_give_the_same_profile(dtype):
    ref = estimator().run(make_dataset())
    ds = make_dataset()
    ds.counts.data = ds.counts.data.astype(dtype)
    np.testing.assert_array_equal(estimator().run(ds).norm.values, ref.norm.values)


def test_reference_model_giving_nan_flux():
    model = PowerLawSpectralModel(index=np.nan)
    with pytest.raises(
        ValueError,
        match=r"dataset 'bad': the reference model folded with the exposure is not finite",
    ):
        estimator(spectral_model=model).run(make_dataset())


# ---------------------------------------------------------------------------------------
# datasets argument
# ---------------------------------------------------------------------------------------
def test_empty_dataset_list():
    with pytest.raises(
        ValueError, match="datasets is empty: give at least one dataset"
    ):
        estimator().run([])


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        ("dataset.fits", r"datasets must be a .*MapDataset.*got .*str"),
        (3.0, r"datasets must be a .*MapDataset.*got .*float"),
        ([None], r"datasets\[0\] is a .*NoneType"),
        ([make_dataset(), "x"], r"datasets\[1\] is a .*str"),
    ],
)
def test_not_a_dataset(bad, pattern):
    with pytest.raises(TypeError, match=pattern):
        estimator().run(bad)


# ---------------------------------------------------------------------------------------
# regions
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("regions", [[], boxes()[:1], (boxes()[0],)])
def test_fewer_than_two_regions(regions):
    with pytest.raises(ValueError, match="Please provide at least two regions"):
        FluxProfileEstimator(regions)


def test_single_region_object_instead_of_list():
    with pytest.raises(ValueError, match="Please provide at least two regions"):
        FluxProfileEstimator(boxes()[0])


@pytest.mark.parametrize(
    ("region", "name"),
    [
        (EllipseSkyRegion(gal(0), 1 * u.deg, 0.5 * u.deg), "EllipseSkyRegion"),
        (PointSkyRegion(gal(0)), "PointSkyRegion"),
        ("circle(0, 0, 1)", "str"),
    ],
)
def test_unsupported_region_type(region, name):
    est = estimator([boxes()[0], region])
    with pytest.raises(
        TypeError, match=rf"regions\[1\]: unsupported region type {name}"
    ):
        est.run(make_dataset())


def test_all_regions_outside_the_map():
    regions = [CircleSkyRegion(gal(x), 0.3 * u.deg) for x in (30.0, 31.0)]
    with pytest.warns(
        FluxProfileWarning, match="Regions 0-1 contain no pixel centre"
    ) as record:
        result = estimator(regions).run(make_dataset())
    # one warning naming both regions, which it also carries as indices
    assert [w.message.regions for w in record] == [(0, 1)]
    assert np.all(np.isnan(result.norm.values))
    assert not np.any(result.success.values)
    assert np.all(result.counts.values == 0)


def test_one_region_outside_the_map():
    regions = [*boxes((-1.0, 0.0)), CircleSkyRegion(gal(40.0), 0.3 * u.deg)]
    with pytest.warns(FluxProfileWarning, match=r"Region 2 contains no pixel centre"):
        result = estimator(regions).run(make_dataset())
    norm = result.norm.values  # (n_distance, n_energy)
    assert np.all(np.isnan(norm[2]))
    assert np.all(np.isfinite(norm[:2]))


def test_many_empty_regions_give_one_warning_with_index_runs():
    # thin slices finer than a pixel: many hold no pixel centre; one warning names them all
    lons = np.linspace(-1.5, 1.5, 301)
    regions = [RectangleSkyRegion(gal(x), 0.01 * u.deg, 1.0 * u.deg) for x in lons]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = estimator(regions).run(make_dataset())
    ours = [w for w in caught if issubclass(w.category, FluxProfileWarning)]
    assert len(ours) == 1
    assert ours[0].filename == __file__  # attributed to the caller of run
    empty = np.flatnonzero(result.counts.values.sum(axis=1) == 0)
    nan_rows = np.flatnonzero(np.isnan(result.norm.values).all(axis=1))
    assert 100 < len(empty) < 300
    assert ours[0].message.regions == tuple(empty) == tuple(nan_rows)
    # the text lists the same indices as runs "a-b, c, ..."
    text = str(ours[0].message)
    listed = text.removeprefix("Regions ").split(" contain no pixel centre")[0]
    named = []
    for run in listed.split(", "):
        first, _, last = run.partition("-")
        named.extend(range(int(first), int(last or first) + 1))
    assert named == empty.tolist()


def test_region_warning_survives_pickling():
    import pickle

    warning = pickle.loads(
        pickle.dumps(FluxProfileWarning("Regions 0-1 contain no pixel centre", [0, 1]))
    )
    assert isinstance(warning, FluxProfileWarning)
    assert warning.regions == (0, 1)
    assert str(warning) == "Regions 0-1 contain no pixel centre"


@pytest.mark.parametrize(
    ("indices", "text"),
    [([4], "4"), ([0, 1, 2], "0-2"), ([0, 2, 3, 7, 9, 10, 11], "0, 2-3, 7, 9-11")],
)
def test_index_runs_in_warnings(indices, text):
    assert _index_ranges(indices) == text


def test_zero_area_polygon_is_a_nan_row():
    flat = PolygonSkyRegion(
        SkyCoord([0.0, 0.5, 1.0], [0.0, 0.0, 0.0], unit="deg", frame="galactic")
    )
    regions = [flat, CircleSkyRegion(gal(1.5), 0.3 * u.deg)]
    with pytest.warns(FluxProfileWarning, match=r"Region 0 contains no pixel centre"):
        result = estimator(regions).run(make_dataset())
    assert np.all(np.isnan(result.norm.values[0]))
    assert np.all(np.isfinite(result.norm.values[1]))


def test_inverted_polygon_orientation_is_the_same_region():
    lon, lat = [-1.5, -0.5, -0.5, -1.5], [-0.5, -0.5, 0.5, 0.5]
    ccw = PolygonSkyRegion(SkyCoord(lon, lat, unit="deg", frame="galactic"))
    cw = PolygonSkyRegion(SkyCoord(lon[::-1], lat[::-1], unit="deg", frame="galactic"))
    other = CircleSkyRegion(gal(1.0), 0.3 * u.deg)
    a = estimator([ccw, other]).run(make_dataset())
    b = estimator([cw, other]).run(make_dataset())
    np.testing.assert_array_equal(a.counts.values, b.counts.values)
    np.testing.assert_array_equal(a.norm.values, b.norm.values)


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (
            lambda: RectangleSkyRegion(gal(0), 0 * u.deg, 1 * u.deg),
            "'width' must be strictly positive",
        ),
        (
            lambda: CircleSkyRegion(gal(0), -1 * u.deg),
            "'radius' must be strictly positive",
        ),
        (
            lambda: CircleAnnulusSkyRegion(gal(0), 1 * u.deg, 0.5 * u.deg),
            "outer_radius must be greater",
        ),
    ],
)
def test_zero_or_inverted_sky_regions_are_refused_upstream(make, pattern):
    """The regions package already refuses these; keep it that way (we rely on it)."""
    with pytest.raises(ValueError, match=pattern):
        make()


def _shape_row(kind, x=5.0, y=5.0, p1=2.0, p2=3.0, c=1.0, s=0.0):
    return np.array([[kind, x, y, p1, p2, c, s]], dtype=np.float64)


_NO_VERTICES = (np.zeros(0), np.zeros(0), np.zeros(2, dtype=np.int64))


@pytest.mark.parametrize(
    ("row", "pattern"),
    [
        (_shape_row(0, p1=0.0), "shape 0: rectangle width and height must be > 0"),
        (_shape_row(0, p2=-1.0), "shape 0: rectangle width and height must be > 0"),
        (_shape_row(1, p1=0.0), "shape 0: circle radius must be > 0"),
        (
            _shape_row(2, p1=3.0, p2=2.0),
            r"shape 0: annulus needs 0 <= inner < outer radius",
        ),
        (
            _shape_row(2, p1=2.0, p2=2.0),
            r"shape 0: annulus needs 0 <= inner < outer radius",
        ),
        (_shape_row(1, x=np.nan), "shape 0: parameter 1 is not finite"),
        (_shape_row(7), "shape 0: unknown shape kind"),
        (_shape_row(0, p1=1e6, p2=1e6), "shape 0: region covers more than 4e9 pixels"),
        (_shape_row(3), "shape 0: polygon needs >= 3 vertices"),
    ],
)
def test_core_rejects_bad_pixel_shapes(row, pattern):
    with pytest.raises(ValueError, match=pattern):
        _core.region_pixels(_core.ShapeTable(row, *_NO_VERTICES), 10, 10, 1)


# ---------------------------------------------------------------------------------------
# energy edges
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edges", "error", "pattern"),
    [
        ([100, 10] * u.GeV, ValueError, "energy_edges must be strictly increasing"),
        ([10, 10, 100] * u.GeV, ValueError, "energy_edges must be strictly increasing"),
        ([-10, 100] * u.GeV, ValueError, "energy_edges must be finite and positive"),
        ([np.nan, 100] * u.GeV, ValueError, "energy_edges must be finite and positive"),
        ([10, np.inf] * u.GeV, ValueError, "energy_edges must be finite and positive"),
        ([100] * u.GeV, ValueError, "energy_edges needs at least two values"),
        ([1, 10] * u.deg, TypeError, "energy_edges must have energy units"),
        ([1, 10], TypeError, "energy_edges must have energy units"),
        (
            "ten to hundred",
            ValueError,
            "invalid energy edges 'ten to hundred': no values",
        ),
        ("10,2000 Gev", ValueError, "'Gev' is not a unit; Did you mean .*GeV"),
        ("10,2000 deg", ValueError, "'deg' is not an energy unit"),
        ("2000,10 GeV", ValueError, "energy_edges must be strictly increasing"),
    ],
)
def test_bad_energy_edges(edges, error, pattern):
    with pytest.raises(error, match=pattern):
        FluxProfileEstimator(boxes(), energy_edges=edges)


def test_energy_edges_outside_the_dataset():
    with pytest.warns(
        FluxProfileWarning, match=r"No dataset contribute in range 1\.0 TeV-10\.0 TeV"
    ):
        result = estimator(energy_edges=[1, 10] * u.TeV).run(make_dataset())
    assert np.all(np.isnan(result.norm.values))


def test_energy_edges_partly_outside_the_dataset():
    with pytest.warns(
        FluxProfileWarning,
        match=r"No dataset contribute in range 1000\.0 GeV-10000\.0 GeV",
    ):
        result = estimator(energy_edges=[10, 100, 1000, 10000] * u.GeV).run(
            make_dataset()
        )
    norm = result.norm.values  # (n_distance, n_energy)
    assert np.all(np.isfinite(norm[:, 0]))
    assert np.all(np.isnan(norm[:, 2]))


# ---------------------------------------------------------------------------------------
# estimator options: scan values, n_jobs, sigmas, units
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("values", [[0.0, np.nan, 1.0], [0.0, np.inf], [-np.inf, 1.0]])
def test_non_finite_scan_values_assigned(values):
    est = estimator(selection_optional=["scan"])
    with pytest.raises(
        ValueError, match=r"Parameter 'norm': scan_values must be finite"
    ):
        est.norm.scan_values = values


def test_non_finite_scan_values_in_norm_dict():
    with pytest.raises(
        ValueError, match=r"Parameter 'norm': scan_values must be finite"
    ):
        estimator(selection_optional=["scan"], norm={"scan_values": [0.0, np.nan]})


def test_non_finite_scan_values_old_keyword():
    with pytest.raises(
        ValueError, match=r"Parameter 'norm': scan_values must be finite"
    ):
        estimator(selection_optional=["scan"], norm_values=[1.0, np.inf])


@pytest.mark.parametrize("key", ["scan_min", "scan_max"])
def test_non_finite_scan_range(key):
    with pytest.raises(ValueError, match=rf"Parameter 'norm': {key} must be finite"):
        estimator(selection_optional=["scan"], norm={key: np.nan})


def test_empty_or_2d_scan_values():
    p = Parameter("norm", 1.0)
    with pytest.raises(
        ValueError, match="scan_values must be a non-empty 1-D sequence"
    ):
        p.scan_values = []
    with pytest.raises(
        ValueError, match="scan_values must be a non-empty 1-D sequence"
    ):
        p.scan_values = [[1.0, 2.0]]
    with pytest.raises(TypeError, match="scan_values must be real numbers"):
        p.scan_values = ["a", "b"]


def test_core_rejects_non_finite_scan_values():
    """Second line of defence, in case values bypass the Parameter setter."""
    problems = _core.FitProblems(*_fit_args())
    with pytest.raises(ValueError, match="scan values must be finite"):
        _core.fit_norms(problems, _core.FitOptions(scan_values=[0.0, float("nan")]))


@pytest.mark.parametrize("n_jobs", [0, -1, -8])
def test_n_jobs_not_positive(n_jobs):
    with pytest.raises(
        ValueError, match=rf"n_jobs must be a positive integer or None, got {n_jobs}"
    ):
        estimator(n_jobs=n_jobs)


@pytest.mark.parametrize("n_jobs", [1.5, "2", True])
def test_n_jobs_not_an_integer(n_jobs):
    with pytest.raises(ValueError, match="Invalid type: .*integer or None is expected"):
        estimator(n_jobs=n_jobs)


def test_n_jobs_set_after_construction():
    est = estimator()
    with pytest.raises(
        ValueError, match="n_jobs must be a positive integer or None, got 0"
    ):
        est.n_jobs = 0


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_sigma": 0}, "n_sigma must be a positive finite number, got 0"),
        ({"n_sigma_ul": -2}, "n_sigma_ul must be a positive finite number, got -2"),
        (
            {"n_sigma_sensitivity": np.nan},
            "n_sigma_sensitivity must be a positive finite number",
        ),
        ({"null_value": np.inf}, "null_value must be a finite number, got inf"),
        (
            {"selection_optional": ["errn-errp", "bogus"]},
            r"\{'bogus'\} is not a valid method",
        ),
        ({"reoptimize": True}, "reoptimize=True is not available"),
    ],
)
def test_bad_estimator_options(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        estimator(**kwargs)


def test_unknown_keyword():
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        estimator(bogus=1)


@pytest.mark.parametrize(
    ("model", "error", "pattern"),
    [
        (42, TypeError, "spectral_model must be a SpectralModel.*got int"),
        (
            PowerLawSpectralModel,
            TypeError,
            r"got the class PowerLawSpectralModel; did you mean PowerLawSpectralModel\(\)",
        ),
    ],
)
def test_bad_spectral_model(model, error, pattern):
    with pytest.raises(error, match=pattern):
        estimator(spectral_model=model)


def test_amplitude_with_wrong_unit():
    with pytest.raises(
        u.UnitsError, match=r"amplitude='1e-12 cm-2 s-1' has unit .* not equivalent"
    ):
        PowerLawSpectralModel(amplitude="1e-12 cm-2 s-1")


# ---------------------------------------------------------------------------------------
# all-False masks: documented NaN rows + FluxProfileWarning
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["mask_safe", "mask_fit"])
def test_all_false_mask_gives_nan_rows_and_warnings(which):
    ds = make_dataset()
    shape = ds.counts.data.shape
    kwargs = {which: np.zeros(shape, bool)}
    if which == "mask_fit":
        kwargs["mask_safe"] = np.ones(shape, bool)
    masked = MapDataset(
        ds.counts, ds.exposure, background=ds.background, name="masked", **kwargs
    )
    est = estimator(selection_optional="all")
    with pytest.warns(
        FluxProfileWarning, match="Regions 0-2 have no safe pixel"
    ) as record:
        result = est.run(masked)
    assert [w.message.regions for w in record] == [(0, 1, 2)]
    for name in (
        "norm",
        "norm_err",
        "norm_errn",
        "norm_errp",
        "norm_ul",
        "ts",
        "npred",
    ):
        assert np.all(np.isnan(result.to_table()[name])), name
    assert not np.any(result.success.values)
    assert np.all(result.counts.values == 0)


def test_mask_false_in_one_energy_bin_only_blanks_that_group():
    mask = np.ones(_geoms()[0].data_shape, bool)
    mask[3] = False  # last reco bin (~190-500 GeV) is the only one of the second group
    ds = make_dataset(mask=mask)
    with pytest.warns(
        FluxProfileWarning, match="have no safe pixel in some energy group"
    ):
        result = estimator(energy_edges=[10, 190, 500] * u.GeV).run(ds)
    assert np.all(np.isfinite(result.norm.values[:, 0]))
    assert np.all(np.isnan(result.norm.values[:, 1]))


# ---------------------------------------------------------------------------------------
# core fit inputs (second line of defence)
# ---------------------------------------------------------------------------------------
def _fit_args(n=2, **override):
    args = {
        "offsets": np.array([0, n], dtype=np.int64),
        "statistic": np.zeros(n, dtype=np.int8),
        "counts": np.full(n, 10.0),
        "background": np.full(n, 5.0),
        "alpha": np.zeros(n),
        "signal": np.full(n, 3.0),
    }
    args.update(override)
    return tuple(args.values())


@pytest.mark.parametrize(
    ("override", "pattern"),
    [
        ({"counts": np.array([10.0, -1.0])}, r"bin 1: counts must be finite and >= 0"),
        ({"counts": np.array([np.nan, 1.0])}, r"bin 0: counts must be finite and >= 0"),
        ({"signal": np.array([np.inf, 1.0])}, r"bin 0: signal must be finite"),
        (
            {"background": np.array([np.nan, 1.0])},
            r"bin 0: background/counts_off must be finite",
        ),
        (
            {"statistic": np.array([0, 5], dtype=np.int8)},
            r"bin 1: unknown statistic kind",
        ),
        (
            {"statistic": np.ones(2, dtype=np.int8), "alpha": np.array([-1.0, 1.0])},
            r"bin 0: alpha must be finite and >= 0",
        ),
        (
            {"offsets": np.array([0, 3], dtype=np.int64)},
            r"offsets\[-1\] must equal the number of bins",
        ),
        ({"offsets": np.array([1, 2], dtype=np.int64)}, r"offsets\[0\] must be 0"),
        (
            {"offsets": np.array([0, 2, 1, 2], dtype=np.int64)},
            "offsets must be non-decreasing",
        ),
        ({"counts": np.ones(3)}, "must be 1-D of equal length"),
    ],
)
def test_core_fit_rejects_bad_problems(override, pattern):
    with pytest.raises(ValueError, match=pattern):
        _core.fit_norms(_core.FitProblems(*_fit_args(**override)))


def test_core_fit_rejects_negative_threads():
    with pytest.raises(
        ValueError, match=r"n_threads must be in \[0, 1024\] \(0: all cores\), got -1"
    ):
        _core.fit_norms(_core.FitProblems(*_fit_args()), n_threads=-1)


def test_core_fit_rejects_wrong_dtype_without_copy():
    args = list(_fit_args())
    args[2] = args[2].astype(np.float32)
    with pytest.raises(
        TypeError, match="counts must be a float64 array, got float32 .no copy is made"
    ):
        _core.FitProblems(*args)
