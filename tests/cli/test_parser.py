"""The options of ``fluxprofile`` and the parsers of their values."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from fluxprofile.cli import main
from fluxprofile.cli.errors import UsageError
from fluxprofile.cli.parser import (
    TABLE_SED_TYPES,
    build_parser,
    join_negative_positions,
)
from fluxprofile.vocabulary import OPTIONAL_QUANTITIES, PLOT_SED_TYPES, SED_TYPES


def test_help_of_every_command(cli, tmp_path, capsys):
    result = cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "info", "demo", "examples:", "Exit status"):
        assert command in result.stdout
    for command, expected in (
        (
            "run",
            [
                "--start",
                "--end",
                "--height",
                "--center",
                "--radius-max",
                "--radius-min",
                "--path",
                "--width",
                "--bin-size",
                "--nbin",
                "--frame",
                "--energy-edges",
                "--index",
                "--amplitude",
                "--reference",
                "--selection",
                "--n-jobs",
                "--containment",
                "--sum-over-energy-groups",
                "--output",
                "--sed-type",
                "--plot",
                "--overwrite",
                "--quiet",
                "examples:",
            ],
        ),
        ("info", ["DATASET", "examples:"]),
        ("demo", ["--seed", "--n-jobs", "examples:"]),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        text = capsys.readouterr().out
        for option in expected:
            assert option in text, (command, option)


def test_argument_values():
    parser = build_parser()
    args = parser.parse_args(
        join_negative_positions(
            [
                "run",
                "x.fits",
                "--start",
                "-5,0.5",
                "--end",
                "17h45m40s,-29d",
                "--height",
                "30arcmin",
                "--energy-edges",
                "0.01, 0.1, 2 TeV",
                "--selection",
                "all",
                "--amplitude",
                "2e-12 cm-2 s-1 TeV-1",
            ]
        )
    )
    assert args.start[0].to_value(u.deg) == -5
    assert args.start[1].to_value(u.deg) == 0.5
    assert args.end[0].to_value(u.deg) == pytest.approx(266.41666666666667)
    assert args.end[1].to_value(u.deg) == -29
    assert args.height.to_value(u.deg) == pytest.approx(0.5)
    np.testing.assert_allclose(args.energy_edges.to_value(u.GeV), [10, 100, 2000])
    assert args.selection == ["errn-errp", "ul", "scan", "sensitivity"]
    assert args.amplitude.to_value("cm-2 s-1 TeV-1") == pytest.approx(2e-12)
    assert parser.parse_args(["run", "x", "--selection", "none"]).selection == []
    assert parser.parse_args(["run", "x"]).selection == ["ul"]


def test_vocabularies_come_from_the_vocabulary_module():
    """--selection all, --sed-type and --plot-sed-type offer exactly the package's names."""
    parser = build_parser()
    assert parser.parse_args(["run", "x", "--selection", "all"]).selection == list(
        OPTIONAL_QUANTITIES
    )
    assert sorted(TABLE_SED_TYPES) == sorted(SED_TYPES)
    for sed_type in TABLE_SED_TYPES:
        assert (
            parser.parse_args(["run", "x", "--sed-type", sed_type]).sed_type == sed_type
        )
    for sed_type in PLOT_SED_TYPES:
        assert (
            parser.parse_args(["run", "x", "--plot-sed-type", sed_type]).plot_sed_type
            == sed_type
        )
    with pytest.raises(UsageError, match="invalid choice"):
        parser.parse_args(["run", "x", "--sed-type", "norm"])
    with pytest.raises(UsageError, match="invalid choice"):
        parser.parse_args(["run", "x", "--plot-sed-type", "likelihood"])


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--start", "1,2,3"], "expected LON,LAT"),
        (["--start", "0,95"], "latitude must be within"),
        (["--height", "-1"], "must be positive"),
        (["--height", "wide"], "invalid angle"),
        (["--energy-edges", "1,10 m"], "not an energy unit"),
        (["--energy-edges", "10 GeV"], "at least two edges"),
        (["--amplitude", "1e-12 TeV"], "unit like"),
        (["--reference", "-1 TeV"], "positive and finite"),
        (["--n-sigma", "inf"], "must be finite"),
        (["--n-jobs", "0"], "must be >= 1"),
        (["--selection", "ul,bogus"], "choose among errn-errp, ul, scan, sensitivity"),
        (["--frame", "nowhere"], "astropy frame name"),
    ],
)
def test_bad_values_are_usage_errors(argv, fragment):
    with pytest.raises(UsageError, match=fragment):
        build_parser().parse_args(join_negative_positions(["run", "x.fits", *argv]))


def test_negative_positions_are_joined():
    assert join_negative_positions(["run", "x", "--start", "-5,0", "--end", "-.5,1", "-o", "-p"]) == [
        "run", "x", "--start=-5,0", "--end=-.5,1", "-o", "-p",
    ]  # fmt: skip
