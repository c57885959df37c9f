"""The book's own rules: table of contents, chapter notebooks, launch buttons."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
REPO_URL = CONFIG["repository"]["url"]


def toc_files(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for value in node.values():
            yield from toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from toc_files(item)


def test_every_toc_entry_exists():
    for entry in [TOC["root"], *toc_files(TOC["parts"])]:
        assert any((ROOT / f"{entry}{ext}").is_file() for ext in (".md", ".ipynb")), entry


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_files(TOC["parts"]))
    for nb in NOTEBOOKS:
        assert f"chapters/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


def test_launch_buttons_are_configured():
    assert REPO_URL.startswith("https://github.com/")
    assert CONFIG["launch_buttons"]["binderhub_url"] and CONFIG["launch_buttons"]["colab_url"]
    assert (ROOT / "binder" / "requirements.txt").read_text().count("whl/cpu") == 1


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def test_chapter_notebook_conventions(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for cell in code:
        assert not cell.get("outputs") and cell.get("execution_count") is None, \
            f"{nb_path.name}: commit notebooks without outputs"
    first = "".join(code[0]["source"])
    assert "remove-cell" in code[0].get("metadata", {}).get("tags", []), "Colab cell must be tagged remove-cell"
    assert '"google.colab" in sys.modules' in first, "the install must run only on Colab"
    urls = re.findall(r"git\+(https://\S+?)[\"'\s]", first)
    assert urls == [REPO_URL], f"Colab cell installs from {urls}, _config.yml says {REPO_URL}"
    second = "".join(code[1]["source"])
    assert "set_seed(" in second and "import *" not in second
    assert not any("import *" in "".join(c["source"]) for c in code)
    assert nb["cells"][0]["cell_type"] == "markdown" and "".join(nb["cells"][0]["source"]).lstrip().startswith("(")


def test_colab_cell_is_a_no_op_off_colab():
    if not NOTEBOOKS:
        pytest.skip("no chapter yet")
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    first = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    # run it as IPython would (the %pip line is only reached on Colab)
    script = "import sys\nfrom IPython.core.inputtransformer2 import TransformerManager\n" \
             f"src = TransformerManager().transform_cell({first!r})\n" \
             "calls = []\nclass FakeIPython:\n    def run_line_magic(self, *a): calls.append(a)\n" \
             "exec(src, {'get_ipython': FakeIPython, 'sys': sys})\nassert calls == [], calls\n" \
             "sys.modules['google.colab'] = type(sys)('google.colab')\n" \
             "exec(src, {'get_ipython': FakeIPython, 'sys': sys})\nassert len(calls) == 1 and 'pip' in calls[0][0], calls\n"
    subprocess.run([sys.executable, "-c", script], check=True)


CHAPTERS = [nb for nb in NOTEBOOKS if nb.stem[:2].isdigit()]


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=[nb.name for nb in CHAPTERS])
def test_chapter_has_a_lab_plan_and_a_checklist(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    markdown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    minutes = re.search(r"Estimated lab time:?\**:?\s*(?:about\s*)?(\d+)\s*(?:–|-|to)?\s*(\d+)?\s*minutes", markdown[0])
    assert minutes, f"{nb_path.name}: the first cell needs 'Estimated lab time: N minutes'"
    assert 10 <= int(minutes.group(1)) <= 180
    assert any("After this chapter you can" in m for m in markdown[-3:]), \
        f"{nb_path.name}: end with a checklist 'After this chapter you can ...'"
