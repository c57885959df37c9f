"""The troubleshooting page quotes what the code really prints and names what really exists."""
import inspect
import json
import re
from pathlib import Path

import yaml

import lablib.training
from lablib import data
from lablib.plotting import korean

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "chapters" / "troubleshooting.md").read_text(encoding="utf-8")
REPO_URL = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def test_offline_notice_is_quoted_word_for_word():
    quote = _squeeze(" ".join(line[1:] for line in PAGE.splitlines() if line.startswith(">")))
    assert quote == _squeeze(data.OFFLINE_NOTICE.format(n_train=8000, n_test=2000))


def test_colab_cell_is_the_chapters_cell():
    cell = re.search(r"```python\n(# Colab only.*?)```", PAGE, flags=re.S)[1]
    assert f"git+{REPO_URL}" in cell and '"google.colab" in sys.modules' in cell
    for nb_path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        first = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
        # chapter 10 installs its extras too (Optuna, TensorBoard: pyproject's "lab")
        first = first.replace('"lablib[plots,lab] @', '"lablib[plots] @')
        assert _squeeze(first) == _squeeze(cell), nb_path.name


def test_named_functions_and_arguments_exist():
    assert "epochs" in inspect.signature(lablib.training.fit).parameters
    for name in ("use_korean_font", "missing_glyphs"):
        assert f"{name}(" in PAGE and callable(getattr(korean, name))
    assert "LABLIB_OFFLINE" in PAGE and "LABLIB_DATA" in PAGE
    for filename, _ in data.MNIST_FILES.values():
        assert filename in PAGE


def test_num_epochs_argument_exists_where_the_page_says():
    import lablib.numpy_training

    assert "num_epochs" in inspect.signature(lablib.numpy_training.train).parameters


def test_page_is_bilingual():
    sections = re.split(r"^## ", PAGE, flags=re.M)[1:]
    assert len(sections) >= 7
    for section in sections:
        assert re.search("[가-힣]", section) and re.search(r"\b(the|and|is)\b", section), section[:40]
