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


# ----------------------------------------------------------------- show_source leaves docstrings out
def _docstrings(code):
    """The docstrings in a piece of code (its own and those of the functions and classes inside)."""
    import ast
    import textwrap

    return [ast.get_docstring(node) for node in ast.walk(ast.parse(textwrap.dedent(code)))
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and ast.get_docstring(node) is not None]


def _file_lines(src):
    with open(lablib.__file__.replace("lablib/__init__.py", src.filename), encoding="utf-8") as fh:
        return fh.read().splitlines()[src.first_line - 1:src.last_line]


def test_show_source_omits_the_docstring_and_says_so():
    from lablib import gradcheck

    src = lablib.show_source(gradcheck.numerical_gradient)
    code = str(src)
    assert _docstrings(code) == [] and '"""' not in code
    assert src.docstring_omitted and src.caption().endswith("(docstring omitted)")
    assert code.startswith("def numerical_gradient(")
    assert "_check_args(x, h, method)" in code
    assert _file_lines(src)[-1] == code.splitlines()[-1]       # the caption's lines are the file's
    assert len(code.splitlines()) < len(_file_lines(src)) - 20   # the docstring is long, the code short


def test_show_source_keeps_every_code_line_faithfully():
    from lablib import search

    src = lablib.show_source(search.random_search)
    full = str(lablib.show_source(search.random_search, docstring=True)).splitlines()
    assert full == _file_lines(src)                  # docstring=True: the file as it is
    code = str(src).splitlines()
    # deleting the docstring's lines from the full listing gives exactly the short one
    start = next(i for i, line in enumerate(full) if line.lstrip().startswith(('r"""', '"""')))
    end = next(i for i in range(start + 1, len(full)) if full[i].rstrip().endswith('"""'))
    assert code == full[:start] + full[end + 1:]


def test_show_source_with_docstring_true_shows_it():
    src = lablib.show_source(lablib.set_seed, docstring=True)
    assert _docstrings(str(src)) == [lablib.set_seed.__doc__.strip().replace("\n    ", "\n")]
    assert not src.docstring_omitted and "omitted" not in src.caption()
    with pytest.raises(ValueError, match="docstring must be True or False"):
        lablib.show_source(lablib.set_seed, docstring="yes")


def test_show_source_of_a_class_omits_its_methods_docstrings_too():
    src = lablib.show_source(lablib.Source)
    assert _docstrings(str(src)) == []
    assert "def caption(self)" in str(src) and "def last_line(self)" in str(src)
    assert len(_docstrings(str(lablib.show_source(lablib.Source, docstring=True)))) == 2


def test_show_source_keeps_a_docstring_it_cannot_remove_cleanly(tmp_path, monkeypatch):
    (tmp_path / "odd_module.py").write_text(
        'def only_doc():\n    """Nothing else here."""\n\n\n'
        'def same_line(): """On the def line."""; return 1\n\n\n'
        'def normal():\n    """Gone."""\n\n    return 2\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import odd_module

    assert "Nothing else here" in str(lablib.show_source(odd_module.only_doc))   # else no body left
    assert "On the def line" in str(lablib.show_source(odd_module.same_line))
    src = lablib.show_source(odd_module.normal)
    assert str(src) == "def normal():\n    return 2" and (src.first_line, src.last_line) == (8, 11)


def _chapter_listings():
    """Every ``show_source(...)`` call in the chapters' code cells: (chapter, call text, object, docstring)."""
    import ast
    import json
    import pathlib

    found = []
    for path in sorted(pathlib.Path(lablib.__file__).parents[1].joinpath("chapters").glob("*.ipynb")):
        imports, calls = {}, []
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            lines = [line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!"))
                     else line for line in source.splitlines()]            # IPython magics
            for node in ast.walk(ast.parse("\n".join(lines))):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and (
                        getattr(node, "module", None) or node.names[0].name).startswith("lablib"):
                    for alias in node.names:
                        imports[(alias.asname or alias.name).split(".")[0]] = ast.unparse(node)
                elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) \
                        == "show_source":
                    calls.append(node)
        for call in calls:
            namespace = {}
            root = call.args[0]
            while isinstance(root, ast.Attribute):
                root = root.value
            exec(imports[root.id], namespace)
            asked = any(k.arg == "docstring" and ast.literal_eval(k.value) for k in call.keywords)
            found.append((path.stem, ast.unparse(call), eval(ast.unparse(call.args[0]), namespace), asked))
    return found


def test_no_chapter_listing_prints_a_docstring_unless_asked():
    listings = _chapter_listings()
    assert len(listings) >= 25, listings          # about 30 listings in chapters 1-9
    for chapter, call, obj, asked in listings:
        src = lablib.show_source(obj, docstring=asked)
        if not asked:
            assert _docstrings(str(src)) == [], f"{chapter}: {call} prints a docstring"
            assert src.docstring_omitted == (_docstrings(str(lablib.show_source(obj, docstring=True))) != []), \
                f"{chapter}: {call}'s caption"
