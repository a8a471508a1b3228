"""The ``fluxprofile`` command line."""

from __future__ import annotations

from ._cli import main

__all__ = ["main"]
