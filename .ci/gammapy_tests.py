"""Write a copy of Gammapy's own profile tests that imports fluxprofile instead.

Gammapy ships its tests in its wheel. This script reads
``gammapy/estimators/points/tests/test_profile.py`` from the *installed* gammapy package
and writes it to ``OUTPUT_DIR`` with only the imports of the names fluxprofile replaces
(``FluxProfileEstimator``, ``FluxPoints`` and the two region helpers) pointed at
``fluxprofile``; every other line is left exactly as Gammapy wrote it. The copy is made at
CI time and never committed (it is Gammapy's code).

Usage::

    python .ci/gammapy_tests.py OUTPUT_DIR

Exits with an error if the file or one of the imports to swap is missing (a Gammapy
version whose tests are laid out differently must be looked at, not skipped).
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

TEST_FILE = Path("estimators") / "points" / "tests" / "test_profile.py"
# The names a Gammapy script imports from gammapy and gets from fluxprofile instead.
SWAPPED = (
    "FluxPoints",
    "FluxProfileEstimator",
    "make_concentric_annulus_sky_regions",
    "make_orthogonal_rectangle_sky_regions",
)


def gammapy_test_file() -> Path:
    """The installed gammapy's ``test_profile.py``."""
    spec = importlib.util.find_spec("gammapy")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("gammapy_tests: gammapy is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / TEST_FILE
    if not path.is_file():
        sys.exit(f"gammapy_tests: {path} not found in the installed gammapy")
    return path


def swap_imports(source: str) -> tuple[str, list[str]]:
    """``source`` with the imports of `SWAPPED` from gammapy modules moved to fluxprofile.

    An import statement naming only swapped names is replaced by the same statement from
    ``fluxprofile``; one that also names other things keeps those from gammapy and gets a
    second statement for the swapped ones. Returns the new source and the swapped names.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    found: list[str] = []
    # Replace from the bottom so that earlier line numbers stay valid.
    nodes = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.col_offset == 0
        and (node.module or "").split(".")[0] == "gammapy"
        and any(alias.name in SWAPPED for alias in node.names)
    ]
    for node in sorted(nodes, key=lambda n: n.lineno, reverse=True):
        swapped = [a for a in node.names if a.name in SWAPPED]
        kept = [a for a in node.names if a.name not in SWAPPED]
        found += [a.name for a in swapped]

        def names(aliases: list[ast.alias]) -> str:
            return ", ".join(
                a.name if a.asname is None else f"{a.name} as {a.asname}"
                for a in aliases
            )

        new = ""
        if kept:
            new += f"from {node.module} import {names(kept)}\n"
        new += f"from fluxprofile import {names(swapped)}\n"
        lines[node.lineno - 1 : node.end_lineno] = [new]
    return "".join(lines), found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.exit(__doc__)
    out_dir = Path(argv[0])
    source_path = gammapy_test_file()
    source, found = swap_imports(source_path.read_text(encoding="utf-8"))
    missing = sorted(set(SWAPPED).difference(found))
    if missing:
        sys.exit(f"gammapy_tests: {source_path} does not import {missing} from gammapy")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "test_gammapy_profile.py"
    target.write_text(source, encoding="utf-8")
    print(f"gammapy_tests: {source_path} -> {target} (swapped {sorted(set(found))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
