"""lablib.figure_language: figure text from a catalog, numbers kept, missing text reported."""
import json
import os
import subprocess
import sys
import textwrap
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest

from lablib import figure_language as fl
from lablib.figure_language import FigureCatalog, load_catalog, message_key, needs_translation

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KO_FIGURES = os.path.join(ROOT, "locales", "ko", "figures.po")


def _po(tmp_path, body, header='"Language: ko\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n', name="f.po"):
    path = tmp_path / name
    path.write_text(f'msgid ""\nmsgstr ""\n{header}\n' + textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture
def korean():
    """A small Korean catalog, active for the test, then switched off with matplotlib's defaults back."""
    catalog = FigureCatalog({"loss after {0} steps": "{0}단계 후의 손실", "SGD": "SGD",
                             "learning rate": "학습률", "epoch": "에폭",
                             "{0} of {1} images": "이미지 {1}장 중 {0}장",
                             "the {gate} gate": "{gate} 게이트"}, "ko", source="test.po")
    with matplotlib.rc_context():
        fl.activate(catalog)
        try:
            yield catalog
        finally:
            fl.deactivate()


# --- keys ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, key, numbers", [
    ("SGD, α = 0.1, 50 steps", "SGD, α = {0}, {1} steps", ["0.1", "50"]),
    ("after 1,000 steps", "after {0} steps", ["1,000"]),
    ("eps 1e-08", "eps {0}", ["1e-08"]),
    ("float64 and w1 and x_2", "float64 and w1 and x_2", []),          # parts of names
    ("$L = x^2/20$", "$L = x^2/{0}$", ["20"]),                          # a power is the formula's
    ("from $(1, 10^{-6})$", "from $({0}, {1}^{-6})$", ["1", "10"]),
    ("$w_{t-1}$ and $w_3$", "$w_{t-1}$ and $w_3$", []),                 # indices too
    ("−4 to x", "−{0} to x", ["4"]),                                    # the sign stays in the text
])
def test_message_key_takes_out_numbers_but_not_names_powers_or_indices(text, key, numbers):
    assert message_key(text) == (key, numbers)


@pytest.mark.parametrize("text, expected", [
    ("learning rate", True), ("SGD", True), ("$\\alpha = 0.1$", False), ("x", False),
    ("α = 0.1", False), ("$w_1$ after 3 steps", True), ("−0.5", False), ("", False),
])
def test_needs_translation_means_a_latin_word_outside_math(text, expected):
    assert needs_translation(text) is expected


# --- the catalog --------------------------------------------------------------------------------
def test_translate_puts_the_same_numbers_back_even_reordered():
    catalog = FigureCatalog({"{0} of {1} images": "이미지 {1}장 중 {0}장"}, "ko")
    assert catalog.translate("9,000 of 10,000 images") == "이미지 10,000장 중 9,000장"


def test_untranslated_text_is_drawn_as_it_is_and_reported_once(capsys):
    catalog = FigureCatalog({}, "ko", source="figures.po")
    assert catalog.translate("loss after 5 steps") == "loss after 5 steps"
    assert catalog.translate("loss after 7 steps") == "loss after 7 steps"
    err = capsys.readouterr().err
    assert err.count(fl.UNTRANSLATED_MARKER) == 1
    assert "'loss after {0} steps'" in err and "figures.po" in err
    assert catalog.missing == ["loss after {0} steps"]


def test_a_translation_is_not_looked_up_again():
    catalog = FigureCatalog({"exp gate": "exp 게이트"}, "ko")
    once = catalog.translate("exp gate")
    assert catalog.translate(once) == "exp 게이트" and catalog.missing == []


@pytest.mark.parametrize("messages, what", [
    ({"after {0} steps": "단계 후"}, "{0}"),                         # a number dropped
    ({"after {0} steps": "{1}단계 후"}, "{1}"),                      # a number invented
    ({"the {gate} gate": "게이트"}, "{gate}"),                       # a named field dropped
])
def test_a_translation_must_keep_its_placeholders(messages, what):
    with pytest.raises(ValueError, match="must keep the placeholders") as err:
        FigureCatalog(messages, "ko", source="x.po")
    assert what in str(err.value) and "x.po" in str(err.value)


def test_language_must_be_a_code():
    with pytest.raises(ValueError, match="language must be a code"):
        FigureCatalog({}, "Korean")


def test_translate_template_translates_the_template_then_fills_it():
    catalog = FigureCatalog({"Forward {i}/{n}: the {gate} gate": "순방향 {i}/{n}: {gate} 게이트"}, "ko")
    assert catalog.translate_template("Forward {i}/{n}: the {gate} gate", i="1", n="2", gate="×") == \
        "순방향 1/2: × 게이트"


def test_without_a_catalog_everything_is_as_given():
    assert fl.active_catalog() is None
    assert fl.translate("learning rate") == "learning rate"
    assert fl.translate_template("the {gate} gate", gate="+") == "the + gate"


# --- reading catalogs ---------------------------------------------------------------------------
def test_load_catalog_reads_translations_and_leaves_out_fuzzy_and_empty(tmp_path):
    path = _po(tmp_path, '''
        msgid "loss after {0} steps"
        msgstr "{0}단계 후의 손실"

        #, fuzzy
        msgid "epoch"
        msgstr "에폭"

        msgid "step"
        msgstr ""
        ''')
    catalog = load_catalog(path)
    assert catalog.language == "ko" and catalog.messages == {"loss after {0} steps": "{0}단계 후의 손실"}


def test_load_catalog_names_the_file_and_line_of_a_syntax_error(tmp_path):
    path = _po(tmp_path, '''
        msgid "epoch"
        msgtr "에폭"
        ''')
    with pytest.raises(ValueError, match="not a valid gettext catalog") as err:
        load_catalog(path)
    assert f"{path}:8: not a valid" in str(err.value)          # msgtr is on line 8 of the file


def test_load_catalog_refuses_a_missing_file_and_a_catalog_without_language(tmp_path):
    with pytest.raises(FileNotFoundError, match="no figure catalog at .*nowhere.po"):
        load_catalog(tmp_path / "nowhere.po")
    with pytest.raises(ValueError, match="no Language header"):
        load_catalog(_po(tmp_path, 'msgid "a"\nmsgstr "b"\n', header=""))


def test_the_books_korean_catalog_loads_and_every_message_is_translated():
    from babel.messages.pofile import read_po

    catalog = load_catalog(KO_FIGURES)
    with open(KO_FIGURES, "rb") as f:
        ids = [m.id for m in read_po(f) if m.id]
    assert catalog.language == "ko" and len(ids) > 200
    assert [key for key in ids if key not in catalog.messages] == []


# --- drawing ------------------------------------------------------------------------------------
def test_an_active_catalog_translates_titles_labels_legends_and_ticks(korean):
    fig, ax = plt.subplots()
    ax.set_title("loss after 50 steps")
    ax.set_xlabel("epoch")
    ax.plot([0, 1], label="SGD")
    ax.bar(["learning rate", "epoch"], [1, 2])                          # category tick labels
    ax.legend()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    texts = {t.get_text() for t in fig.findobj(matplotlib.text.Text)}
    plt.close(fig)
    assert {"50단계 후의 손실", "에폭", "SGD", "학습률"} <= texts
    assert "loss after 50 steps" not in texts
    assert not [w for w in caught if "missing from font" in str(w.message)]   # Hangul has its font
    assert matplotlib.rcParams["font.family"] == ["sans-serif", "NanumGothic"]  # Latin as in English


def test_log_ticks_keep_their_minus_and_hangul_beside_math_is_drawn(korean, caplog):
    korean.messages.update({"start $w_0 = {0}$": "$w_0 = {0}$에서 출발",
                            "start $w_0 = -{0}$": "$w_0 = -{0}$에서 출발"})
    fig, ax = plt.subplots()
    ax.semilogy([1, 2, 3], [1e-1, 1e-3, 1e-6])
    ax.set_xlabel("epoch")
    ax.set_title("start $w_0 = -0.5$")                 # Hangul and math (with a minus) in one text
    ax.text(1, 1e-3, "start $w_0 = 2$")                # a new Text: its font is set after its text
    ax.plot([1, 2], [1e-2, 1e-4], label="start $w_0 = 3$")
    ax.legend()                                         # a legend measures its texts itself
    fig.tight_layout()
    with caplog.at_level("WARNING"):
        fig.canvas.draw()
    plt.close(fig)
    assert not [r for r in caplog.records if "does not have a glyph" in r.getMessage()]
    assert ax.get_title() == "$w_0 = -0.5$에서 출발" and ax.title.get_fontfamily()[0] == "NanumGothic"


def test_deactivate_draws_as_given_again(korean):
    fl.deactivate()
    fig, ax = plt.subplots()
    ax.set_title("epoch")
    assert ax.get_title() == "epoch"
    plt.close(fig)


def test_widgets_explorers_and_the_step_player_use_the_catalog(korean):
    from lablib import graph
    from lablib.autograd import Value
    from lablib.explorer import PathExplorer
    from lablib.landscapes import quartic
    from lablib.widgets import lr_slider

    korean.messages.update({"learning rate α": "학습률 α", "diverged after {0} steps": "{0}단계 후 발산",
                            "Forward {i}/{n}: the {gate} gate computes {out}": "순방향 {i}/{n}: {gate} 게이트가 {out}을 계산한다"})
    assert lr_slider(0.1).description == "학습률 α"
    html = PathExplorer(quartic(), -0.1, ["SGD"], lrs=[0.1, 9.0], lr=0.1, steps=20).html()
    assert "학습률 α" in html and "learning rate α" not in html
    assert "단계 후 발산" in html                                         # lr = 9 diverges
    x, y = Value(-2.0, label="x"), Value(5.0, label="y")
    t = graph.trace(x + y)
    assert t.steps[1].caption == "Forward 1/1: the + gate computes 3"    # the data stay English
    assert t.steps[1].shown == "순방향 1/1: + 게이트가 3을 계산한다"


def test_importing_lablib_with_the_variable_set_activates_the_catalog(tmp_path):
    path = _po(tmp_path, 'msgid "epoch"\nmsgstr "에폭"\n')
    code = ("import matplotlib; matplotlib.use('Agg'); import lablib, matplotlib.pyplot as plt; "
            "fig, ax = plt.subplots(); ax.set_xlabel('epoch'); ax.set_title('loss'); "
            "import json; print(json.dumps([ax.get_xlabel(), ax.get_title()]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, fl.CATALOG_ENV: str(path)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["에폭", "loss"]
    assert f"{fl.UNTRANSLATED_MARKER} 'loss'" in done.stderr


def test_importing_lablib_with_a_missing_catalog_fails_naming_it(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import lablib"], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, fl.CATALOG_ENV: str(tmp_path / "gone.po")})
    assert done.returncode != 0 and "no figure catalog at" in done.stderr and "gone.po" in done.stderr
