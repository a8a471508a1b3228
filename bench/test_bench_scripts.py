"""Smoke tests of the benchmark scripts (fast, no Gammapy): they run and check what they claim."""

from __future__ import annotations

import compare_gammapy
import numpy as np
import profile_stages
import scaling


def test_compare_without_gammapy_uses_reference_timings():
    result = compare_gammapy.run_comparison(
        repeat=1, gammapy_repeat=1, use_gammapy=False, log=lambda m: None
    )
    rows = result["rows"]
    variants = {
        "rect": ("build + run", "run only", "run, reused"),
        "annulus": ("build + run", "run only", "run, reused"),
        "end_to_end": ("build + run",),
    }
    assert [(r["key"], r["variant"], r["n_jobs"]) for r in rows] == [
        (key, variant, n)
        for key in ("rect", "annulus", "end_to_end")
        for variant in variants[key]
        for n in (1, 2)
    ]
    reference = compare_gammapy.reference_gammapy_medians()
    for row in rows:
        assert row["gp_source"] == "ref"
        assert row["ratio"] == reference[row["key"]] / row["fp_median"]
        assert row["fp_n"] == 1
        assert row["fp_median"] > 0
    table = compare_gammapy.format_table(result)
    assert table.count("\n| (") == len(rows)


def test_scaling_case_is_bitwise_identical_across_n_jobs(tmp_path):
    results = [
        scaling.run_case("400x200", "boxes", 20, n_jobs, 1, tmp_path)
        for n_jobs in (1, 2)
    ]
    assert results[0]["digest"] == results[1]["digest"]
    assert scaling.check_identical(results) == []
    # the strip is 90 % x 30 % of the map: 360 x 60 pixel centres, each in exactly one box
    assert results[0]["pixels_covered"] == 360 * 60
    assert results[0]["input_bytes"] == 400 * 200 * (11 * 4 + 11 * 4 + 12 * 4 + 11)
    text = scaling.format_table(results) + "\n".join(scaling.acceptance(results))
    assert "bitwise identical across n_jobs: all cases" in text


def test_scaling_detects_different_results():
    rows = [
        {"size": "s", "kind": "boxes", "n": 5, "n_jobs": j, "digest": d}
        for j, d in ((1, "a"), (2, "b"))
    ]
    assert scaling.check_identical(rows) == ["s boxes 5"]


def test_scaling_cubes(tmp_path):
    paths = scaling.make_cube_files(120, 80, tmp_path)
    counts = np.load(paths["counts"])
    mask = np.load(paths["mask_safe"])
    assert counts.dtype == np.int32
    assert counts.shape == (11, 80, 120)
    assert np.load(paths["background"]).dtype == np.float32
    assert np.load(paths["exposure"]).shape == (12, 80, 120)
    # 1 deg = 20 pixels of unsafe border
    assert mask.dtype == bool
    assert mask.sum() == 11 * 40 * 80
    assert mask[:, 20:60, 20:100].all()


def test_profile_stages_reports_every_stage():
    # cold: the geometry cache is dropped before every run, so the region conversion is timed
    report = profile_stages.profile_case(
        "400x200:annuli:20", n_jobs=1, repeat=1, cprofile_lines=0, cold=True
    )
    for stage in (
        "run (total)",
        "C++ reduce_regions",
        "C++ fit_norms",
        "sky_regions_to_pixel_shapes",
        "region_centers",
        "projected_distances",
    ):
        assert stage in report
    assert "cold" in report


def test_profile_stages_warm_runs_reuse_the_geometry():
    # the estimator caches its region geometry: repeated runs do not convert the regions again
    report = profile_stages.profile_case(
        "400x200:annuli:20", n_jobs=1, repeat=2, cprofile_lines=0
    )
    for stage in ("run (total)", "C++ reduce_regions", "C++ fit_norms"):
        assert stage in report
    assert "sky_regions_to_pixel_shapes" not in report


def test_pipeline_table_without_gammapy():
    result = compare_gammapy.run_pipeline_comparison(
        repeat=1, gammapy_repeat=1, gammapy_python=None, log=lambda m: None
    )
    for key in compare_gammapy.PIPELINE_ROWS:
        assert len(result["warm"][key]) == 1
        assert len(result["warm"][key + ":cpu"]) == 1
        assert result["cold"][key]
    table = compare_gammapy.format_pipeline_table(result)
    assert table.count("\n| ") == len(compare_gammapy.PIPELINE_ROWS)
    assert "(ref json)" in table  # Gammapy's stored timings where they exist
    assert "| not run |" in table  # none for HAWC
