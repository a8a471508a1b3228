"""The shared vocabulary: the lists the estimator, the tables and the CLI agree on."""

import astropy.units as u
import pytest

from fluxprofile import vocabulary as voc


def test_optional_quantities_in_gammapy_order():
    assert voc.OPTIONAL_QUANTITIES == ("errn-errp", "ul", "scan", "sensitivity")


@pytest.mark.parametrize("sed_type", voc.SED_TYPES)
def test_sed_quantities_follow_the_suffix_order(sed_type):
    names = voc.sed_quantities(sed_type)
    prefix = "norm" if sed_type == "likelihood" else sed_type
    suffixes = (
        voc.SUFFIXES_LIKELIHOOD if sed_type == "likelihood" else voc.SUFFIXES_FLUX
    )
    assert names == tuple(prefix + s for s in suffixes)
    # likelihood lists errn before errp, the flux types errp first (Gammapy's tables)
    errn, errp = names.index(prefix + "_errn"), names.index(prefix + "_errp")
    assert (errn < errp) == (sed_type == "likelihood")


@pytest.mark.parametrize("sed_type", voc.SED_TYPES)
def test_table_quantities_start_with_the_sed_and_end_with_the_extras(sed_type):
    names = voc.table_quantities(sed_type)
    assert names[0] == ("norm" if sed_type == "likelihood" else sed_type)
    assert names[-len(voc.EXTRA_QUANTITIES) :] == voc.EXTRA_QUANTITIES
    assert len(set(names)) == len(names)
    assert set(voc.COMMON_QUANTITIES) <= set(names)


def test_storable_quantities_are_the_union_without_duplicates():
    parts = voc.NORM_QUANTITIES + voc.COMMON_QUANTITIES + voc.EXTRA_QUANTITIES
    assert parts == voc.STORABLE_QUANTITIES
    assert len(set(parts)) == len(parts)
    for group in (
        voc.DATASET_QUANTITIES,
        voc.SCAN_QUANTITIES,
        voc.BOOL_QUANTITIES,
    ):
        assert set(group) <= set(voc.STORABLE_QUANTITIES)


def test_default_units_are_physical_for_flux_types():
    assert voc.DEFAULT_UNIT["likelihood"] is None
    assert voc.DEFAULT_UNIT["norm"] == u.dimensionless_unscaled
    assert voc.DEFAULT_UNIT["flux"].is_equivalent("cm-2 s-1")
    assert voc.DEFAULT_UNIT["dnde"].is_equivalent("cm-2 s-1 TeV-1")
    for name in ("e2dnde", "eflux"):
        assert voc.DEFAULT_UNIT[name].is_equivalent("erg cm-2 s-1")
    assert set(voc.PLOT_SED_TYPES) == {*voc.FLUX_SED_TYPES, "norm"}


def test_quantity_suffixes_match_the_likelihood_suffixes():
    assert voc.QUANTITY_SUFFIXES[0] is None
    assert tuple("_" + s for s in voc.QUANTITY_SUFFIXES[1:]) == voc.SUFFIXES_LIKELIHOOD
