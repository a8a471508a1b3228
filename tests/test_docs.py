"""The documents the docstrings, comments and tests cite are pages of the docs site."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"docs/(\w+)\.rst")


def test_cited_docs_pages_exist():
    cited: dict[str, set[str]] = {}
    for folder in ("python", "tests", "examples", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for page in CITATION.findall(path.read_text(encoding="utf-8")):
                cited.setdefault(page, set()).add(str(path.relative_to(ROOT)))
    assert cited, "no docstring cites a docs page: the pattern is stale"
    missing = {page: sorted(files) for page, files in cited.items()
               if not (ROOT / "docs" / f"{page}.rst").is_file()}  # fmt: skip
    assert not missing, f"cited pages missing from docs/: {missing}"
