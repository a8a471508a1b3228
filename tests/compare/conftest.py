"""Fixtures of the comparison tests: the synthetic cases and the Fermi-LAT diffuse model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# tests/compare/cases.py as the module ``compare_cases`` (the suite uses importlib mode).
_spec = importlib.util.spec_from_file_location(
    "compare_cases", Path(__file__).with_name("cases.py")
)
_module = importlib.util.module_from_spec(_spec)
sys.modules["compare_cases"] = _module
_spec.loader.exec_module(_module)
