import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")          # tests draw without a screen
os.environ.setdefault("LABLIB_OFFLINE", "1")

# the book's own tooling (booktools/, not part of lablib) is imported from the repository root
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True)
def close_figures():
    """Close every pyplot figure a test leaves open (matplotlib warns above 20 open figures).

    Costs nothing in tests that never import pyplot.
    """
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
