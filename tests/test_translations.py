"""The Korean edition's catalogs: complete, in step with the English sources, and true to them.

- every page's catalog has exactly the messages that the English page has today (so an English
  change shows up as an untranslated or fuzzy message, never as a silently English paragraph);
- on the pages listed in TRANSLATED, every message is translated, none is fuzzy, and each keeps its
  msgid's math, role targets, inline code and numbers, in the book's Korean (booktools/catalog_lint.py).

The list grows page by page until it names every page of the book.
"""
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from booktools import catalog_lint as i18n_checks
from booktools.catalog_lint import LOCALE_DIR, ROOT, catalog_problems, message_problems

sys.path.insert(0, str(ROOT / "_ext"))
import book_i18n  # noqa: E402

#: pages whose Korean is complete (docnames); the others fall back to English until they are added
TRANSLATED = [
    "intro",
    "chapters/setup",
    "chapters/troubleshooting",
    "chapters/01_loss_functions",
    "chapters/02_optimization_and_gradients",
    "chapters/03_softmax_classifier",
    "chapters/04_backpropagation",
    "chapters/05_gradient_descent_struggles",
    "chapters/06_stochastic_gradient_descent",
    "chapters/07_momentum",
    "chapters/08_adagrad_rmsprop_adam",
    "chapters/09_training_mnist",
    "chapters/10_resnet_lab",
    "chapters/references",
    "chapters/slides",
    "chapters/api",                    # its own text; lablib's docstrings stay English
    "chapters/api_torch",              # the same for the PyTorch modules (chapters 9 and 10)
    "chapters/glossary",               # term lines kept as in the English (they are the link targets)
]
#: catalogs of the themes' own strings (Sphinx's domains 'sphinx' and 'booktheme'), not of a page
THEME_CATALOGS = ["sphinx", "booktheme"]
ALL_PAGES = sorted(p.relative_to(LOCALE_DIR).with_suffix("").as_posix() for p in LOCALE_DIR.rglob("*.po")
                   if p.stem not in THEME_CATALOGS)


@pytest.mark.parametrize("page", TRANSLATED)
def test_translated_page_has_no_problems(page):
    problems = catalog_problems(LOCALE_DIR / f"{page}.po")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("domain", THEME_CATALOGS)
def test_theme_catalog_has_no_problems(domain):
    problems = catalog_problems(LOCALE_DIR / f"{domain}.po")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def fresh_templates(tmp_path_factory):
    """The message templates extracted from the English sources as they are now (no execution)."""
    out = tmp_path_factory.mktemp("gettext")
    config = book_i18n.write_config("gettext", out / "_config.yml")
    subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "--config",
                    str(config), "--path-output", str(out), "--builder", "custom",
                    "--custom-builder", "gettext", "--quiet"], check=True, capture_output=True)
    return out / "_build" / "gettext"


def _ids(path):
    """The msgids of a catalog or template, without lablib's docstrings (they stay English, and
    their messages come and go with the code)."""
    locations = i18n_checks._locations_by_line(path)
    with open(path, "rb") as f:
        return {m.id for m in read_po(f)
                if m.id and not i18n_checks._is_docstring(locations.get(m.lineno, []))}


def test_every_page_has_a_catalog(fresh_templates):
    pages = sorted(p.relative_to(fresh_templates).with_suffix("").as_posix()
                   for p in fresh_templates.rglob("*.pot") if p.stem not in THEME_CATALOGS)
    assert pages == ALL_PAGES, "run `make po` to create the missing catalogs"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_catalog_is_in_step_with_the_english(page, fresh_templates):
    english, korean = _ids(fresh_templates / f"{page}.pot"), _ids(LOCALE_DIR / f"{page}.po")
    new, gone = sorted(english - korean), sorted(korean - english)
    assert not new and not gone, (f"{page}: run `make po`, then translate; new in the English: "
                                  f"{[m[:60] for m in new[:5]]}; gone from it: {[m[:60] for m in gone[:5]]}")


def test_exercise_titles_are_extracted(fresh_templates):
    assert "Where gradient descent stops converging" in _ids(
        fresh_templates / "chapters" / "05_gradient_descent_struggles.pot")


# --- the checks themselves -----------------------------------------------------------------------

MSGID = ("A **{term}`gradient descent` (경사 하강법)** step with `lr=0.1` moves $w$ by 0.25 in 3 steps; "
         "see {ref}`ch5-limits` and $$x^2$$.")
GOOD = ("`lr=0.1`인 **{term}`경사 하강법 <gradient descent>`(gradient descent)** 한 단계는 3단계에 $w$를 "
        "0.25만큼 움직인다. {ref}`ch5-limits`와 $$x^2$$를 보라.")


def test_a_faithful_translation_passes():
    assert message_problems(MSGID, GOOD) == []


@pytest.mark.parametrize("broken, problem", [
    (GOOD.replace("$w$", "$v$"), "math missing or changed"),
    (GOOD.replace("$$x^2$$", "$$x^3$$"), "math missing or changed"),
    (GOOD.replace("<gradient descent>", "<gradient>"), "role missing or changed"),
    (GOOD.replace("{ref}`ch5-limits`", "5장"), "role missing or changed"),
    (GOOD.replace("`lr=0.1`", "`lr=0.2`"), "code missing or changed"),
    (GOOD.replace("0.25", "0.3"), "number missing or changed"),
    (GOOD.replace("3단계", "세 단계"), "number missing or changed"),
    (GOOD.replace("$w$를", "$w$ 를"), "space before the particle '를'"),
    (GOOD.replace("`lr=0.1`인", "`lr=0.1` 인"), None),          # 인 is not a particle: fine
    (GOOD.replace("움직인다.", "움직입니다."), "polite ending"),
    (GOOD.replace("움직인다.", "움직이는 것이 아니다."), None),      # 아니다 is 평서체
    ("**목표.** 이 실습은 " + GOOD, None),                          # 이 = "this", after punctuation
    (GOOD + " 1차 모멘트도 같다.", None),                          # a glossary term's digit is no number
    (GOOD.replace("**{term}`경사 하강법 <gradient descent>`(gradient descent)** 한",
                  "**{term}`경사 하강법 <gradient descent>`(gradient descent)**의"), "bold/italic markup lost"),
    ("", "untranslated"),
])
def test_each_kind_of_slip_is_named(broken, problem):
    problems = message_problems(MSGID, broken)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_docstring_messages_stay_english(tmp_path):
    po = tmp_path / "api.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  '#: ../../lablib/optim.py:docstring of lablib.optim.SGD:1\n#: ../../lablib/optim.py:docstring of lablib.optim.SGD:3\nmsgid "SGD."\nmsgstr ""\n\n'
                  '#: ../../chapters/api.md:3\nmsgid "The API."\nmsgstr ""\n', encoding="utf-8")
    assert [p.split(": ", 2)[-1] for p in catalog_problems(po)] == ["untranslated"]


def test_language_switch_targets():
    assert book_i18n.other_language("en", "intro") == {"code": "ko", "label": "한국어", "url": "ko/intro.html"}
    assert book_i18n.other_language("ko", "chapters/glossary")["url"] == "../../chapters/glossary.html"


def test_build_configs():
    ko, pot = book_i18n.build_config("ko"), book_i18n.build_config("gettext")
    assert ko["sphinx"]["config"]["language"] == "ko"
    assert pot["execute"]["execute_notebooks"] == "off"
    assert all(Path(p).is_dir() for p in ko["sphinx"]["local_extensions"].values())
    with pytest.raises(ValueError, match="kind must be 'ko' or 'gettext'"):
        book_i18n.build_config("fr")
    assert i18n_checks.LOCALE_DIR.is_dir()
