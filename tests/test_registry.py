"""lablib.optimizers: the one table of the book's optimizers, walked through every consumer.

Every registered name runs (lablib.landscapes), draws (lablib.plotting), renders in the
kernel-free explorer (lablib.explorer) and in the live widget (lablib.widgets); an optimizer
added as one class and one entry does too; the colours are distinct, also for readers with
colour-blind vision.
"""
import inspect
import itertools
import json
import re

import numpy as np
import pytest
from matplotlib.colors import to_hex

from lablib import landscapes as ls
from lablib import optim
from lablib import optimizers as reg
from lablib.explorer import PathExplorer
from lablib.plotting import OPTIMIZER_COLORS, optimizer_color, optimizer_color_or
from lablib.plotting import adaptive as pa
from lablib.plotting import landscapes as pl
from lablib.plotting import training as pt

NAMES = list(reg.OPTIMIZERS)
BOWL, START = ls.elongated_bowl(), (-6.0, 2.0)


# ---------------------------------------------------------------- the table itself


def test_every_entry_is_a_lablib_optim_class_with_settings_it_accepts():
    for name, entry in reg.OPTIMIZERS.items():
        assert entry.name == name
        assert issubclass(entry.cls, optim.Optimizer)
        accepted = inspect.signature(entry.cls).parameters
        assert set(entry.settings) | set(entry.fixed) <= set(accepted), name
        if entry.takes_momentum:            # (RMSprop accepts a momentum too, but the book's RMSprop has none)
            assert "momentum" in accepted and "momentum" not in entry.fixed, name
        built = entry.build([optim.Parameter([1.0, 2.0])], lr=0.1)
        for key, value in {**entry.settings, **entry.fixed}.items():
            assert getattr(built, key) == value, (name, key)
        if entry.takes_momentum:            # a momentum slider may go to 0
            entry.build([optim.Parameter([1.0, 2.0])], lr=0.1, momentum=0.0)


def test_nesterov_without_momentum_is_sgd():
    a = ls.trajectory("Nesterov", BOWL, START, 20, lr=0.05, momentum=0.0)
    np.testing.assert_array_equal(a.path, ls.trajectory("SGD", BOWL, START, 20, lr=0.05).path)
    assert a.settings == {"lr": 0.05, "momentum": 0.0, "nesterov": False}


def test_derived_names_are_the_registry():
    assert ls.OPTIMIZER_NAMES == {n: e.cls.__name__ for n, e in reg.OPTIMIZERS.items()}
    assert ls.MOMENTUM_OPTIMIZERS == reg.momentum_names() == ("Momentum", "Nesterov", "VelocityMomentum")
    assert OPTIMIZER_COLORS == {n: e.color for n, e in reg.OPTIMIZERS.items()}


def test_lookups_and_their_errors():
    assert reg.get("Adam") is reg.OPTIMIZERS["Adam"]
    for bad in ("adam", "Lion", None, ["SGD"]):
        with pytest.raises(ValueError, match="unknown optimizer"):
            reg.get(bad)
    assert reg.find(" AdaGrad ") is reg.find("adagrad") is reg.OPTIMIZERS["AdaGrad"]
    assert reg.find("gradient descent").name == "GD" and reg.find("sgd+momentum").name == "Momentum"
    assert reg.find("lr = 0.1") is None
    assert reg.check_names(n for n in ("SGD", "Adam")) == ["SGD", "Adam"]
    for bad, message in [("SGD", "non-empty sequence"), ([], "non-empty sequence"), (3, "non-empty sequence"),
                         (["SGD", "Lion"], "unknown optimizer 'Lion'"), (["Adam", "Adam"], "must not repeat")]:
        with pytest.raises(ValueError, match=message):
            reg.check_names(bad)


def test_a_fixed_setting_cannot_be_changed():
    with pytest.raises(ValueError, match="GD has no momentum of its own.*Momentum, Nesterov, VelocityMomentum"):
        reg.OPTIMIZERS["GD"].settings_with(momentum=0.5)
    with pytest.raises(ValueError, match=r"Nesterov has no nesterov of its own \(it is optim.SGD with nesterov=True\)"):
        ls.trajectory("Nesterov", BOWL, START, 3, lr=0.1, nesterov=False)
    assert reg.OPTIMIZERS["SGD"].settings_with(momentum=0) == {"momentum": 0}      # the same value is fine


# ---------------------------------------------------------------- every name through every consumer


@pytest.mark.parametrize("name", NAMES)
def test_every_name_runs_as_its_class_with_its_settings(name):
    entry = reg.OPTIMIZERS[name]
    out = ls.trajectory(name, BOWL, START, 30, lr=0.05)
    by_hand = ls.run(lambda params: entry.cls(params, lr=0.05, **entry.settings), BOWL, START, 30)
    np.testing.assert_array_equal(out.path, by_hand.path)
    assert out.label == name and out.settings == {"lr": 0.05, **entry.settings}
    assert not out.diverged and out.final_loss < BOWL(np.array(START))


def test_compare_gives_momentum_to_those_that_take_it():
    runs = ls.compare(NAMES, BOWL, START, 20, lr=0.05, momentum=0.5)
    assert list(runs) == NAMES
    for name, run in runs.items():
        want = {"momentum": 0.5} if reg.OPTIMIZERS[name].takes_momentum else {}
        assert run.settings == {"lr": 0.05, **reg.OPTIMIZERS[name].settings, **want}


@pytest.mark.parametrize("landscape, x0", [(BOWL, START), (ls.quartic(), -0.1)])
def test_every_name_draws_in_its_colour(landscape, x0):
    runs = ls.compare(NAMES, landscape, x0, 20, lr=0.02)
    ax = pl.plot_trajectories(landscape, runs)
    for name in NAMES:
        lines = [ln for ln in ax.lines if ln.get_label() == name]
        assert lines and to_hex(lines[0].get_color()) == reg.OPTIMIZERS[name].color.lower(), name
    ax = pl.plot_loss_histories(runs)
    assert [to_hex(ln.get_color()) for ln in ax.lines if ln.get_label() in NAMES] == \
        [reg.OPTIMIZERS[n].color.lower() for n in NAMES]
    ax = pt.plot_loss_curves({name: (np.arange(len(r.losses)), r.losses) for name, r in runs.items()})
    assert [to_hex(ln.get_color()) for ln in ax.lines] == [reg.OPTIMIZERS[n].color.lower() for n in NAMES]


def test_every_name_draws_by_start():
    runs = {START: ls.compare(NAMES, BOWL, START, 10, lr=0.05)}
    ax = pa.plot_runs_by_start(BOWL, runs)[0]
    colours = {ln.get_label(): to_hex(ln.get_color()) for ln in ax.lines}
    assert {n: colours[n] for n in NAMES} == {n: reg.OPTIMIZERS[n].color.lower() for n in NAMES}


def _explorer_data(html):
    blob = re.search(r'<script type="application/json" class="lx-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


@pytest.mark.parametrize("landscape, x0", [(BOWL, START), (ls.quartic(), -0.1)])
def test_every_name_renders_in_the_kernel_free_explorer(landscape, x0):
    ex = PathExplorer(landscape, x0, NAMES, steps=10, lrs=[0.01, 0.05], momenta=[0.0, 0.9], lr=0.05)
    html = ex.html()
    opts = _explorer_data(html)["opts"]
    assert [o["name"] for o in opts] == NAMES
    assert [o["color"] for o in opts] == [reg.OPTIMIZERS[n].color for n in NAMES]
    assert [o["m"] for o in opts] == [reg.OPTIMIZERS[n].takes_momentum for n in NAMES]
    assert 'class="lx-momentum"' in html and html.count('class="lx-opt"') == len(NAMES)
    for name in NAMES:
        assert f'background:{reg.OPTIMIZERS[name].color}"></span>{name}</label>' in html


@pytest.mark.parametrize("name", NAMES)
def test_each_name_alone_renders_in_the_kernel_free_explorer(name):
    """The issue's example: VelocityMomentum passed the name check and then had no colour."""
    html = PathExplorer(ls.round_bowl(), (1, 1), [name], steps=5, lrs=[0.1], lr=0.1).html()
    assert reg.OPTIMIZERS[name].color in html
    assert ('class="lx-momentum"' in html) == reg.OPTIMIZERS[name].takes_momentum


def test_every_name_runs_and_draws_in_the_live_widget():
    from lablib import widgets

    ex = widgets.trajectory_explorer(BOWL, START, NAMES, lr=0.01, momentum=0.9, steps=15)
    assert list(ex.result) == NAMES
    ex.sliders["lr"].value = 0.05
    ex.sliders["momentum"].value = 0.5
    assert ex.redraws == 3
    for name in NAMES:
        want = {"momentum": 0.5} if reg.OPTIMIZERS[name].takes_momentum else {}
        np.testing.assert_array_equal(ex.result[name].path,
                                      ls.trajectory(name, BOWL, START, 15, lr=0.05, **want).path)
        lines = [ln for ln in ex.figure.axes[0].lines if ln.get_label() == name]
        assert lines and to_hex(lines[0].get_color()) == reg.OPTIMIZERS[name].color.lower()


def test_names_are_checked_the_same_everywhere():
    from lablib import widgets

    for call in (lambda: ls.compare(["SGD", "Lion"], BOWL, START, 3, lr=0.1),
                 lambda: PathExplorer(BOWL, START, ["SGD", "Lion"], steps=3),
                 lambda: widgets.trajectory_explorer(BOWL, START, ["SGD", "Lion"])):
        with pytest.raises(ValueError, match="unknown optimizer 'Lion'; known: GD, SGD"):
            call()


# ---------------------------------------------------------------- a new optimizer: one class, one entry


class Signum(optim.Optimizer):
    """Sign of a momentum buffer: b <- momentum b + g;  w <- w - lr sign(b)."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.9):
        super().__init__(params, lr)
        self.momentum = momentum

    def init_state(self, p):
        return {"b": np.zeros_like(p.data)}

    def direction(self, g, s):
        s.b = self.momentum * s.b + g
        return np.sign(s.b)


def test_a_new_optimizer_needs_one_class_and_one_entry(monkeypatch):
    from lablib import widgets

    entry = reg.BookOptimizer("Signum", Signum, "#CC79A7", settings={"momentum": 0.5}, takes_momentum=True)
    monkeypatch.setitem(reg.OPTIMIZERS, "Signum", entry)
    run = ls.trajectory("Signum", BOWL, START, 5, lr=0.1)
    np.testing.assert_allclose(run.path[1], np.array(START) - 0.1 * np.sign(BOWL.grad(np.array(START))))
    assert run.settings == {"lr": 0.1, "momentum": 0.5}
    assert ls.compare(["SGD", "Signum"], BOWL, START, 5, lr=0.1, momentum=0.8)["Signum"].settings["momentum"] == 0.8
    assert optimizer_color("signum") == optimizer_color_or("Signum") == "#CC79A7"
    assert to_hex(pl.plot_trajectories(BOWL, {"Signum": run}).lines[0].get_color()) == "#cc79a7"
    ex = PathExplorer(BOWL, START, ["Signum"], steps=5, lrs=[0.1], momenta=[0.0, 0.9], lr=0.1)
    assert ex.uses_momentum and "#CC79A7" in ex.html()
    live = widgets.trajectory_explorer(BOWL, START, ["SGD", "Signum"], lr=0.1, momentum=0.9, steps=5)
    np.testing.assert_array_equal(live.result["Signum"].path,
                                  ls.trajectory("Signum", BOWL, START, 5, lr=0.1, momentum=0.9).path)


# ---------------------------------------------------------------- the colours

# Machado, Oliveira & Fernandes (2009): full-severity protanopia and deuteranopia, on linear RGB
_CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
# sRGB (linear) -> LMS -> Oklab (Björn Ottosson, 2020): distances there follow perceived differences
_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929], [0.2119034982, 0.6806995451, 0.1073969566],
                 [0.0883024619, 0.2817188376, 0.6299787005]])
_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468], [1.9779984951, -2.4285922050, 0.4505937099],
                 [0.0259040371, 0.7827717662, -0.8086757660]])


def _oklab(color: str, vision: str) -> np.ndarray:
    srgb = np.array([int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return _LAB @ np.cbrt(_LMS @ np.clip(_CVD[vision] @ linear, 0, 1))


def _difference(a: str, b: str, visions=tuple(_CVD)) -> float:
    """The smallest Oklab distance (x 100) between two colours, over the visions given."""
    return min(100 * np.linalg.norm(_oklab(a, v) - _oklab(b, v)) for v in visions)


def test_difference_measure_sees_what_readers_see():
    assert _difference("#FFFFFF", "#000000") == pytest.approx(100, abs=0.01)
    assert _difference("#E69F00", "#D55E00", ["normal"]) > 15            # orange and vermilion, full vision
    assert _difference("#D55E00", "#8C6D1F") < 3                         # a pair that red-green blindness merges


def test_one_distinct_colour_per_optimizer():
    colours = [e.color for e in reg.OPTIMIZERS.values()]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours) and len(set(colours)) == len(colours)
    pairs = list(itertools.combinations(reg.OPTIMIZERS.values(), 2))
    worst = min(pairs, key=lambda p: _difference(p[0].color, p[1].color))
    assert _difference(worst[0].color, worst[1].color) > 8, (worst[0].name, worst[1].name)
    assert min(_difference(a.color, b.color, ["normal"]) for a, b in pairs) > 12
    for e in reg.OPTIMIZERS.values():       # visible on white (and the landscapes' light greys)
        assert _difference(e.color, "#FFFFFF", ["normal"]) > 28, e.name


def test_the_optimizers_drawn_together_stay_apart():
    """Chapters 8 and 9 compare these five in one figure; chapter 7 the momentum family with SGD."""
    for group in (("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"),
                  ("SGD", "Momentum", "Nesterov", "VelocityMomentum"), ("Adam", "AdamW")):
        for a, b in itertools.combinations(group, 2):
            assert _difference(reg.OPTIMIZERS[a].color, reg.OPTIMIZERS[b].color) > 11, (a, b)
