"""The HEALPix tests' helpers module ``hpx_helpers`` (tests/healpix/hpx_helpers.py),
importable by name under ``--import-mode=importlib``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "hpx_helpers", Path(__file__).with_name("hpx_helpers.py")
)
_module = importlib.util.module_from_spec(_spec)
sys.modules["hpx_helpers"] = _module
_spec.loader.exec_module(_module)
