"""Sky regions: the profile generators, their conversion to pixel shapes on any WCS, and
the distance axis."""

from __future__ import annotations

from ._regions import *  # noqa: F403
from ._regions import __all__
