"""fluxprofile: fast flux profiles of gamma-ray sky maps."""

from __future__ import annotations

from importlib.metadata import version as _version

try:
    from . import _core  # noqa: F401
except ImportError as err:  # pragma: no cover - only without a build
    if "_core" in str(err):
        err.msg += (
            "\nDid you forget to compile fluxprofile? Install it with `pip install .`"
        )
    raise

__version__ = _version("fluxprofile")
__all__ = ["__version__"]
