"""Sphinx configuration of the fluxprofile documentation.

Build (after ``pip install ".[docs]"``)::

    python -m sphinx -W -b html docs docs/_build/html

The gallery (``../examples``) runs at build time. It reads the Fermi-LAT Galactic-centre
file from ``$GAMMAPY_DATA`` or ``$FLUXPROFILE_TEST_DATA`` when one is set, and otherwise
profiles the built-in simulated dataset.

Intersphinx: the inventories of numpy, astropy, regions, gammapy, ... are fetched here
(a few seconds' timeout each) and handed to Sphinx as local files; one that cannot be
reached is dropped with a note instead of failing a ``-W`` build on a machine without
network. ``FLUXPROFILE_DOCS_INTERSPHINX=0`` skips the fetch altogether.
"""

from __future__ import annotations

import concurrent.futures
import fnmatch
import http.client
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import fluxprofile

DOCS = Path(__file__).resolve().parent
GENERATED = DOCS / "_generated"

# -- Project -----------------------------------------------------------------------------
project = "fluxprofile"
author = "fluxprofile developers"
copyright = "2026, fluxprofile developers"
release = fluxprofile.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_generated",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
]
# Single backticks in docstrings (numpydoc style) are cross-references.
default_role = "py:obj"
nitpicky = False
root_doc = "index"

# -- API reference -----------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
# The class template documents the members on the class page itself.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Gallery -----------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every script of examples/ is run (not only plot_*.py).
    "filename_pattern": r".*\.py$",
    "ignore_pattern": r"(__init__|conftest)\.py$",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": True,
    "within_subsection_order": "FileNameSortKey",
    # A stale example (or a changed library) must fail the build, not leave old output.
    "run_stale_examples": True,
}

# -- HTML --------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"fluxprofile {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path: list[str] = []
html_show_sourcelink = False

# -- Intersphinx -------------------------------------------------------------------------
_INVENTORIES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "matplotlib": "https://matplotlib.org/stable/",
    "astropy": "https://docs.astropy.org/en/stable/",
    "regions": "https://astropy-regions.readthedocs.io/en/stable/",
    "gammapy": "https://docs.gammapy.org/2.1/",
    "dask": "https://docs.dask.org/en/stable/",
    "distributed": "https://distributed.dask.org/en/stable/",
}


def _fetch_inventory(name: str, url: str, folder: Path) -> tuple[str, str | None, str]:
    """Download one objects.inv into ``folder``; (name, local path or None, note)."""
    target = folder / f"{name}.inv"
    try:
        with urllib.request.urlopen(url + "objects.inv", timeout=5) as response:
            data = response.read()
    except (OSError, http.client.HTTPException) as err:  # no network: dropped
        if target.is_file():  # a copy from an earlier build is still good enough
            return name, str(target), f"using the cached copy ({err})"
        return name, None, str(err)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return name, str(target), "fetched"


def _intersphinx_mapping() -> dict[str, tuple[str, str]]:
    if os.environ.get("FLUXPROFILE_DOCS_INTERSPHINX", "1") == "0":
        print("intersphinx: disabled (FLUXPROFILE_DOCS_INTERSPHINX=0)")
        return {}
    folder = DOCS / "_build" / "intersphinx"
    folder.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(len(_INVENTORIES)) as pool:
        jobs = [
            pool.submit(_fetch_inventory, n, u, folder) for n, u in _INVENTORIES.items()
        ]
        found = [job.result() for job in jobs]
    mapping = {}
    for name, path, note in found:
        if path is None:
            print(
                f"intersphinx: {name} left out, its inventory is unreachable ({note})"
            )
        else:
            mapping[name] = (_INVENTORIES[name], path)
    return mapping


intersphinx_mapping = _intersphinx_mapping()
intersphinx_timeout = 5


# -- Generated pages ---------------------------------------------------------------------
def _write_cli_help() -> None:
    """``fluxprofile COMMAND --help`` as text files that docs/cli.rst includes."""
    GENERATED.mkdir(exist_ok=True)
    env = {**os.environ, "COLUMNS": "88"}
    for command in ([], ["run"], ["info"], ["demo"]):
        text = subprocess.run(
            [sys.executable, "-m", "fluxprofile", *command, "--help"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
        name = "_".join(["fluxprofile", *command])
        (GENERATED / f"{name}.txt").write_text(text, encoding="utf-8")


_write_cli_help()

#: Public names of ``fluxprofile`` that are not objects to document.
_NOT_DOCUMENTED = {"__version__", "_core"}
_API_PAGE = DOCS / "api.rst"
_STUBS = DOCS / "generated"


def _unlisted_public_names() -> list[str]:
    """Names of ``fluxprofile.__all__`` that docs/api.rst does not list."""
    text = _API_PAGE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^ +~?(?:fluxprofile\.)?(\w+) *$", text, re.MULTILINE))
    return sorted(set(fluxprofile.__all__) - listed - _NOT_DOCUMENTED)


def _write_stubs(names: list[str]) -> None:
    """Autosummary stub pages for ``names`` (autosummary only sees the raw api.rst)."""
    for name in names:
        directive = (
            "autoclass"
            if isinstance(getattr(fluxprofile, name), type)
            else "autofunction"
        )
        title = f"fluxprofile.{name}"
        text = f"{title}\n{'=' * len(title)}\n\n.. currentmodule:: fluxprofile\n\n"
        text += f".. {directive}:: {name}\n"
        (_STUBS / f"{title}.rst").write_text(text, encoding="utf-8")


# Stubs are regenerated on every build: a stale one (a removed name) would be an orphan.
shutil.rmtree(_STUBS, ignore_errors=True)
_STUBS.mkdir()
_UNLISTED = _unlisted_public_names()
_write_stubs(_UNLISTED)


def _complete_api_page(app, docname: str, source: list[str]) -> None:
    """Append the public names docs/api.rst does not list, under "Other public names".

    Other parts of the package add public names; they then appear in the reference at
    once instead of being missing from it (list them in a section of api.rst).
    """
    if docname != "api" or not _UNLISTED:
        return
    block = ["", "Other public names", "------------------", ""]
    block += [".. currentmodule:: fluxprofile", "", ".. autosummary::"]
    block += ["   :toctree: generated/", "   :nosignatures:", ""]
    block += [f"   {name}" for name in _UNLISTED]
    source[0] += "\n".join(block) + "\n"


#: Top-level .rst files that are no pages of the navigation (sphinx-gallery writes the
#: computation times, an orphan page).
_NOT_PAGES = {"index", "sg_execution_times"}
_GLOB = re.compile(r"[*?\[]")


def _index_entries(text: str) -> list[str]:
    """The toctree entries of index.rst (lines indented by three spaces, one word)."""
    return re.findall(r"^   ([\w\[\]*?/]+)$", text, re.MULTILINE)


def _complete_index_page(app, docname: str, source: list[str]) -> None:
    """Fit the toctrees of index.rst to the pages that exist.

    A glob entry of index.rst names a page that may not exist yet: an entry that matches
    no page is dropped (Sphinx warns about an empty glob, which ``-W`` makes an error and
    ``suppress_warnings`` cannot silence). A top-level page that no entry names is
    appended to the last toctree (Rules and design), so that no page is left out.
    """
    if docname != "index":
        return
    pages = [p.stem for p in sorted(DOCS.glob("*.rst")) if p.stem not in _NOT_PAGES]
    text = source[0]
    for entry in _index_entries(text):
        if _GLOB.search(entry) and not fnmatch.filter(pages, entry):
            text = re.sub(rf"^   {re.escape(entry)}\n", "", text, flags=re.MULTILINE)
    entries = _index_entries(text)
    missing = [p for p in pages if not any(fnmatch.fnmatchcase(p, e) for e in entries)]
    if missing:
        text = text.rstrip("\n") + "\n" + "".join(f"   {p}\n" for p in missing)
    source[0] = text


#: A docs page cited in a docstring, as ``docs/NAME.rst`` or plain docs/NAME.rst.
_CITATION = re.compile(r"``docs/(\w+)\.rst``|(?<![\w/`])docs/(\w+)\.rst(?![\w`])")


def _link_cited_pages(app, what, name, obj, options, lines: list[str]) -> None:
    """Turn the docs pages a docstring cites (docs/statistics.rst) into links to them."""

    def link(match: re.Match) -> str:
        page = match.group(1) or match.group(2)
        if not (DOCS / f"{page}.rst").is_file():
            return match.group(0)
        return f":doc:`docs/{page}.rst </{page}>`"

    lines[:] = [_CITATION.sub(link, line) for line in lines]


def _always_reread(app, env, added, changed, removed) -> list[str]:
    """api.rst and index.rst depend on the package and the pages, not only on their text:
    read them again on every build (an incremental build would keep the old lists)."""
    return ["api", "index"]


def setup(app):
    app.connect("env-get-outdated", _always_reread)
    app.connect("source-read", _complete_api_page)
    app.connect("autodoc-process-docstring", _link_cited_pages)
    app.connect("source-read", _complete_index_page)
