"""Makes tests/regions/region_cases.py importable as ``region_cases``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "region_cases", Path(__file__).with_name("region_cases.py")
)
_module = importlib.util.module_from_spec(_spec)
sys.modules["region_cases"] = _module
_spec.loader.exec_module(_module)
