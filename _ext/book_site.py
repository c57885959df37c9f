"""Sphinx extension for the book's website: serve every front-end file from the site itself.

A Jupyter Book 1.x site loads MathJax, RequireJS and the Jupyter widget manager from CDNs,
so offline its formulas stay raw TeX and its embedded widgets stay blank. This extension

* typesets every formula when the build finishes, with MathJax itself in node
  (``prerender_math.js``; pages load MathJax's fonts, not its 1.2 MB script), and stores the
  figures as 256-colour PNGs where they look the same (:mod:`lablib.plotting.png`); Sphinx's
  search scripts and index load only on the search page;
* copies pinned copies of those files, installed by ``npm ci`` from ``package.json`` /
  ``package-lock.json`` into ``node_modules/``, to ``_build/html/_static/`` (``_config.yml``
  points ``mathjax_path`` and ``nb_ipywidgets_js`` at them). A missing or differently
  versioned package stops the build with a message saying to run ``npm ci``: the site never
  falls back to a CDN silently;
* removes the scripts and style sheets that the theme stack adds twice to every page (the
  duplicated ``const THEBE_JS_URL = ...`` raises "Identifier 'THEBE_JS_URL' has already been
  declared" in the browser console);
* serves ``static/jupyter-widgets/setup.js``, which lets the widget manager find its fonts
  in ``_static/`` and typeset with MathJax 3;
* adds ``static/book.css``: long code names wrap and the index stacks on a phone's screen;
* leaves the widget manager and the widget state off pages that show no widget (a page whose
  only widget is ``lablib.explorer``'s, shown there as kernel-free HTML);
* greys out the controls of any other ipywidget (they cannot work without a kernel) and says
  so under it.

``tests/browser/`` checks the result in a real browser with the network cut off.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

# npm package -> (files or folders inside the package, folder under _static/ they go to)
ASSETS: dict[str, tuple[tuple[str, ...], str]] = {
    # the formulas are typeset at build time (prerender_math.js, with mathjax-full): the
    # pages load only MathJax's CHTML fonts, no MathJax script
    "mathjax": (("es5/output/chtml/fonts/woff-v2",), "mathjax/output/chtml/fonts"),
    "mathjax-full": ((), ""),                     # used by prerender_math.js, not served
    # embed-amd.js bundles the core widget models; the hashed font files are Font Awesome's,
    # which it loads relative to its own URL (WOFF2, WOFF for older browsers; the EOT, TTF and
    # SVG copies, 3 MB, are only for browsers that no longer exist).
    "@jupyter-widgets/html-manager": (("dist/embed-amd.js", "dist/*.woff2", "dist/*.woff"),
                                      "jupyter-widgets"),
    "requirejs": (("require.js",), "jupyter-widgets"),
}


def _pinned_versions(root: Path) -> dict[str, str]:
    manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    return manifest.get("dependencies", {})


def check_assets(root: Path) -> dict[str, Path]:
    """Return ``{package: folder}`` for the installed asset packages, checked against the pins.

    Raises ``ExtensionError`` when a package is missing or its version differs from
    ``package.json``.
    """
    pins = _pinned_versions(root)
    found = {}
    for package in ASSETS:
        if package not in pins:
            raise ExtensionError(f"book_site: package.json does not pin {package!r}")
        folder = root / "node_modules" / package
        manifest = folder / "package.json"
        if not manifest.is_file():
            raise ExtensionError(
                f"book_site: {package} is not installed in {root / 'node_modules'}; "
                "run `npm ci` in the book's folder (`make setup` does it)")
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if version != pins[package]:
            raise ExtensionError(
                f"book_site: node_modules has {package} {version}, package.json pins "
                f"{pins[package]}; run `npm ci`")
        found[package] = folder
    return found


def copy_assets(root: Path, static_dir: Path) -> int:
    """Copy the pinned front-end files into ``static_dir``; return the number of bytes copied."""
    total = 0
    for package, folder in check_assets(root).items():
        sources, target = ASSETS[package]
        dest = static_dir / target
        dest.mkdir(parents=True, exist_ok=True)
        for pattern in sources:
            matches = sorted(folder.glob(pattern))
            if not matches:
                raise ExtensionError(f"book_site: {package} has no {pattern}")
            for src in matches:
                out = dest / Path(pattern).name if src.is_dir() else dest / src.name
                if src.is_dir():
                    shutil.copytree(src, out, dirs_exist_ok=True)
                    total += sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
                else:
                    shutil.copy2(src, out)
                    total += out.stat().st_size
    return total


def _on_builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    nbytes = copy_assets(Path(app.srcdir), Path(app.outdir) / "_static")
    logger.info(f"book_site: served MathJax's fonts, RequireJS and the widget manager locally "
                f"({nbytes / 2**20:.1f} MiB in _static/)")


def _dedupe(items: list) -> list:
    """Keep the first of the assets with the same file and attributes, whatever their priority.

    (Sphinx drops exact duplicates only. An inline script added with ``app.add_js_file(None,
    body=...)`` after the builder exists is stored twice, once with the file name ``None`` and
    once with ``""``: that is how sphinx-thebe's and sphinx-togglebutton's scripts end up on
    every page twice.)
    """
    seen, kept = set(), []
    for item in sorted(items, key=lambda a: getattr(a, "priority", 500)):
        key = (str(getattr(item, "filename", item) or ""),
               tuple(sorted((k, str(v)) for k, v in getattr(item, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _drop_unused_widget_scripts(app: Sphinx, context) -> None:
    """No widget shown on the page: drop the widget state and the widget manager (3.7 MB).

    A notebook that created widgets carries their state, and myst-nb then loads the widget
    manager on its page. When every widget output on the page is shown another way (the
    kernel-free explorer of ``lablib.explorer`` is shown as HTML), nothing uses them.
    """
    if WIDGET_VIEW in context.get("body", ""):
        return
    # (Sphinx stores a local script's name with "_static/" in front)
    manager = {name for path in getattr(app.config, "nb_ipywidgets_js", {}) or {}
               for name in (str(path), f"_static/{path}")}
    context["script_files"] = [
        js for js in context["script_files"]
        if str(getattr(js, "filename", js) or "") not in manager
        and getattr(js, "attributes", {}).get("type") != WIDGET_STATE]


_VIEW_SCRIPT = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">.*?</script>', re.S)
# translated like the themes' strings (Sphinx's domain 'sphinx': locales/ko/LC_MESSAGES/sphinx.po)
STATIC_WIDGET_NOTE = ("These controls need a running notebook: open this page on Binder or Colab "
                      "(the rocket button at the top) to use them. Here they show the settings the "
                      "picture was computed with.")


def _mark_static_widgets(context) -> None:
    """Wrap each ipywidget shown on the page and say why its controls do nothing here.

    On the website a widget has no kernel: its sliders would move and redraw nothing. The
    wrapper (styled by book.css) shows the controls greyed out and not clickable, with a note.
    """
    from sphinx.locale import _

    body = context.get("body", "")
    if WIDGET_VIEW in body:
        note = f'<p class="book-widget-note">{_(STATIC_WIDGET_NOTE)}</p>'
        context["body"] = _VIEW_SCRIPT.sub(
            lambda m: f'<div class="book-static-widget">{m.group(0)}{note}</div>', body)


def _drop_mathjax(app: Sphinx, context) -> None:
    """The formulas are typeset when the build finishes (prerender_math.js): no MathJax script
    and no MathJax configuration on the page (1.2 MB, and seconds of typesetting on a phone)."""
    path = str(app.config.mathjax_path)
    context["script_files"] = [
        js for js in context["script_files"]
        if not str(getattr(js, "filename", js) or "").endswith(path)
        and not str(getattr(js, "attributes", {}).get("body", "")).startswith("window.MathJax")]


def _on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = _dedupe(context[key])
    if "script_files" in context:
        _drop_unused_widget_scripts(app, context)
        _drop_mathjax(app, context)
    _mark_static_widgets(context)


def prerender_math(site: Path) -> str:
    """Typeset every formula of the built ``site`` with MathJax in node (``prerender_math.js``).

    Raises ``ExtensionError`` with MathJax's message, naming the page and the TeX, when a
    formula cannot be typeset.
    """
    import subprocess

    node = shutil.which("node")
    if node is None:
        raise ExtensionError("book_site: typesetting the formulas needs Node.js (`make setup` installs it)")
    done = subprocess.run([node, str(Path(__file__).with_name("prerender_math.js")), str(site)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        raise ExtensionError(f"book_site: formulas could not be typeset:\n{done.stderr.strip()}")
    return done.stdout.strip()


def compact_images(folder: Path) -> tuple[int, int]:
    """Rewrite each PNG in ``folder`` as :func:`lablib.plotting.png.compact_png` makes it.

    Returns the bytes before and after. (The figures are the chapters' matplotlib outputs: full
    colour, two to four times larger than the 256-colour images that look the same.)
    """
    from lablib.plotting.png import compact_png

    before = after = 0
    for path in sorted(folder.glob("*.png")):
        data = path.read_bytes()
        small = compact_png(data)
        before, after = before + len(data), after + len(small)
        if small != data:
            path.write_bytes(small)
    return before, after


# Font Awesome's icon table in the theme's CSS: ".fa-bars:before,.fa-navicon:before{content:"\f0c9"}"
_ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"\\([0-9a-f]{4,5})"\}')
_ICON_CLASS = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]|\\(f[0-9a-f]{3})\b")


def icons_in_use(site: Path) -> set[int]:
    """The code points of the Font Awesome icons ``site`` can show.

    Those named by an ``fa-*`` class in a page or a script, looked up in the icon table of the
    theme's CSS, and every icon character the style sheets use outside that table (the theme's
    own ``--pst-icon-*`` variables: admonitions, the sidebar's chevrons).
    """
    static = site / "_static"
    css = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in static.rglob("*.css"))
    table: dict[str, int] = {}
    for selectors, code in _ICON_RULE.findall(css):
        for name in re.findall(r"\.fa-([a-z0-9-]+):", selectors):
            table[name] = int(code, 16)
    rest = _ICON_RULE.sub("", css)
    points = {ord(m.group(0)) if not m.group(1) else int(m.group(1), 16) for m in _PRIVATE_USE.finditer(rest)}
    # the theme's scripts (not the widget manager's, which lists every icon of its own Font Awesome)
    scripts = [p for p in static.rglob("*.js") if "jupyter-widgets" not in p.parts]
    texts = [p for p in site.rglob("*.html") if "_sources" not in p.parts] + scripts
    for path in texts:
        for name in set(_ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace"))):
            if name in table:
                points.add(table[name])
    return points


def subset_icon_fonts(site: Path) -> tuple[int, int]:
    """Cut the theme's Font Awesome web fonts (WOFF2) to :func:`icons_in_use`; bytes before, after.

    Every page loads the solid and the brands font (0.27 MB together) to draw about twenty
    icons; cut to those, they weigh a few kilobytes.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    points = icons_in_use(site)
    before = after = 0
    for path in sorted((site / "_static" / "vendor" / "fontawesome").rglob("fa-*.woff2")):
        font = TTFont(path)
        keep = [p for p in points if p in font.getBestCmap()]
        before += path.stat().st_size
        options = subset.Options()
        options.flavor, options.layout_features, options.name_IDs = "woff2", ["*"], ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=keep)
        subsetter.subset(font)
        font.flavor = "woff2"
        font.save(path)
        after += path.stat().st_size
    return before, after


# The theme loads Sphinx's search scripts and the whole search index (0.2-0.3 MB) on every page
# for its search-as-you-type box, which the book does not turn on: the search box sends the
# reader to search.html, the only page that searches.
_SEARCH_SCRIPTS = re.compile(r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
                             r'searchindex\.js)"></script>')


# The theme loads Font Awesome twice: as CSS with web fonts (in pydata-sphinx-theme.css, which
# draws every icon the pages use) and as a 1.4 MB script that swaps the same icons for SVGs.
# The script is a third of a page's weight and changes nothing visible, so the built pages
# leave it out (the page-weight budget is 3 MB; see benchmarks/bench_site.py).
_FONTAWESOME_JS = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        lean = _FONTAWESOME_JS.sub("", text)
        if page.name != "search.html" and not app.config.html_theme_options.get("search_as_you_type"):
            lean = _SEARCH_SCRIPTS.sub("", lean)
        if lean != text:
            page.write_text(lean, encoding="utf-8")
    logger.info(f"book_site: {prerender_math(out)}")
    before, after = compact_images(out / "_images")
    logger.info(f"book_site: figures {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB (256-colour PNG "
                "where it looks the same)")
    for leftover in (out / "_static" / "scripts").glob("fontawesome.js*"):
        leftover.unlink()
    before, after = subset_icon_fonts(out)
    logger.info(f"book_site: icon fonts {before / 1e3:.0f} kB -> {after / 1e3:.0f} kB (the icons the site shows)")


def _on_config_inited(app: Sphinx, config) -> None:
    # _ext/static/ holds the book's own small files (book.css, jupyter-widgets/setup.js)
    config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _on_config_inited)
    app.add_css_file("book.css")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("build-finished", _on_build_finished)
    # run after the other extensions have added their files for the page
    app.connect("html-page-context", _on_html_page_context, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
