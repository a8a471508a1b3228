"""Gammapy's HEALPix datasets (written by Gammapy 2.1 at test time): read with
fluxprofile, counts per region equal to a brute-force selection over Gammapy's own pixel
centres, Gammapy objects accepted directly, and files written by fluxprofile read back
by Gammapy."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from hpx_helpers import brute_force_inside

from fluxprofile import (
    FluxProfileEstimator,
    MapDataset,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
)

pytestmark = pytest.mark.gammapy
gammapy = pytest.importorskip(
    "gammapy", reason="needs gammapy 2.1 (interoperability tests)"
)
pytest.importorskip("healpy", reason="Gammapy's HpxGeom needs healpy")


def _gammapy_dataset(nside, nest, frame, region, seed):
    from gammapy.datasets import MapDataset as GpMapDataset
    from gammapy.irf import EDispKernelMap
    from gammapy.maps import HpxGeom, Map, MapAxis

    e = MapAxis.from_energy_bounds("10 GeV", "1 TeV", 3, name="energy")
    et = MapAxis.from_energy_bounds("10 GeV", "1 TeV", 3, name="energy_true")
    geom = HpxGeom.create(nside=nside, nest=nest, frame=frame, region=region, axes=[e])
    rng = np.random.default_rng(seed)
    counts = Map.from_geom(geom, data=rng.poisson(5.0, geom.data_shape).astype(float))
    exposure = Map.from_geom(geom.to_image().to_cube([et]), unit="cm2 s")
    exposure.data += 1e11
    background = Map.from_geom(geom, data=np.full(geom.data_shape, 2.0))
    edisp = EDispKernelMap.from_diagonal_response(e, et, geom=geom.to_image())
    mask = Map.from_geom(geom, data=np.ones(geom.data_shape, dtype=bool))
    return GpMapDataset(counts=counts, exposure=exposure, background=background,
                        edisp=edisp, mask_safe=mask, name=f"hpx-{frame}")  # fmt: skip


def _regions():
    boxes = make_orthogonal_rectangle_sky_regions(
        SkyCoord(9.3, 0.2, unit="deg", frame="galactic"),
        SkyCoord(350.7, 0.2, unit="deg", frame="galactic"),
        wcs=None, height="8 deg", nbin=5,
    )  # fmt: skip
    annuli = make_concentric_annulus_sky_regions(
        SkyCoord(0.4, -0.3, unit="deg", frame="galactic"), "15 deg", "1 deg", nbin=4
    )
    return boxes, annuli


@pytest.mark.parametrize(
    ("nside", "nest", "frame", "region"),
    [(32, True, "galactic", None), (64, False, "icrs", "DISK(266.4,-28.9,20)")],
)
def test_gammapy_hpx_file_counts_match_brute_force(
    tmp_path, nside, nest, frame, region
):
    gp = _gammapy_dataset(nside, nest, frame, region, seed=7)
    path = tmp_path / "hpx.fits"
    gp.write(path)
    dataset = MapDataset.read(path)
    assert dataset.counts.geom.nside == nside
    assert dataset.counts.geom.nest == nest
    np.testing.assert_array_equal(dataset.counts.data, gp.counts.data)
    # Gammapy's own pixel centres and counts, selected by brute force
    centres = gp.counts.geom.to_image().get_coord().skycoord
    for regions in _regions():
        table = FluxProfileEstimator(
            regions=regions, spectral_model=PowerLawSpectralModel(index=2),
            energy_edges=[10, 1000] * u.GeV,
        ).run(dataset).to_table(sed_type="flux", format="profile")  # fmt: skip
        for r, reg in enumerate(regions):
            inside = brute_force_inside(reg, centres)
            assert inside.any()
            assert table["counts"][r].ravel()[0] == gp.counts.data[:, inside].sum()


def test_gammapy_hpx_objects_run_directly(tmp_path):
    gp = _gammapy_dataset(32, True, "galactic", None, seed=8)
    path = tmp_path / "hpx.fits"
    gp.write(path)
    boxes, _ = _regions()
    est = FluxProfileEstimator(regions=boxes, spectral_model=PowerLawSpectralModel(index=2),
                               energy_edges=[10, 1000] * u.GeV)  # fmt: skip
    from_object = est.run(gp).to_table(sed_type="flux", format="profile")
    from_file = est.run(MapDataset.read(path)).to_table(
        sed_type="flux", format="profile"
    )
    for column in ("counts", "flux", "flux_err", "npix", "solid_angle"):
        np.testing.assert_allclose(from_object[column], from_file[column], rtol=1e-12)


@pytest.mark.parametrize("region", [None, "DISK(83.6,22.0,12)"])
def test_fluxprofile_hpx_files_read_by_gammapy(tmp_path, region):
    from gammapy.datasets import MapDataset as GpMapDataset

    gp = _gammapy_dataset(16, False, "icrs", region, seed=9)
    gp.write(tmp_path / "in.fits")
    ours = MapDataset.read(tmp_path / "in.fits")
    ours.write(tmp_path / "out.fits")
    back = GpMapDataset.read(tmp_path / "out.fits")
    assert back.counts.geom == gp.counts.geom
    for attr in ("counts", "exposure", "background", "mask_safe"):
        np.testing.assert_array_equal(getattr(back, attr).data, getattr(gp, attr).data)
    np.testing.assert_allclose(back.edisp.edisp_map.data, gp.edisp.edisp_map.data)
