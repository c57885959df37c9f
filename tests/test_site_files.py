"""The website's own files: pinned front-end assets, the Sphinx extension, the Pages workflow.

(The built site itself is tested in a browser by tests/browser/.)
"""
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import book_site  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
SPHINX = CONFIG["sphinx"]["config"]


def test_front_end_packages_are_pinned_exactly():
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert set(book_site.ASSETS) <= set(pins)
    for name, version in pins.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly, got {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert lock["packages"][""]["dependencies"][name] == version


def test_the_config_loads_nothing_from_a_cdn():
    settings = json.dumps(CONFIG)             # the settings, without the comments
    assert not re.search(r"cdn|unpkg|jsdelivr|cloudflare", settings, re.I)
    assert "://" not in SPHINX["mathjax_path"]
    assert CONFIG["sphinx"]["local_extensions"] == {"book_site": "_ext", "book_i18n": "_ext"}
    widgets_js = list(SPHINX["nb_ipywidgets_js"])
    assert widgets_js == ["jupyter-widgets/require.js", "jupyter-widgets/setup.js",
                          "jupyter-widgets/embed-amd.js"]      # RequireJS first, the manager last


def test_every_local_script_the_config_names_is_served(tmp_path):
    """Copy the assets as the build does, then find every file _config.yml points at."""
    if not (ROOT / "node_modules").is_dir():        # `make test-unit` needs Python only
        pytest.skip("front-end files not installed: `make setup-node` (npm ci); `make test` installs them first")
    try:
        book_site.check_assets(ROOT)
    except Exception as err:            # a clear message rather than a pass
        pytest.fail(f"{err}")
    static = tmp_path / "_static"
    copied = book_site.copy_assets(ROOT, static)
    assert copied > 3_000_000
    served = {p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file()}
    served |= {p.relative_to(book_site.STATIC).as_posix() for p in book_site.STATIC.rglob("*") if p.is_file()}
    for path in SPHINX["nb_ipywidgets_js"]:
        assert path in served, path
    # formulas are typeset at build time: MathJax's fonts are served, its script is not
    fonts = {p for p in served if p.startswith("mathjax/output/chtml/fonts/woff-v2/")}
    assert "mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff" in fonts and len(fonts) > 20
    assert SPHINX["mathjax_path"] not in served and not any(p.endswith(".js") for p in served
                                                             if p.startswith("mathjax/"))
    # the widget manager's fonts sit beside it, as setup.js tells RequireJS
    assert sum(p.startswith("jupyter-widgets/") and p.endswith(".woff2") for p in served) == 3


def test_a_missing_or_wrong_package_stops_the_build(tmp_path):
    from sphinx.errors import ExtensionError

    (tmp_path / "package.json").write_text((ROOT / "package.json").read_text())
    with pytest.raises(ExtensionError, match="run `npm ci`"):
        book_site.check_assets(tmp_path)
    pkg = tmp_path / "node_modules" / "mathjax"
    pkg.mkdir(parents=True)
    (pkg / "package.json").write_text('{"version": "2.7.9"}')
    with pytest.raises(ExtensionError, match="mathjax 2.7.9, package.json pins"):
        book_site.check_assets(tmp_path)


def test_scripts_added_twice_are_kept_once():
    from sphinx.builders.html._assets import _JavaScript

    thebe = "const THEBE_JS_URL = 'x'"
    scripts = [_JavaScript("_static/a.js"), _JavaScript(None, body=thebe),
               _JavaScript("", body=thebe, priority=501), _JavaScript("_static/a.js", priority=700),
               _JavaScript("", body="other")]
    kept = book_site._dedupe(scripts)
    assert [(s.filename, s.attributes.get("body")) for s in kept] == [
        ("_static/a.js", None), (None, thebe), ("", "other")]


class _App:
    class config:
        nb_ipywidgets_js = {"jupyter-widgets/require.js": {}, "jupyter-widgets/embed-amd.js": {}}


def _widget_page(body):
    from sphinx.builders.html._assets import _JavaScript

    return {"body": body, "script_files": [
        _JavaScript("_static/doctools.js"),
        _JavaScript(None, body="{}", type=book_site.WIDGET_STATE),
        _JavaScript("_static/jupyter-widgets/require.js"),
        _JavaScript("_static/jupyter-widgets/embed-amd.js")]}


def test_the_widget_manager_stays_only_where_a_widget_is_shown():
    shown = _widget_page('<script type="application/vnd.jupyter.widget-view+json">{}</script>')
    book_site._drop_unused_widget_scripts(_App, shown)
    assert len(shown["script_files"]) == 4
    not_shown = _widget_page('<div class="lablib-explorer">...</div>')
    book_site._drop_unused_widget_scripts(_App, not_shown)
    assert [s.filename for s in not_shown["script_files"]] == ["_static/doctools.js"]


def test_publishing_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    build = workflow["jobs"]["build"]
    commands = [s["run"] for s in build["steps"] if "run" in s]
    assert commands == ["make test"] and "make test" in readme
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("make test")
    upload = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert build["env"]["LABLIB_OFFLINE"] == "1"          # the data the chapters' numbers are pinned to


def test_widgets_on_the_website_are_marked_static():
    view = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "1"}</script>'
    page = {"body": f"<p>a</p>{view}<p>b</p>{view}"}
    book_site._mark_static_widgets(page)
    note = f'<p class="book-widget-note">{book_site.STATIC_WIDGET_NOTE}</p>'
    wrapped = f'<div class="book-static-widget">{view}{note}</div>'
    assert page["body"] == f"<p>a</p>{wrapped}<p>b</p>{wrapped}"
    plain = {"body": '<div class="lablib-explorer">x</div>'}
    book_site._mark_static_widgets(plain)
    assert plain["body"] == '<div class="lablib-explorer">x</div>'


def _site_with(tmp_path, body):
    fonts = tmp_path / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    fonts.mkdir(parents=True)
    (tmp_path / "chapters").mkdir()
    page = tmp_path / "chapters" / "page.html"
    page.write_text(f"<html><head></head><body>{body}</body></html>", encoding="utf-8")
    return page


@pytest.fixture
def node_modules():
    if not (ROOT / "node_modules" / "mathjax-full").is_dir():
        pytest.skip("front-end files not installed: `make setup-node` (npm ci)")


def test_formulas_are_typeset_at_build_time(tmp_path, node_modules):
    page = _site_with(tmp_path, '<p>The loss <span class="math notranslate nohighlight">\\(L = x^2 &lt; 1\\)</span>.</p>'
                                '<div class="math notranslate nohighlight">\\begin{aligned} a &amp;= b \\end{aligned}</div>')
    assert book_site.prerender_math(tmp_path) == "prerender_math: 2 formulas typeset in 1 pages"
    html = page.read_text(encoding="utf-8")
    assert html.count("<mjx-container") == 2 and 'display="true"' in html
    assert "<mjx-assistive-mml" in html                        # what a screen reader reads
    assert "\\(" not in html and "MJX-CHTML-styles" in html
    assert 'url("../_static/mathjax/output/chtml/fonts/woff-v2/' in html   # fonts relative to the page
    book_site.prerender_math(tmp_path)                          # a second run changes nothing
    assert page.read_text(encoding="utf-8") == html


def test_a_formula_mathjax_cannot_read_stops_the_build(tmp_path, node_modules):
    from sphinx.errors import ExtensionError

    _site_with(tmp_path, '<span class="math notranslate nohighlight">\\(\\frac{1}{\\)</span>')
    with pytest.raises(ExtensionError, match=r"chapters/page\.html: MathJax cannot typeset .*frac"):
        book_site.prerender_math(tmp_path)


def test_figures_are_stored_compact(tmp_path):
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 0.3], label="loss"); ax.legend()
    buf = io.BytesIO(); fig.savefig(buf, format="png"); plt.close(fig)
    (tmp_path / "a.png").write_bytes(buf.getvalue())
    (tmp_path / "b.svg").write_text("<svg/>")
    before, after = book_site.compact_images(tmp_path)
    assert before == len(buf.getvalue()) and after == (tmp_path / "a.png").stat().st_size < before / 2
    assert (tmp_path / "b.svg").read_text() == "<svg/>"


def test_icon_fonts_are_cut_to_the_icons_the_site_shows(tmp_path):
    from fontTools.ttLib import TTFont

    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    fonts = tmp_path / "_static" / "vendor" / "fontawesome" / "webfonts"
    fonts.mkdir(parents=True)
    original = next(theme.rglob("fa-solid-900.woff2"))
    (fonts / "fa-solid-900.woff2").write_bytes(original.read_bytes())
    (tmp_path / "_static" / "theme.css").write_text(
        '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-rocket:before{content:"\\f135"}'
        '.fa-moon:before{content:"\\f186"}:root{--pst-icon-info-circle:"\uf05a"}', encoding="utf-8")
    (tmp_path / "page.html").write_text('<i class="fa-solid fa-bars"></i> <span class="fa-rocket"></span>')
    assert book_site.icons_in_use(tmp_path) == {0xF0C9, 0xF135, 0xF05A}      # not the moon: no page shows it
    before, after = book_site.subset_icon_fonts(tmp_path)
    assert before == original.stat().st_size and after < before / 10
    kept = set(TTFont(fonts / "fa-solid-900.woff2").getBestCmap())
    assert {0xF0C9, 0xF135, 0xF05A} <= kept and 0xF186 not in kept
