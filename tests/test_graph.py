"""lablib.graph and lablib.graph_widgets: traced gradients equal backward's, the steps of the reveal,
the layout, images that render, the no-kernel player (in a real browser when one is available),
the widget, and bad input."""
import io
import shutil
from pathlib import Path

import matplotlib
import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lablib import graph, web
from lablib.autograd import Value, maximum


def course_circuit():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, (x, y, z, q)


def sigmoid_neuron():
    w0, x0, w1, x1, w2 = (Value(v, label=n) for v, n in
                          ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.label = "f"
    return f, (w0, x0, w1, x1, w2)


def forked():
    x, y = Value(3.0, label="x"), Value(-2.0, label="y")
    f = x * x + x * y + y.exp() * x
    f.label = "f"
    return f, (x, y)


def arrays():
    rng = np.random.default_rng(0)
    X = Value(rng.normal(size=(5, 3)), label="X")
    W = Value(rng.normal(size=(3, 2)), label="W")
    b = Value(rng.normal(size=2), label="b")
    loss = ((X @ W + b).tanh() ** 2).mean()
    loss.label = "L"
    return loss, (X, W, b)


CIRCUITS = [course_circuit, sigmoid_neuron, forked, arrays]


@pytest.mark.parametrize("make", CIRCUITS, ids=lambda m: m.__name__)
def test_traced_gradients_equal_backward_and_leave_grad_alone(make):
    root, leaves = make()
    t = graph.trace(root)
    assert all(np.all(v.grad == 0) for v in leaves)          # tracing does not touch .grad
    root.backward()
    for v in leaves:
        np.testing.assert_array_equal(t.grad(v), v.grad)
    for gate in t.gates:                                     # wire gradients = sum of branches
        np.testing.assert_array_equal(t.grad(gate), gate.grad)


def test_course_circuit_steps_and_numbers():
    f, (x, y, z, q) = course_circuit()
    t = graph.trace(f)
    assert [s.phase for s in t.steps] == ["inputs", "forward", "forward", "seed", "backward", "backward"]
    assert t.last_forward_step == 2
    assert t.captions[0] == "Inputs: x = −2, y = 5, z = −4"
    assert t.captions[2] == "Forward 2/2: the × gate computes f = −12"
    assert t.captions[-1] == "Backward 2/2: the + gate sends back upstream −4 × local gradients: −4 to x, −4 to y"
    assert t.steps[-1].gate is q and t.steps[-2].gate is f
    assert [float(t.grad(v)) for v in (x, y, z, q, f)] == [-4.0, -4.0, 3.0, -4.0, 1.0]


def test_reveal_only_adds_information():
    root, _ = sigmoid_neuron()
    t = graph.trace(root)
    n_gates = len(t.gates)
    assert len(t.steps) == 2 * n_gates + 2
    before = None
    for step in range(len(t.steps)):
        values, computed, node_grads, edge_grads, active = graph._visible(t, step)
        if before is not None:
            assert before[0] <= values and before[1] <= computed
            assert before[2] <= node_grads and before[3] <= edge_grads
        before = (values, computed, node_grads, edge_grads)
        if step <= n_gates:
            assert not node_grads                             # no gradient before the backward pass
    assert values == {id(n) for n in t.nodes} and node_grads == {id(n) for n in t.nodes}


def test_fork_branches_add_up_to_the_wire_gradient():
    root, (x, y) = forked()
    t = graph.trace(root)
    for node in (x, y):
        branches = [t.edge_grads[(id(g), k)] for g in t.gates for k, inp in enumerate(g.inputs) if inp is node]
        assert len(branches) >= 3 if node is x else len(branches) == 2
        np.testing.assert_allclose(sum(branches), t.grad(node), rtol=1e-14)


def test_gate_symbols_fold_constants():
    x = Value(2.0, label="x")
    cases = {"+1": x + 1, "−3": x + (-3), "×−1": -x, "×2": 2 * x, "1/x": 1 / x, "÷4": x / 4, "−1": x - 1,
             "5−x": 5 - x, "$x^{2}$": x ** 2, "exp": x.exp(), "σ": x.sigmoid(), "max": maximum(x, 0.0)}
    symbols = {graph.gate_symbol(v) for v in cases.values()}
    assert {k for k in cases if k != "max"} <= symbols
    assert graph.gate_symbol(maximum(x, 0.0)) == "max 0"


@pytest.mark.parametrize("make", CIRCUITS, ids=lambda m: m.__name__)
def test_layout_keeps_items_a_row_apart(make):
    root, _ = make()
    t = graph.trace(root)
    lay = graph._layout(t)
    points = [p for p in lay.pos.values()] + [p for v in lay.via.values() for p in v]
    for i, (xa, ya) in enumerate(points):
        for xb, yb in points[i + 1:]:
            if abs(xa - xb) < 1e-9:
                assert abs(ya - yb) >= graph._ROW - 1e-9
    for gate in t.gates:                     # a gate sits right of all its inputs
        for inp in gate.inputs:
            if not inp.is_constant:
                assert lay.pos[id(gate)][0] > lay.pos[id(inp)][0]


def test_long_wires_get_waypoints_so_they_pass_no_gate():
    root, (w0, x0, w1, x1, w2) = sigmoid_neuron()
    t = graph.trace(root)
    lay = graph._layout(t)
    gate = next(g for g in t.gates if any(inp is w2 for inp in g.inputs))
    k = [i for i, inp in enumerate(gate.inputs) if inp is w2][0]
    assert len(lay.via[(id(gate), k)]) == 2                  # w2 skips two columns
    gate_points = {lay.pos[id(g)] for g in t.gates}
    assert not gate_points & set(lay.via[(id(gate), k)])


def _png(fig, dpi=60):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    return buf.getvalue(), mpimg.imread(buf, format="png")


@pytest.mark.parametrize("make", CIRCUITS, ids=lambda m: m.__name__)
def test_draw_graph_produces_an_image(make):
    root, _ = make()
    ax = graph.draw_graph(root)
    assert isinstance(ax, matplotlib.axes.Axes)
    data, img = _png(ax.figure)
    plt.close(ax.figure)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    ink = np.mean(img[..., :3] < 0.9)
    assert 0.005 < ink < 0.5                  # something is drawn, and it is not a blot
    colours = img[..., :3].reshape(-1, 3)
    vermilion = np.array(matplotlib.colors.to_rgb(graph.GRAD_COLOR))
    blue = np.array(matplotlib.colors.to_rgb(graph.VALUE_COLOR))
    assert np.any(np.abs(colours - vermilion).max(axis=1) < 0.08)   # gradients are written
    assert np.any(np.abs(colours - blue).max(axis=1) < 0.08)        # and values


def test_draw_graph_steps_differ_and_forward_end_has_no_gradients():
    root, _ = course_circuit()
    t = graph.trace(root)
    images = []
    for step in (0, t.last_forward_step, -1):
        ax = graph.draw_graph(t, step=step)
        images.append(_png(ax.figure)[1])
        plt.close(ax.figure)
    assert images[0].shape == images[1].shape == images[2].shape
    assert not np.array_equal(images[0], images[1]) and not np.array_equal(images[1], images[2])
    # the finished forward pass writes no gradient: only the legend uses the gradient colour
    vermilion = np.array(matplotlib.colors.to_rgb(graph.GRAD_COLOR))
    count = [np.sum(np.abs(img[..., :3] - vermilion).max(axis=-1) < 0.08) for img in images]
    assert count[0] == count[1] < count[2]


def test_draw_on_a_given_axis():
    root, _ = course_circuit()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3))
    assert graph.draw_graph(root, step=0, ax=axes[0], title=False, legend=False) is axes[0]
    assert graph.draw_graph(root, ax=axes[1]) is axes[1]
    assert axes[0].get_title(loc="left") == "" and axes[1].get_title(loc="left").startswith("Backward 2/2")
    plt.close(fig)


def test_render_frames_one_png_per_step_all_the_same_size():
    root, _ = sigmoid_neuron()
    open_before = set(plt.get_fignums())
    frames = graph.render_frames(root, dpi=40)
    assert len(frames) == len(graph.trace(root).steps) == 18
    shapes = {mpimg.imread(io.BytesIO(f), format="png").shape for f in frames}
    assert len(shapes) == 1
    assert len(set(frames)) == len(frames)
    assert set(plt.get_fignums()) == open_before     # no figure left open


def test_step_player_html_is_self_contained():
    root, _ = course_circuit()
    player = graph.step_player(root, dpi=40)
    html = player._repr_html_()
    assert len(player) == 6 and html.count("data:image/png;base64,") == 7
    assert "<script>" in html and "http" not in html          # no CDN: works offline and on the site
    assert graph.trace(root).captions[3] in html
    uid = html.split('id="', 1)[1].split('"', 1)[0]
    for name in ("step_player.js", "step_player.css"):       # the package's files (lablib/web/)
        assert web.read(name).replace("__ROOT_ID__", uid) in html
    other = graph.step_player(root, dpi=40)._repr_html_()
    ids = {h.split('id="', 1)[1].split('"', 1)[0] for h in (html, other)}
    assert len(ids) == 2                                      # two players on a page do not clash


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_step_player_works_in_a_browser(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium on this machine")
    root, _ = course_circuit()
    page_file = Path(tmp_path) / "player.html"
    page_file.write_text("<!doctype html><meta charset='utf-8'><body>"
                         + graph.step_player(root, dpi=40)._repr_html_() + "</body>", encoding="utf-8")
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            count = page.locator(".lablib-steps-count")
            img = page.locator(".lablib-steps img")
            assert count.inner_text() == "1/6"
            first_src = img.get_attribute("src")
            page.click('[data-go="next"]')
            assert count.inner_text() == "2/6" and img.get_attribute("src") != first_src
            page.click('[data-go="last"]')
            assert count.inner_text() == "6/6"
            assert img.get_attribute("alt").startswith("Backward 2/2")
            page.click('[data-go="prev"]')
            assert count.inner_text() == "5/6"
            page.locator("input[type=range]").fill("2")
            assert count.inner_text() == "3/6"
            page.click('[data-go="first"]')
            page.click('[data-go="play"]')
            page.wait_for_function("document.querySelector('.lablib-steps-count').textContent === '6/6'",
                                   timeout=15000)
            # the keyboard: a focused player steps with the arrows, Home and End, and keeps those
            # keys to itself (in JupyterLab they would also run notebook commands)
            page.evaluate("window.leaked = [];"
                          "document.addEventListener('keydown', e => window.leaked.push(e.key))")
            player = page.locator(".lablib-steps")
            assert player.get_attribute("tabindex") == "0"
            assert player.get_attribute("data-lm-suppress-shortcuts") == "true"
            player.focus()
            page.keyboard.press("Home")
            assert count.inner_text() == "1/6"
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            assert count.inner_text() == "3/6"
            page.keyboard.press("ArrowLeft")
            assert count.inner_text() == "2/6"
            page.keyboard.press("End")
            assert count.inner_text() == "6/6"
            assert page.evaluate("window.leaked") == []
            page.keyboard.press("a")                      # a key the player does not handle goes on
            assert page.evaluate("window.leaked") == ["a"]
            assert errors == []
            browser.close()
    except sync_api.Error as err:               # a browser that cannot start here is not our bug
        if "launch" in str(err).lower() or "executable" in str(err).lower():
            pytest.skip(f"Chromium could not start: {err}")
        raise


def test_widget_steps_through_the_frames():
    widgets = pytest.importorskip("ipywidgets")
    from lablib.graph_widgets import step_through

    root, _ = course_circuit()
    w = step_through(root, dpi=40)
    assert isinstance(w, widgets.VBox)
    # steps counted 1..6, as the website's player counts them ("1/6")
    assert w.slider.min == 1 and w.slider.max == 6 and w.image.value == w.frames[0]
    assert w.children[0].children[-1].value == "/ 6"
    w.slider.value = 5
    assert w.image.value == w.frames[4]
    w.forward.click()
    w.forward.click()                        # stops at the last step
    assert w.slider.value == 6 and w.image.value == w.frames[5]
    w.back.click()
    assert w.slider.value == 5
    w.slider.value = 1
    w.back.click()
    assert w.slider.value == 1 and w.image.value == w.frames[0]


@pytest.mark.parametrize("call, message", [
    (lambda: graph.trace(3.0), "needs a Value"),
    (lambda: graph.trace(course_circuit()[0], max_nodes=0), "max_nodes"),
    (lambda: graph.trace(course_circuit()[0], max_nodes=3), "this graph has 5 nodes"),
    (lambda: graph.draw_graph(course_circuit()[0], step=6), "from -6 to 5"),
    (lambda: graph.draw_graph(course_circuit()[0], step=-7), "from -6 to 5"),
    (lambda: graph.draw_graph(course_circuit()[0], step=1.0), "integer"),
    (lambda: graph.draw_graph(course_circuit()[0], step=True), "integer"),
    (lambda: graph.draw_graph(np.ones(3)), "needs a Value"),
    (lambda: graph.render_frames(course_circuit()[0], dpi=0), "dpi"),
    (lambda: graph.StepPlayer([b"\x89PNG\r\n\x1a\n"], ["a", "b"]), "one caption per frame"),
    (lambda: graph.StepPlayer([b"GIF89a"], ["a"]), "PNG"),
    (lambda: graph.StepPlayer([], []), "one caption per frame"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
    plt.close("all")


def test_big_graphs_are_refused_with_advice():
    v = Value(1.0)
    for _ in range(100):
        v = v * 1.5
    with pytest.raises(ValueError, match="at most max_nodes=60"):
        graph.draw_graph(v)
    assert len(graph.trace(v, max_nodes=200).gates) == 100
