"""lablib itself: light import, seeding and show_source."""
import subprocess
import sys

import numpy as np
import pytest

import lablib


def test_import_is_light():
    code = "import sys, lablib; print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_set_seed_seeds_numpy_python_and_torch():
    import random

    import torch

    lablib.set_seed(123)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    rng_a = lablib.set_seed(123)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b
    assert rng_a.standard_normal() == lablib.set_seed(123).standard_normal()


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "0", True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        lablib.set_seed(bad)


def test_show_source_shows_the_real_code():
    src = lablib.show_source(lablib.set_seed)
    assert str(src).startswith("def set_seed(")
    assert src.filename == "lablib/__init__.py"
    md = src._repr_markdown_()
    assert "```python" in md and "lablib/__init__.py, lines" in md
    with open(lablib.__file__, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    assert lines[src.first_line - 1].startswith("def set_seed(")
    assert lines[src.last_line - 1].strip() == str(src).splitlines()[-1].strip()


def test_show_source_of_a_method_is_dedented():
    src = lablib.show_source(lablib.Source.caption)
    assert str(src).startswith("def caption(self)")


def test_show_source_rejects_builtins():
    with pytest.raises(ValueError, match="show_source"):
        lablib.show_source(len)
