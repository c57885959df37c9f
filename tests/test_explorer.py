"""lablib.explorer (the kernel-free explorer) and lablib.plotting.explorer (its picture).

The browser side (sliders redraw the paths) is tested in tests/browser/test_explorer_browser.py.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from lablib import landscapes
from lablib.explorer import LR_GRID, MOMENTUM_GRID, PathExplorer, path_data
from lablib.plotting import optimizer_color
from lablib.plotting.explorer import backdrop

ROOT = Path(__file__).resolve().parents[1]
LRS = [0.01, 0.05, 0.2]
MOMENTA = [0.0, 0.5, 0.9]


@pytest.fixture(scope="module")
def bowl_explorer():
    return PathExplorer(landscapes.elongated_bowl(), (-6.0, 2.0), ["SGD", "Momentum", "Adam"], steps=40,
                        lrs=LRS, momenta=MOMENTA, lr=0.05, momentum=0.9)


def data_of(html):
    blob = re.search(r'<script type="application/json" class="lx-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


# ---------------------------------------------------------------- the runs


def test_every_stored_run_is_the_landscape_run(bowl_explorer):
    ex = bowl_explorer
    L = ex.landscape
    for lr in LRS:
        for name in ("SGD", "Adam"):
            want = landscapes.trajectory(name, L, (-6.0, 2.0), 40, lr=lr)
            got = ex.run(name, lr=lr)
            np.testing.assert_array_equal(got.path, want.path)
            np.testing.assert_array_equal(got.losses, want.losses)
        for m in MOMENTA:
            want = landscapes.trajectory("Momentum", L, (-6.0, 2.0), 40, lr=lr, momentum=m)
            got = ex.run("Momentum", lr=lr, momentum=m)
            np.testing.assert_array_equal(got.path, want.path)
            assert got.settings == {"lr": lr, "momentum": m}


def test_momentum_zero_is_sgd(bowl_explorer):
    for lr in LRS:
        np.testing.assert_array_equal(bowl_explorer.run("Momentum", lr=lr, momentum=0.0).path,
                                      bowl_explorer.run("SGD", lr=lr).path)


def test_runs_are_indexed_by_learning_rate_then_momentum(bowl_explorer):
    runs = bowl_explorer.runs
    assert len(runs["SGD"]) == len(LRS) and len(runs["Adam"]) == len(LRS)
    assert [len(row) for row in runs["Momentum"]] == [len(MOMENTA)] * len(LRS)
    assert runs["Momentum"][2][1].settings == {"lr": 0.2, "momentum": 0.5}


def test_defaults():
    ex = PathExplorer(landscapes.quartic(), -0.1, ["SGD"], steps=5)
    assert ex.lrs == LR_GRID and ex.momenta == MOMENTUM_GRID
    assert ex.lr == LR_GRID[(len(LR_GRID) - 1) // 2] and ex.momentum == 0.9
    assert not ex.uses_momentum and "momentum" not in ex.html().split("<svg")[0]
    assert "PathExplorer(SGD on quartic: 10 learning rates, 5 steps)" == repr(ex)


def test_a_diverging_run_is_stored_and_reported():
    ex = PathExplorer(landscapes.round_bowl(), (1.0, 1.5), ["SGD"], steps=200, lrs=[0.1, 1.5], lr=1.5)
    run = ex.run("SGD", lr=1.5)
    assert run.diverged and run.steps < 200
    html = ex.html()
    assert f"diverged after {run.steps} steps" in html
    assert data_of(html)["runs"][0][0][1] == f"loss {ex.run('SGD', lr=0.1).final_loss:.3g} after 200 steps"


# ---------------------------------------------------------------- the HTML


def test_html_is_self_contained(bowl_explorer):
    html = bowl_explorer.html()
    assert not re.search(r"(?:src|href)=\"(?!data:|#)", html), "the explorer refers to another file"
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert html.startswith('<div class="lablib-explorer" id="lx-') and html.endswith("</div>")
    assert 'data:image/webp;base64,' in html


def test_html_data_holds_every_run_as_path_data(bowl_explorer):
    ex = bowl_explorer
    data = data_of(ex.html())
    assert data["lrs"] == ["0.01", "0.05", "0.2"] and data["momenta"] == ["0", "0.5", "0.9"]
    assert [o["name"] for o in data["opts"]] == ["SGD", "Momentum", "Adam"]
    assert [o["m"] for o in data["opts"]] == [False, True, False]
    assert [o["color"] for o in data["opts"]] == [optimizer_color(n) for n in ("SGD", "Momentum", "Adam")]
    runs = data["runs"]
    assert len(runs[0]) == 3 and len(runs[1]) == 3 and all(len(row) == 3 for row in runs[1])
    for d, status in [*runs[0], *runs[2], *(e for row in runs[1] for e in row)]:
        assert re.fullmatch(r"M-?\d+[ -]-?\d+(l[-\d ]+)?(M-?\d+[ -]-?\d+(l[-\d ]+)?)*", d), d
        assert re.fullmatch(r"(loss \S+|diverged) after \d+ steps?", status), status
    # the page starts with the paths and texts of the first settings (lr 0.05, momentum 0.9)
    html = ex.html()
    for k, first in enumerate([runs[0][1], runs[1][1][2], runs[2][1]]):
        assert f'class="lx-d-{k}" d="{first[0]}"' in html
        assert f'<span class="lx-text-{k}">{first[1]}</span>' in html
    assert 'class="lx-lr" min="0" max="2" step="1" value="1"' in html
    assert 'class="lx-momentum" min="0" max="2" step="1" value="2"' in html
    assert html.count('class="lx-opt"') == 3


def test_path_data_follows_the_run_on_the_picture():
    """The first point drawn is the start point where the picture shows it; 1-D paths lie on the curve."""
    L = landscapes.quartic()
    ex = PathExplorer(L, -0.1, ["SGD"], steps=3, lrs=[0.1], lr=0.1)
    bd = backdrop(L, title=ex.title)
    run = ex.run("SGD", lr=0.1)
    want = np.rint(bd.to_picture(run.path[:, 0], run.losses) * 2).astype(int)
    d = data_of(ex.html())["runs"][0][0][0]
    assert d == "M{} {}l".format(*want[0]) + " ".join(
        " ".join(str(v) for v in step) for step in np.diff(want, axis=0)).replace(" -", "-")


def test_path_data_clips_far_points_and_drops_repeats():
    box = (0, 0, 100, 100)
    assert path_data([[10, 10], [10.2, 9.9], [20, 10]], box) == "M10 10l10 0"
    assert path_data([[10, 10], [1e9, 10]], box) == "M10 10l190 0"              # cut where it leaves
    assert path_data([[1e9, 1e9], [5e8, 5e8]], box) == ""                       # never inside
    assert path_data([[10, 10], [np.nan, 1], [20, 20]], box) == "M10 10"        # stops at NaN
    assert path_data([[-150, 50], [50, 50]], box) == "M-100 50l150 0"           # starts outside
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        path_data([1, 2, 3], box)


def test_script_and_style_are_the_package_files(bowl_explorer):
    """explorer.js / .css live in lablib/web/ (package data), filled in with this explorer's id."""
    html = bowl_explorer.html()
    uid = re.search(r'id="(lx-[^"]+)"', html).group(1)
    for name in ("explorer.js", "explorer.css"):
        text = (ROOT / "lablib" / "web" / name).read_text(encoding="utf-8")
        assert "__ROOT_ID__" in text and text.replace("__ROOT_ID__", uid) in html
    assert "__ROOT_ID__" not in html


def test_the_package_ships_the_browser_files():
    """Every file in lablib/web/ is package data in pyproject.toml, and importlib.resources finds it."""
    import fnmatch

    from lablib import web

    tomllib = pytest.importorskip("tomllib")        # Python 3.11+

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["lablib.web"]
    files = sorted(p.name for p in (ROOT / "lablib" / "web").iterdir() if p.suffix in (".js", ".css"))
    assert files == ["explorer.css", "explorer.js", "step_player.css", "step_player.js"]
    for name in files:
        assert any(fnmatch.fnmatch(name, pat) for pat in patterns), name
        assert web.read(name) == (ROOT / "lablib" / "web" / name).read_text(encoding="utf-8")


def test_nbytes_and_save(tmp_path, bowl_explorer):
    assert bowl_explorer.nbytes == len(bowl_explorer.html().encode())
    assert bowl_explorer.nbytes < 60_000
    bowl_explorer.save(tmp_path / "x.html")
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and bowl_explorer.html() in page


def test_two_explorers_on_a_page_do_not_share_ids():
    a = PathExplorer(landscapes.quartic(), -0.1, ["SGD"], steps=3, lrs=[0.1], lr=0.1)
    b = PathExplorer(landscapes.quartic(), -0.1, ["SGD"], steps=3, lrs=[0.1], lr=0.1)
    ida = re.search(r'id="(lx-[^"]+)"', a.html()).group(1)
    idb = re.search(r'id="(lx-[^"]+)"', b.html()).group(1)
    assert ida != idb


# ---------------------------------------------------------------- notebook and website


def test_mimebundle_has_the_widget_and_the_html(bowl_explorer):
    bundle = bowl_explorer._repr_mimebundle_()
    assert bundle["text/html"] == bowl_explorer.html()
    assert bundle["text/plain"] == repr(bowl_explorer)
    view = bundle["application/vnd.jupyter.widget-view+json"]
    widget = bowl_explorer.widget()
    assert view["model_id"] == widget.model_id
    assert widget is bowl_explorer.widget()                     # made once
    assert widget.sliders["lr"].value == pytest.approx(0.05)
    assert widget.sliders["momentum"].value == pytest.approx(0.9)
    assert widget.sliders["steps"].value == 40
    assert list(widget.result) == ["SGD", "Momentum", "Adam"]
    np.testing.assert_allclose(widget.result["Momentum"].path,
                               bowl_explorer.run("Momentum", lr=0.05, momentum=0.9).path)


def test_a_new_widget_leaves_the_readers_explorer_alone(bowl_explorer):
    """A check cell builds its own explorer: moving its slider neither reads nor moves the reader's."""
    shown = bowl_explorer.widget()
    shown.sliders["lr"].value = 0.02                            # the reader has moved the slider
    redraws = shown.redraws
    own = bowl_explorer.widget(new=True)
    assert own is not shown and own is not bowl_explorer.widget(new=True)
    assert own.sliders["lr"].value == pytest.approx(0.05) and own.redraws == 1
    own.sliders["lr"].value = 0.01
    assert own.redraws == 2
    assert shown.sliders["lr"].value == pytest.approx(0.02) and shown.redraws == redraws
    assert bowl_explorer.widget() is shown


def test_widget_without_momentum_has_no_momentum_slider():
    ex = PathExplorer(landscapes.quartic(), -0.1, ["SGD", "Adam"], steps=5, lrs=[0.01, 0.1], lr=0.1)
    assert "momentum" not in ex.widget().sliders


def test_the_website_shows_the_html_and_jupyter_the_widget():
    """_config.yml's mime priorities: HTML first on the website; myst-nb's own order elsewhere."""
    from myst_nb.core.render import get_mime_priority

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    overrides = [tuple(o) for o in config["sphinx"]["config"]["nb_mime_priority_overrides"]]
    bundle = ["application/vnd.jupyter.widget-view+json", "text/html", "text/plain"]

    def shown(builder, overrides):
        return next(m for m in get_mime_priority(builder, overrides) if m in bundle)

    assert shown("html", overrides) == "text/html"
    assert shown("html", []) == "application/vnd.jupyter.widget-view+json"
    # only outputs with both change: an image-and-HTML output (e.g. a DataFrame) is unchanged
    order = get_mime_priority("html", overrides)
    assert order.index("text/html") < order.index("image/png")
    assert get_mime_priority("html", []).index("text/html") < get_mime_priority("html", []).index("image/png")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, message", [
    (dict(landscape="bowl"), "must be a lablib.landscapes.Landscape"),
    (dict(optimizers="SGD"), "non-empty sequence"),
    (dict(optimizers=[]), "non-empty sequence"),
    (dict(optimizers=["SGD", "Lion"]), "unknown optimizer 'Lion'"),
    (dict(optimizers=["SGD", "SGD"]), "must not repeat"),
    (dict(steps=0), "steps must be an integer from 1 to 1000"),
    (dict(steps=1001), "steps must be an integer from 1 to 1000"),
    (dict(steps=2.5), "steps must be an integer"),
    (dict(steps=True), "steps must be an integer"),
    (dict(x0=1.0), "x0 must be 2 finite coordinate"),
    (dict(x0=(np.nan, 0.0)), "x0 must be 2 finite coordinate"),
    (dict(x0=(50.0, 0.0)), "outside elongated bowl's drawn range"),
    (dict(lrs=[]), "at least one value"),
    (dict(lrs="0.1"), "sequence of numbers"),
    (dict(lrs=[0.1, "a"]), "sequence of numbers"),
    (dict(lrs=[0.1, 0.01]), "strictly increasing"),
    (dict(lrs=[0.1, 0.1]), "strictly increasing"),
    (dict(lrs=[0.0, 0.1]), r"lie in \(0, 10\]"),
    (dict(lrs=[0.1, np.inf]), "finite"),
    (dict(momenta=[-0.1, 0.5]), r"lie in \[0, 0.99\]"),
    (dict(momenta=[0.5, 0.999]), r"lie in \[0, 0.99\]"),
    (dict(lr=0.3), "lr=0.3 is not one of the slider's learning rates"),
    (dict(momentum=0.8), "momentum=0.8 is not one of the slider's momenta"),
    (dict(steps=5, max_grad_norm=-1.0), "max_norm must be a positive number"),
])
def test_bad_input(kwargs, message):
    args = dict(landscape=landscapes.elongated_bowl(), x0=(-6.0, 2.0), optimizers=["SGD", "Momentum"],
                steps=5, lrs=[0.01, 0.1], momenta=[0.0, 0.9], lr=0.1, momentum=0.9)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        PathExplorer(**args)


def test_run_rejects_settings_off_the_grid(bowl_explorer):
    with pytest.raises(ValueError, match="not on the grid"):
        bowl_explorer.run("SGD", lr=0.3)
    with pytest.raises(ValueError, match="not on the grid"):
        bowl_explorer.run("Momentum", lr=0.05, momentum=0.7)
    with pytest.raises(ValueError, match="takes no momentum"):
        bowl_explorer.run("SGD", lr=0.05, momentum=0.9)
    with pytest.raises(ValueError, match="not one of this explorer's optimizers"):
        bowl_explorer.run("RMSprop", lr=0.05)


# ---------------------------------------------------------------- the picture


@pytest.mark.parametrize("factory", [landscapes.rosenbrock, landscapes.quartic])
def test_backdrop_maps_the_axes_limits_to_the_axes_box(factory):
    from matplotlib.figure import Figure

    from lablib.plotting.landscapes import plot_contour, plot_curve

    L = factory()
    bd = backdrop(L, image_format="png")
    ax = Figure().add_subplot()
    (plot_contour if L.dim == 2 else plot_curve)(L, ax=ax)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    bx, by, bw, bh = bd.axes_box
    np.testing.assert_allclose(bd.to_picture([x0, x1], [y0, y1]), [[bx, by + bh], [bx + bw, by]], atol=1e-6)
    assert 0 < bx < bx + bw < bd.width and 0 < by < by + bh < bd.height
    from PIL import Image
    import io
    assert Image.open(io.BytesIO(bd.image)).size == (round(bd.width * 1.5), round(bd.height * 1.5))


@pytest.mark.parametrize("kwargs, message", [
    (dict(scale=0.1), "scale must be between"),
    (dict(image_format="gif"), "image_format must be"),
    (dict(quality=0), "quality must be"),
    (dict(colors=1, image_format="png"), "colors must be"),
])
def test_backdrop_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        backdrop(landscapes.quartic(), **kwargs)
    with pytest.raises(ValueError, match="Landscape"):
        backdrop("quartic")
