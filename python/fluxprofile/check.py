"""Tutorial set-up: `check_tutorials_setup` (Gammapy's ``gammapy.utils.check`` call of
the same name) and `display`, so that a Gammapy tutorial runs after swapping its imports.

`check_tutorials_setup` prints the versions and the data folder, as Gammapy's does, and
makes the tutorial runnable where a person or a CI job runs it:

- ``$GAMMAPY_DATA``: when it is unset or lacks the files of the bundled tutorial, the
  folder of ``$FLUXPROFILE_TEST_DATA`` is used if it has them, else the simulated
  `fluxprofile.make_example_dataset` is written to a temporary folder with the same
  layout (the tutorial then reads it as it reads the Fermi-LAT file);
- figures: when the script runs non-interactively (a non-GUI matplotlib backend such as
  Agg) and is given a folder, as its first command-line argument or as
  ``$FLUXPROFILE_FIGURES``, ``plt.show()`` saves each open figure there as
  ``figure_NN.png`` and closes it. Under sphinx-gallery (which collects the figures
  itself), in notebooks and with an interactive backend nothing is changed.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["check_tutorials_setup", "display", "figure_saver"]

#: Files the bundled tutorial (examples/flux_profiles.py) reads from $GAMMAPY_DATA.
TUTORIAL_FILES = (Path("fermi-3fhl-gc") / "fermi-3fhl-gc.fits.gz",)
_PACKAGES = ("numpy", "scipy", "astropy", "regions", "matplotlib", "gammapy")


def _has_files(folder: str | None) -> bool:
    return bool(folder) and all(
        (Path(folder).expanduser() / f).is_file() for f in TUTORIAL_FILES
    )


def _data_folder() -> tuple[str, str]:
    """The data folder for the tutorial and where it comes from (sets $GAMMAPY_DATA)."""
    if _has_files(os.environ.get("GAMMAPY_DATA")):
        return os.environ["GAMMAPY_DATA"], "GAMMAPY_DATA"
    test_data = os.environ.get("FLUXPROFILE_TEST_DATA")
    if _has_files(test_data):
        os.environ["GAMMAPY_DATA"] = str(test_data)
        return str(test_data), "FLUXPROFILE_TEST_DATA"
    from .demo import make_example_dataset

    folder = Path(tempfile.mkdtemp(prefix="fluxprofile-data-"))
    path = folder / TUTORIAL_FILES[0]
    path.parent.mkdir(parents=True)
    make_example_dataset().write(path)
    os.environ["GAMMAPY_DATA"] = str(folder)
    return str(folder), "the simulated example (fluxprofile.make_example_dataset)"


def _figure_folder(argv: list[str]) -> Path | None:
    """Folder given to a script run as ``python script.py FOLDER`` or by
    $FLUXPROFILE_FIGURES, else None."""
    folder = os.environ.get("FLUXPROFILE_FIGURES")
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if (
        not folder
        and len(argv) > 1
        and script
        and Path(argv[0]).resolve() == Path(script).resolve()
    ):
        folder = argv[1]
    return None if not folder else Path(folder)


def figure_saver(folder: str | os.PathLike) -> Any:
    """A replacement of ``matplotlib.pyplot.show`` that saves the open figures.

    Parameters
    ----------
    folder : str or path-like
        Where the PNG files go (created if needed).

    Returns
    -------
    show : callable
        ``show(*args, **kwargs)``: saves every open figure that has axes as
        ``figure_NN.png`` (NN counts from 01 over the calls) at 100 dpi and closes all
        figures.
    """
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    count = [0]

    def show(*args: Any, **kwargs: Any) -> None:
        for number in plt.get_fignums():
            fig = plt.figure(number)
            if not fig.axes:
                continue
            count[0] += 1
            path = folder / f"figure_{count[0]:02d}.png"
            fig.savefig(path, dpi=100, bbox_inches="tight")
            print(f"saved {path}")
        plt.close("all")

    return show


def check_tutorials_setup(download_datasets_path: str = "./gammapy-data") -> None:
    """Print the set-up of a tutorial and make it runnable here (Gammapy's
    ``check_tutorials_setup``; what it sets up is in the module docstring).

    Parameters
    ----------
    download_datasets_path : str, optional
        Accepted for Gammapy's signature; nothing is downloaded. Default is
        "./gammapy-data".
    """
    import matplotlib

    print("System:\n")
    print(f"\tpython_executable      : {sys.executable}")
    print(f"\tpython_version         : {platform.python_version()}")
    print(f"\tmachine                : {platform.machine()}")
    print(f"\tsystem                 : {platform.system()}\n")
    print("fluxprofile package:\n")
    print(f"\tversion                : {version('fluxprofile')}\n")
    print("Other packages:\n")
    for name in _PACKAGES:
        try:
            print(f"\t{name:<22} : {version(name)}")
        except PackageNotFoundError:
            print(f"\t{name:<22} : not installed")
    folder, source = _data_folder()
    print("\nData:\n")
    print(f"\tGAMMAPY_DATA           : {folder} (from {source})")
    backend = matplotlib.get_backend().lower()
    interactive = backend not in ("agg", "pdf", "ps", "svg", "cairo", "template")
    if "sphinx_gallery" not in sys.modules and not interactive:
        figures = _figure_folder(sys.argv)
        if figures is not None:
            import matplotlib.pyplot as plt

            plt.show = figure_saver(figures)
            print(f"\tfigures                : {figures}")


def display(obj: Any) -> None:
    """Show an object: IPython's ``display`` inside IPython, else ``print``.

    The tutorial's ``from IPython.display import display`` becomes this import, since
    IPython is not a dependency of fluxprofile.

    Parameters
    ----------
    obj : object
        What to show (e.g. an astropy Table).
    """
    shell = sys.modules.get("IPython")
    if shell is not None and getattr(shell, "get_ipython", lambda: None)() is not None:
        from IPython.display import display as ipython_display

        ipython_display(obj)
        return
    print(obj)
