"""Which pixel of a WCS energy-dispersion kernel map serves a position (docs/irf_positions.rst).

The expectations are derived independently of `fluxprofile.datamodel.irf_positions`: the tie rule by
brute force (the grid node at the smallest distance, the first one on a tie, which is how
the documented rule reads), pixel coordinates with astropy directly from the FITS header,
and kernels straight from the EDISP cube read with astropy.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import FK5, SkyCoord
from astropy.io import fits
from astropy.wcs import WCS

import fluxprofile as fp
from fluxprofile import EDispKernelMap, MapDataset
from fluxprofile.datamodel.irf_positions import (
    irf_pixel_coordinates,
    nearest_grid_index,
)

HESS_FILE = ("hess-dl3-dr1-crab", "hess_crab_map.fits.gz")


def brute_force_index(x: float, n: int) -> int:
    """Grid node 0..n-1 nearest to x; on equal distances the lower node (argmin's first)."""
    return int(np.argmin(np.abs(x - np.arange(n, dtype=np.float64))))


def _awkward_coordinates(n: int) -> np.ndarray:
    """Pixel edges, centres, their floating-point neighbours and points far outside."""
    edges = np.arange(-1, n + 1) - 0.5
    centres = np.arange(-1, n + 1, dtype=np.float64)
    points = np.concatenate([edges, centres])
    near = np.concatenate([np.nextafter(points, np.inf), np.nextafter(points, -np.inf)])
    near += 0.0  # -0.0 -> 0.0
    far = np.array([-1e6, -3.2, n - 1 + 2.7, 1e6])
    return np.concatenate([points, near, points + 1e-9, points - 1e-9, far])


@pytest.mark.parametrize("n", [1, 2, 3, 10, 25])
def test_tie_rule_equals_brute_force(n):
    rng = np.random.default_rng(n)
    x = np.concatenate([_awkward_coordinates(n), rng.uniform(-2, n + 1, 500)])
    expected = np.array([brute_force_index(v, n) for v in x])
    np.testing.assert_array_equal(nearest_grid_index(x, n), expected)


def test_ties_go_to_the_lower_pixel_and_outside_is_clipped():
    # Stated consequences of the rule (docs/irf_positions.rst), checked with brute force.
    for x, n in [
        (4.5, 10),
        (0.5, 10),
        (8.5, 10),
        (-0.5, 10),
        (9.5, 10),
        (-7.0, 10),
        (12.0, 10),
    ]:
        assert nearest_grid_index([x], n)[0] == brute_force_index(x, n)
    assert brute_force_index(4.5, 10) == 4
    assert brute_force_index(np.nextafter(4.5, 5), 10) == 5
    assert brute_force_index(-0.5, 10) == 0
    assert brute_force_index(9.5, 10) == 9


def test_nearest_grid_index_errors():
    with pytest.raises(ValueError, match="at least one node"):
        nearest_grid_index([0.0], 0)
    with pytest.raises(ValueError, match="finite"):
        nearest_grid_index([np.nan, 1.0], 4)


# ---------------------------------------------------------------------------------------
# the H.E.S.S. EDISP kernel map (10 x 10 pixels of 0.2 deg, varying across the field)
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hess_path(data_dir):
    path = data_dir.joinpath(*HESS_FILE)
    if not path.exists():
        pytest.fail(f"H.E.S.S. dataset not found at {path} (set FLUXPROFILE_TEST_DATA)")
    return path


@pytest.fixture(scope="module")
def hess(hess_path):
    return MapDataset.read(hess_path)


@pytest.fixture(scope="module")
def hess_raw(hess_path):
    """(kernel cube (n_true, n_reco, ny, nx) as float64, celestial WCS) read with astropy."""
    with fits.open(hess_path) as hdulist:
        header = hdulist["EDISP"].header
        cube = np.asarray(hdulist["EDISP"].data, dtype=np.float64)
        wcs = WCS(header).celestial
    return cube, wcs


def _expected_kernels(raw, positions):
    """Kernels from the FITS cube: astropy's core transform, then brute-force nearest."""
    cube, wcs = raw
    ny, nx = cube.shape[-2:]
    icrs = positions.icrs
    x, y = wcs.wcs_world2pix(icrs.ra.deg, icrs.dec.deg, 0)
    ix = [brute_force_index(v, nx) for v in np.ravel(x)]
    iy = [brute_force_index(v, ny) for v in np.ravel(y)]
    return (
        np.stack([cube[:, :, j, i] for i, j in zip(ix, iy, strict=True)]),
        np.array(ix),
        np.array(iy),
    )


def test_hess_annulus_centre_kernel(hess, hess_raw, load_reference_case):
    case = load_reference_case("hess_crab_map_annulus")
    centres = SkyCoord([r.center for r in case.regions])
    expected, ix, iy = _expected_kernels(hess_raw, centres)
    # The centre lies on the corner of four kernel pixels (x exactly 4.5): Gammapy takes
    # pixel (y, x) = (4, 4) (issue 19), which the brute-force rule reproduces.
    x, _ = hess_raw[1].wcs_world2pix(centres.icrs.ra.deg, centres.icrs.dec.deg, 0)
    assert np.all(x == 4.5)
    assert set(zip(iy, ix, strict=True)) == {(4, 4)}
    np.testing.assert_array_equal(hess.edisp.get_kernels(centres), expected)
    # the tie matters: the neighbour across the tied edge holds a different kernel
    cube = hess_raw[0]
    assert np.abs(cube[:, :, 4, 5] - cube[:, :, 4, 4]).max() > 1e-3


def test_hess_kernels_on_edges_corners_and_outside(hess, hess_raw):
    cube, wcs = hess_raw
    ny, nx = cube.shape[-2:]
    coords = _awkward_coordinates(nx)
    rng = np.random.default_rng(19)
    px = np.concatenate([coords, rng.choice(coords, 200), rng.uniform(-3, nx + 2, 200)])
    py = np.concatenate(
        [rng.permutation(coords), rng.choice(coords, 200), rng.uniform(-3, ny + 2, 200)]
    )
    ra, dec = wcs.wcs_pix2world(px, py, 0)
    positions = SkyCoord(ra, dec, unit="deg", frame="icrs")
    expected, _, _ = _expected_kernels(hess_raw, positions)
    np.testing.assert_array_equal(hess.edisp.get_kernels(positions), expected)
    # the same pixel coordinates as astropy's core transform, bit for bit
    x, y = irf_pixel_coordinates(hess.edisp.geom.wcs, positions)
    ex, ey = wcs.wcs_world2pix(ra, dec, 0)
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_array_equal(y, ey)
    # some exact ties survived the pixel -> sky -> pixel round trip
    assert np.sum((x % 1 == 0.5) | (y % 1 == 0.5)) >= 10


def test_hess_kernels_on_the_central_meridian(hess, hess_raw):
    # RA = CRVAL1 projects exactly on the edge x = 4.5 between pixel columns 4 and 5.
    _, wcs = hess_raw
    dec = np.linspace(20.9, 23.1, 45)
    positions = SkyCoord(
        np.full(dec.size, wcs.wcs.crval[0]), dec, unit="deg", frame="icrs"
    )
    x, _ = irf_pixel_coordinates(hess.edisp.geom.wcs, positions)
    assert np.sum(x == 4.5) >= 30
    expected, ix, _ = _expected_kernels(hess_raw, positions)
    assert np.all(ix[x == 4.5] == 4)
    np.testing.assert_array_equal(hess.edisp.get_kernels(positions), expected)


def test_exact_ties_on_every_edge_of_a_car_grid():
    # CAR at the origin with 0.5 deg pixels: pixel <-> sky is exact, so every edge and
    # corner of the grid (and beyond it) is an exact tie.
    edisp, data, geom = _kernel_map(nx=6, ny=4, skydir=(0, 0), frame="galactic")
    px, py = np.meshgrid(np.arange(-2, 8) - 0.5, np.arange(-2, 6) - 0.5)
    positions = geom.pix_to_skycoord(px.ravel(), py.ravel())
    x, y = irf_pixel_coordinates(geom.wcs, positions)
    np.testing.assert_array_equal(x, px.ravel())
    np.testing.assert_array_equal(y, py.ravel())
    expected = np.stack(
        [
            data[:, :, brute_force_index(b, 4), brute_force_index(a, 6)]
            for a, b in zip(x, y, strict=True)
        ]
    )
    np.testing.assert_array_equal(edisp.get_kernels(positions), expected)


def test_hess_positions_in_other_frames(hess, hess_raw):
    _, wcs = hess_raw
    rng = np.random.default_rng(7)
    ra, dec = wcs.wcs_pix2world(rng.uniform(-1, 10, 50), rng.uniform(-1, 10, 50), 0)
    icrs = SkyCoord(ra, dec, unit="deg", frame="icrs")
    # Galactic positions: converted to the grid's frame (ICRS) as astropy does.
    galactic = icrs.galactic
    back = SkyCoord(galactic.l.deg, galactic.b.deg, unit="deg", frame="galactic").icrs
    expected, _, _ = _expected_kernels(hess_raw, back)
    np.testing.assert_array_equal(hess.edisp.get_kernels(galactic), expected)
    # FK5 at another equinox: first to FK5 J2000 (the frame's default), then to ICRS.
    fk5 = icrs.transform_to(FK5(equinox="J2030"))
    j2000 = fk5.transform_to("fk5")
    back = SkyCoord(j2000.ra.deg, j2000.dec.deg, unit="deg", frame="fk5").icrs
    expected, _, _ = _expected_kernels(hess_raw, back)
    np.testing.assert_array_equal(hess.edisp.get_kernels(fk5), expected)


def test_scalar_position_and_unprojectable_position(hess):
    centre = hess.counts.geom.center_skydir
    assert hess.edisp.get_kernels(centre).shape == (1, 12, 8)
    # TAN: the antipode of the tangent point has no pixel coordinate
    antipode = SkyCoord(centre.icrs.ra + 180 * u.deg, -centre.icrs.dec)
    with pytest.raises(ValueError, match="EDISP grid"):
        hess.edisp.get_kernels(antipode)
    with pytest.raises(TypeError, match="SkyCoord"):
        hess.edisp.get_kernels((83.6, 22.0))


# ---------------------------------------------------------------------------------------
# non-finite kernel values, one-pixel grids, region kernels
# ---------------------------------------------------------------------------------------
def _kernel_map(nx=4, ny=3, fill=None, skydir=(10, 20), frame="icrs"):
    reco = fp.MapAxis.from_energy_bounds(1 * u.TeV, 10 * u.TeV, 3, name="energy")
    true = fp.MapAxis.from_energy_bounds(0.5 * u.TeV, 20 * u.TeV, 5, name="energy_true")
    geom = fp.WcsGeom.create(
        skydir=skydir, binsz=0.5, npix=(nx, ny), frame=frame, proj="CAR"
    )
    rng = np.random.default_rng(nx * 10 + ny)
    data = rng.uniform(0, 0.3, (true.nbin, reco.nbin, ny, nx))
    if fill is not None:
        data[:] = fill
    return EDispKernelMap(data, true, reco, geom=geom), data, geom


def test_non_finite_kernel_values_count_as_zero():
    edisp, data, geom = _kernel_map()
    data[1, 2, 1, 2] = np.nan
    data[0, 0, 1, 2] = np.inf
    data[3, 1, 0, 0] = np.nan
    positions = geom.pix_to_skycoord(
        np.array([2.0, 0.0, 3.0]), np.array([1.0, 0.0, 2.0])
    )
    kernels = edisp.get_kernels(positions)
    expected = np.stack(
        [
            np.nan_to_num(data[:, :, j, i], nan=0.0, posinf=0.0)
            for i, j in [(2, 1), (0, 0), (3, 2)]
        ]
    )
    np.testing.assert_array_equal(kernels, expected)
    assert np.isnan(data[1, 2, 1, 2])  # the stored map is not modified


def test_all_non_finite_kernel_map_stays_non_finite():
    edisp, _, geom = _kernel_map(fill=np.nan)
    kernels = edisp.get_kernels(geom.pix_to_skycoord(np.array([1.0]), np.array([1.0])))
    assert np.all(np.isnan(kernels))


def test_one_pixel_wide_grid():
    edisp, data, geom = _kernel_map(nx=1, ny=5)
    wcs = geom.wcs
    px = np.array([-3.0, -0.5, 0.0, 0.5, 0.7, 4.0])
    py = np.array([0.5, 1.5, 2.5, 3.5, 9.0, -2.0])
    positions = geom.pix_to_skycoord(px, py)
    x, y = wcs.wcs_world2pix(positions.ra.deg, positions.dec.deg, 0)
    expected = np.stack([data[:, :, brute_force_index(b, 5), 0] for b in y])
    np.testing.assert_array_equal(edisp.get_kernels(positions), expected)
    assert np.all(np.isfinite(x))


def test_region_kernel_is_used_as_stored(fermi_gc_path):
    gc = MapDataset.read(fermi_gc_path)
    assert not gc.edisp.is_spatial
    positions = SkyCoord([0, 359.5, 1.5], [0, 1, -2], unit="deg", frame="galactic")
    kernels = gc.edisp.get_kernels(positions)
    with fits.open(fermi_gc_path) as hdulist:
        rows = np.asarray(hdulist["EDISP"].data["DATA"], dtype=np.float64)
    # the region table holds one row per true-energy bin: the (n_true, n_reco) kernel
    for kernel in kernels:
        np.testing.assert_array_equal(kernel, rows.reshape(kernel.shape))


# ---------------------------------------------------------------------------------------
# Gammapy itself
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gammapy_hess(hess_path):
    gammapy = pytest.importorskip("gammapy")
    assert gammapy.__version__.startswith("2.1")
    from gammapy.datasets import MapDataset as GPMapDataset

    return GPMapDataset.read(hess_path)


def _random_positions_with_ties(wcs, nx, ny, n, seed):
    rng = np.random.default_rng(seed)
    edges_x = np.arange(nx + 1) - 0.5
    edges_y = np.arange(ny + 1) - 0.5
    px = np.concatenate(
        [rng.choice(edges_x, n), rng.choice(edges_x, n), rng.uniform(-0.5, nx - 0.5, n)]
    )
    py = np.concatenate(
        [rng.choice(edges_y, n), rng.uniform(-0.5, ny - 0.5, n), rng.choice(edges_y, n)]
    )
    ra, dec = wcs.wcs_pix2world(px, py, 0)
    return SkyCoord(ra, dec, unit="deg", frame="icrs")


@pytest.mark.gammapy
def test_kernels_equal_gammapy_get_edisp_kernel(hess, gammapy_hess):
    gp_edisp = gammapy_hess.edisp
    geom = gp_edisp.edisp_map.geom
    nx, ny = geom.data_shape[-1], geom.data_shape[-2]
    positions = _random_positions_with_ties(geom.wcs, nx, ny, 60, seed=190)
    # RA = CRVAL1 lies exactly on the edge x = 4.5 (see the test above)
    meridian = SkyCoord(
        np.full(25, geom.wcs.wcs.crval[0]), np.linspace(21, 23, 25), unit="deg"
    )
    positions = SkyCoord([hess.counts.geom.center_skydir, *positions, *meridian])
    ours = hess.edisp.get_kernels(positions)
    x, y = irf_pixel_coordinates(hess.edisp.geom.wcs, positions)
    assert np.sum((x % 1 == 0.5) | (y % 1 == 0.5)) >= 30  # many exact ties
    assert not np.allclose(ours[0], ours[1:])  # different kernels across the field
    for kernel, position in zip(ours, positions, strict=True):
        expected = gp_edisp.get_edisp_kernel(position=position).pdf_matrix
        np.testing.assert_array_equal(kernel, expected)


@pytest.mark.gammapy
def test_kernels_equal_gammapy_profile_path_outside_the_grid(hess, gammapy_hess):
    # The profile path (to_region_map_dataset) samples the IRF at the region centre with
    # no move to a "valid" position: outside the grid the edge pixels are used.
    gp_edisp = gammapy_hess.edisp
    wcs = gp_edisp.edisp_map.geom.wcs
    px = np.array([-4.0, -0.5, 9.5, 14.0, 4.5, -2.5, 11.5])
    py = np.array([4.5, -3.0, 12.0, 9.5, -0.5, -2.5, 4.0])
    ra, dec = wcs.wcs_pix2world(px, py, 0)
    positions = SkyCoord(ra, dec, unit="deg", frame="icrs")
    ours = hess.edisp.get_kernels(positions)
    for kernel, position in zip(ours, positions, strict=True):
        region_map = gp_edisp.to_region_nd_map(position).edisp_map
        np.testing.assert_array_equal(kernel, region_map.data[..., 0, 0])


@pytest.mark.gammapy
def test_migration_map_kernels_equal_gammapy_at_ties():
    gammapy = pytest.importorskip("gammapy")
    from gammapy.datasets import MapDataset as GPMapDataset
    from gammapy.maps import MapAxis, WcsGeom

    e = MapAxis.from_energy_bounds("0.1 TeV", "10 TeV", 4)
    et = MapAxis.from_energy_bounds("0.05 TeV", "20 TeV", 6, name="energy_true")
    migra = MapAxis.from_edges(np.linspace(0.2, 3, 57), name="migra")
    geom = WcsGeom.create(
        skydir=(0, 0), npix=(20, 10), binsz=0.1, frame="galactic", axes=[e]
    )
    gp_dataset = GPMapDataset.create(
        geom, energy_axis_true=et, migra_axis=migra, binsz_irf=0.5, name="m"
    )
    assert gammapy.__version__.startswith("2.1")
    edisp_data = gp_dataset.edisp.edisp_map.data
    ny, nx = edisp_data.shape[-2:]
    sigma = 0.1 + 0.05 * np.arange(nx)[None, :] + 0.02 * np.arange(ny)[:, None]
    mc = migra.center.value[None, :, None, None]
    edisp_data[...] = np.exp(-0.5 * ((mc - 1) / sigma) ** 2) / (
        np.sqrt(2 * np.pi) * sigma
    )
    gp_dataset.exposure.data += 1e9
    ours = MapDataset.from_gammapy(gp_dataset)
    irf_wcs = gp_dataset.edisp.edisp_map.geom.wcs
    rng = np.random.default_rng(4)
    px = np.concatenate(
        [rng.choice(np.arange(nx + 1) - 0.5, 20), rng.uniform(-1, nx, 10)]
    )
    py = np.concatenate(
        [rng.choice(np.arange(ny + 1) - 0.5, 20), rng.uniform(-1, ny, 10)]
    )
    lon, lat = irf_wcs.wcs_pix2world(px, py, 0)
    positions = SkyCoord(lon, lat, unit="deg", frame="galactic")
    kernels = ours.edisp.get_kernels(positions)
    for kernel, position in zip(kernels, positions, strict=True):
        expected = gp_dataset.edisp.get_edisp_kernel(
            position=position, energy_axis=e
        ).data
        np.testing.assert_allclose(kernel, expected, rtol=1e-10, atol=1e-15)
