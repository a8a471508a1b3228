"""Fixtures of the plotting tests: a figure saved as a PNG in tests/artifacts/plotting, and
the helper module ``plot_helpers`` (the suite's ``--import-mode=importlib`` keeps this
folder off sys.path, so it is registered here, before the test modules import it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest

matplotlib.use("Agg")


def _register_helper(name: str) -> None:
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).with_name(f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_register_helper("plot_helpers")
from plot_helpers import ARTIFACTS


@pytest.fixture
def figure(request):
    """A new figure, saved to tests/artifacts/plotting/<test id>.png and closed afterwards."""
    fig = plt.figure()
    yield fig
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("[", "_").replace("]", "").replace("/", "_")
    fig.savefig(ARTIFACTS / f"{name}.png", dpi=80)
    plt.close(fig)
