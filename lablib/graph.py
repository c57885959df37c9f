r"""Draw a :class:`~lablib.autograd.Value`'s computational graph as a circuit, step by step.

The picture is the course's circuit diagram: inputs on the left, one circle per gate
(게이트), and on every wire its value from the forward pass (순전파, blue, above the
wire) and the gradient of the output with respect to it from the backward pass
(역방향 계산, vermilion, below the wire). A wire that feeds several gates forks; each
branch then also shows what that gate sends back, and the wire's gradient is their sum.

The reveal goes in steps: the inputs, then each gate computing its output (forward), then
the seed :math:`\partial f/\partial f = 1`, then each gate in reverse order multiplying its
upstream gradient by its local gradients and sending the result to its inputs (backward).

* :func:`trace` lists the nodes, wires, gradients and steps (no drawing, NumPy only);
* :func:`draw_graph` draws one step (by default the last: everything) on a matplotlib axis;
* :func:`render_frames` draws every step to PNG images;
* :func:`step_player` wraps the frames in a small HTML/JavaScript player that works with no
  kernel (on the static site) and in Jupyter, Colab and Binder (its script and style are
  ``lablib/web/step_player.js`` and ``step_player.css``);
* :mod:`lablib.graph_widgets` has the same steps on an ipywidgets slider for a live notebook.

Everything is drawn with matplotlib: nothing outside pip is needed. The gradients drawn are
those a single :meth:`Value.backward() <lablib.autograd.Value.backward>` from the output
computes, found by calling the same closures; drawing never reads or changes ``.grad``.

Introduced in chapter 4.
"""
from __future__ import annotations

import base64
import html
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from lablib import web
from lablib._validate import integer as _integer, number_between as _number_between
from lablib._validate import positive_int as _positive_int
from lablib.autograd import Value, _unbroadcast, topological_order
from lablib.figure_language import translate, translate_template
from lablib.plotting.png import compact_png

__all__ = ["Step", "Trace", "trace", "draw_graph", "render_frames", "step_player", "StepPlayer",
           "gate_symbol", "VALUE_COLOR", "GRAD_COLOR", "MAX_NODES"]

#: Colour of forward values (Okabe–Ito blue) and of gradients (Okabe–Ito vermilion).
VALUE_COLOR = "#0072B2"
GRAD_COLOR = "#D55E00"
_ACTIVE_FORWARD = "#CFE5F5"
_ACTIVE_BACKWARD = "#F9D9C4"
_PENDING = "#B0B0B0"

#: The largest graph :func:`trace` accepts: drawings are for small circuits.
MAX_NODES = 60

_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "**": "pow", "neg": "×−1", "exp": "exp",
            "log": "log", "tanh": "tanh", "sigmoid": "σ", "relu": "relu", "max": "max",
            "sum": "Σ", "mean": "mean", "@": "@"}

# geometry, in inches (the figure is drawn at true size, so text sizes are in points)
_COL = 1.25       # distance between columns
_ROW = 0.62       # distance between rows
_R = 0.23         # gate radius
_STEM = 0.55      # straight piece of wire after a gate (holds the value and gradient)
_FONT = 10


def _num(x: float) -> str:
    """A number as the diagrams write it: integers plainly, else two decimals (− as minus)."""
    x = float(x)
    if x == 0:
        s = "0"
    elif x.is_integer() and abs(x) < 1e5:
        s = str(int(x))
    elif 0.01 <= abs(x) < 1e4:
        s = f"{x:.2f}"
    else:
        s = f"{x:.1e}"
    return s.replace("-", "−")


def _fmt(a) -> str:
    a = np.asarray(a)
    if a.size == 1:
        return _num(a.reshape(()))
    return "×".join(str(n) for n in a.shape) if a.ndim else _num(a)


@dataclass
class Step:
    """One step of the reveal."""
    phase: str                    #: "inputs", "forward", "seed" or "backward"
    gate: Optional[Value]         #: the gate acting in this step (None for "inputs" and "seed")
    caption: str                  #: one sentence saying what happens
    shown: str = ""               #: the caption as drawn: translated in the book's Korean build

    def __post_init__(self):
        self.shown = self.shown or self.caption


@dataclass
class Trace:
    """Everything needed to draw a graph: nodes, wires, gradients and the steps of the reveal.

    Attributes
    ----------
    root : Value
        The output.
    nodes : list of Value
        Every Value the root depends on, inputs before outputs; numbers written into the
        expression (constants) are not nodes, they are drawn inside their gate (``+1``, ``×−1``).
    grads : dict
        ``id(node) -> ∂root/∂node`` (for an array root, the gradient of ``root.sum()``).
    edge_grads : dict
        ``(id(gate), k) -> `` what ``gate`` sends back to its ``k``-th input.
    steps : list of Step
        The reveal: inputs, one step per gate forward, the seed, one step per gate backward.
    """
    root: Value
    nodes: list
    grads: dict
    edge_grads: dict
    steps: list = field(default_factory=list)

    @property
    def leaves(self) -> list:
        return [n for n in self.nodes if n.is_leaf]

    @property
    def gates(self) -> list:
        return [n for n in self.nodes if not n.is_leaf]

    @property
    def captions(self) -> list:
        return [s.caption for s in self.steps]

    @property
    def last_forward_step(self) -> int:
        """Index of the step at which the forward pass is complete (no gradients yet)."""
        return len(self.gates)

    def grad(self, node: Value) -> np.ndarray:
        """∂root/∂node, as one backward pass from the root computes it."""
        return self.grads[id(node)]


def gate_symbol(gate: Value) -> str:
    """The text drawn inside a gate: its operation, with a constant operand folded in."""
    sym = _SYMBOLS.get(gate.op, gate.op)
    consts = [(k, inp) for k, inp in enumerate(gate.inputs) if inp.is_constant]
    if not consts:
        return sym
    k, c = consts[0]
    cval = float(c.data) if c.data.size == 1 else None
    text = _num(cval) if cval is not None else "c"
    if gate.op == "+":
        return f"+{text}" if cval is None or cval >= 0 else text
    if gate.op == "*":
        return f"×{text}"
    if gate.op == "-":
        return f"−{text}" if k == 1 else f"{text}−x"
    if gate.op == "/":
        return f"÷{text}" if k == 1 else f"{text}/x"
    if gate.op == "**":
        return f"$x^{{{text.replace('−', '-')}}}$" if k == 1 else f"${text}^x$"
    return f"{sym} {text}"


def _say(template: str, **fields) -> tuple[str, str]:
    """A caption from ``template`` and ``fields``: (English, as shown).

    A field is a string, or a pair made by ``_say``; the shown text is translated part by part
    (:func:`lablib.figure_language.translate_template`), so the catalog holds each template once.
    """
    english = {k: v[0] if isinstance(v, tuple) else v for k, v in fields.items()}
    shown = {k: v[1] if isinstance(v, tuple) else v for k, v in fields.items()}
    return template.format(**english), translate_template(template, **shown)


def _joined(parts: list) -> tuple[str, str]:
    return ", ".join(p[0] for p in parts), ", ".join(p[1] for p in parts)


def _name(node: Value) -> tuple[str, str]:
    """How a caption names a wire: its label, else the gate it comes out of."""
    if node.label:
        return node.label, node.label
    return _say("an input") if node.is_leaf else _say("the {gate} gate", gate=gate_symbol(node))


def trace(root: Value, max_nodes: int = MAX_NODES) -> Trace:
    r"""Walk the graph of ``root``: nodes, the gradient on every wire, and the steps of the reveal.

    The gradients come from one backward pass through the same closures
    :meth:`Value.backward() <lablib.autograd.Value.backward>` uses, kept per wire:

    .. math::

        \frac{\partial f}{\partial x} = \sum_{\text{gates } g \text{ that read } x}
        \underbrace{\frac{\partial f}{\partial g}}_{\text{upstream}}\;
        \underbrace{\frac{\partial g}{\partial x}}_{\text{local}} .

    Parameters
    ----------
    root : Value
        The output of the circuit.
    max_nodes : int, default MAX_NODES
        Refuse larger graphs (they would not be readable).

    Returns
    -------
    Trace

    Examples
    --------
    >>> from lablib.autograd import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z; f.label = "f"
    >>> t = trace(f)
    >>> [float(t.grad(v)) for v in (x, y, z)]
    [-4.0, -4.0, 3.0]
    >>> for caption in t.captions: print(caption)
    Inputs: x = −2, y = 5, z = −4
    Forward 1/2: the + gate computes 3
    Forward 2/2: the × gate computes f = −12
    Backward: start at the output with ∂f/∂f = 1
    Backward 1/2: the × gate sends back upstream 1 × local gradients: −4 to the + gate, 3 to z
    Backward 2/2: the + gate sends back upstream −4 × local gradients: −4 to x, −4 to y

    Introduced in chapter 4.
    """
    if not isinstance(root, Value):
        raise ValueError(f"trace() needs a Value, got {type(root).__name__}")
    max_nodes = _positive_int(max_nodes, "max_nodes")
    order = [n for n in topological_order(root) if not n.is_constant]
    if len(order) > max_nodes:
        raise ValueError(f"this graph has {len(order)} nodes; drawings are for small circuits "
                         f"(at most max_nodes={max_nodes}). Draw a smaller expression, or raise max_nodes")
    grads = {id(n): np.zeros_like(n.data) for n in order}
    grads[id(root)] = np.ones_like(root.data)
    edge_grads = {}
    for node in reversed(order):
        if node.is_leaf:
            continue
        for k, (inp, g) in enumerate(zip(node.inputs, node._backward(grads[id(node)]))):
            if inp.is_constant:
                continue
            contribution = np.array(_unbroadcast(g, inp.shape), dtype=np.float64)
            edge_grads[(id(node), k)] = contribution
            grads[id(inp)] = grads[id(inp)] + contribution
    t = Trace(root=root, nodes=order, grads=grads, edge_grads=edge_grads)
    t.steps = _steps(t)
    return t


def _steps(t: Trace) -> list:
    leaves, gates = t.leaves, t.gates
    named = [_say("{name} = {value}", name=leaf.label or _say("input"), value=_fmt(leaf.data))
             for leaf in leaves]
    first = (_say("Inputs: {inputs}", inputs=_joined(named)) if len(leaves) <= 6
             else _say("The {n} inputs", n=str(len(leaves))))
    steps = [Step("inputs", None, *first)]
    n = str(len(gates))
    for i, gate in enumerate(gates, 1):
        out = f"{gate.label} = {_fmt(gate.data)}" if gate.label else _fmt(gate.data)
        steps.append(Step("forward", gate, *_say("Forward {i}/{n}: the {gate} gate computes {out}",
                                                 i=str(i), n=n, gate=gate_symbol(gate), out=out)))
    f = t.root.label or "f"
    seed = "1" if t.root.data.size == 1 else _say("{one} (every entry)", one="1")
    steps.append(Step("seed", None, *_say("Backward: start at the output with ∂{f}/∂{f} = {seed}",
                                          f=f, seed=seed)))
    for i, gate in enumerate(reversed(gates), 1):
        sent = [_say("{grad} to {wire}", grad=_fmt(t.edge_grads[(id(gate), k)]), wire=_name(inp))
                for k, inp in enumerate(gate.inputs) if not inp.is_constant]
        steps.append(Step("backward", gate, *_say(
            "Backward {i}/{n}: the {gate} gate sends back upstream {grad} × local gradients: {sent}",
            i=str(i), n=n, gate=gate_symbol(gate), grad=_fmt(t.grad(gate)), sent=_joined(sent))))
    return steps


# -- layout ------------------------------------------------------------------------------
@dataclass
class _Layout:
    pos: dict          # id(node) -> (x, y) of its gate centre (or a leaf's wire start)
    via: dict          # (id(gate), k) -> [(x, y), ...] where a long wire crosses columns

    def extent(self):
        pts = list(self.pos.values()) + [p for v in self.via.values() for p in v]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), max(xs), min(ys), max(ys)


def _wires(t: Trace):
    """Every wire (input node, gate, k): node feeds the k-th input of gate (constants skipped)."""
    return [(inp, gate, k) for gate in t.gates for k, inp in enumerate(gate.inputs) if not inp.is_constant]


def _layout(t: Trace) -> _Layout:
    """Place the circuit on a grid.

    Leaves go to column 0 in the order a depth-first walk from the output meets them; a gate
    goes one column right of its rightmost input. A wire that spans several columns gets a
    waypoint in each column it crosses, so that it runs in its own row instead of through a
    gate. Column by column, each gate wants the mean height of its inputs and each waypoint
    the height of the wire so far; items that would come closer than one row are pushed
    apart, each group of touching items centred on what its members want.
    """
    col = {}
    for node in t.nodes:                       # inputs before outputs
        ins = [i for i in node.inputs if not i.is_constant]
        col[id(node)] = 0 if node.is_leaf else 1 + max((col[id(i)] for i in ins), default=0)
    y = {id(leaf): -row * _ROW for row, leaf in enumerate(t.leaves)}
    via_y = {}                                 # (id(gate), k) -> {column: y}
    wires = _wires(t)

    def arriving(inp, gate, k, c):             # height of a wire where it leaves column c - 1
        return via_y[(id(gate), k)][c - 1] if c - 1 > col[id(inp)] else y[id(inp)]

    for c in range(1, max(col.values()) + 1):
        items = []                             # (wanted height, tie-break, key)
        for gate in (g for g in t.gates if col[id(g)] == c):
            ins = [(inp, k) for k, inp in enumerate(gate.inputs) if not inp.is_constant]
            want = float(np.mean([arriving(inp, gate, k, c) for inp, k in ins])) if ins else 0.0
            items.append((want, 0, ("gate", gate)))
        for inp, gate, k in wires:
            if col[id(inp)] < c < col[id(gate)]:
                items.append((arriving(inp, gate, k, c), 1, ("via", (id(gate), k))))
        items.sort(key=lambda it: (-it[0], it[1]))
        for (kind, key), height in zip((it[2] for it in items), _spread([it[0] for it in items])):
            if kind == "gate":
                y[id(key)] = height
            else:
                via_y.setdefault(key, {})[c] = height
    pos = {id(n): (col[id(n)] * _COL, y[id(n)]) for n in t.nodes}
    via = {key: [(c * _COL, h) for c, h in sorted(cols.items())] for key, cols in via_y.items()}
    for inp, gate, k in wires:
        via.setdefault((id(gate), k), [])
    return _Layout(pos, via)


def _spread(wanted: list) -> list:
    """Heights for items wanted at ``wanted`` (sorted top to bottom), at least one row apart:
    touching items form a block, centred on the mean of what its members want."""
    blocks = []                                # [top, [wanted...]]
    for w in wanted:
        blocks.append([w, [w]])
        while len(blocks) > 1:
            (top0, ws0), (top1, ws1) = blocks[-2], blocks[-1]
            if top0 - len(ws0) * _ROW >= top1 - 1e-12:
                break
            merged = ws0 + ws1
            top = float(np.mean([w_ + j * _ROW for j, w_ in enumerate(merged)]))
            blocks[-2:] = [[top, merged]]
    return [top - j * _ROW for top, ws in blocks for j in range(len(ws))]


def _visible(t: Trace, step: int):
    """What step ``step`` shows: node values, node (wire) gradients, branch gradients
    (gate id, k), the gates computed so far and the acting gate."""
    gates = t.gates
    values = {id(n) for n in t.leaves} | {id(g) for g in gates[:min(step, len(gates))]}
    computed = {id(g) for g in gates[:min(step, len(gates))]}
    node_grads, edge_grads = set(), set()
    if step > len(gates):                      # the backward pass has started
        node_grads.add(id(t.root))
        for gate in list(reversed(gates))[: step - len(gates) - 1]:
            edge_grads.update((id(gate), k) for k, inp in enumerate(gate.inputs) if not inp.is_constant)
        for node, uses in _consumers(t).items():
            if all((id(g), k) in edge_grads for g, k in uses):
                node_grads.add(node)
    return values, computed, node_grads, edge_grads, t.steps[step].gate


def _consumers(t: Trace) -> dict:
    uses = {}
    for inp, gate, k in _wires(t):
        uses.setdefault(id(inp), []).append((gate, k))
    return uses


_LEFT, _RIGHT, _TOP, _TITLE = 0.95, _R + _STEM + 0.75, 0.4, 0.5
_WIDE = 6.8       # a figure at least this wide has its legend on one line


def _frame(lay: _Layout):
    x0, x1, y0, y1 = lay.extent()
    xa, xb = x0 - _LEFT, x1 + _RIGHT
    return xa, xb, y0 - (0.6 if xb - xa >= _WIDE else 0.85), y1 + _TOP


def _new_figure(lay: _Layout):
    import matplotlib.pyplot as plt

    xa, xb, ya, yb = _frame(lay)
    w, h = xb - xa, yb - ya
    fig = plt.figure(figsize=(w, h + _TITLE))
    ax = fig.add_axes((0.0, 0.0, 1.0, h / (h + _TITLE)))
    return fig, ax


def _math(label: str) -> str:
    """``w0`` -> $w_{0}$, ``x`` -> $x$ (mathtext); other labels as they are."""
    m = re.fullmatch(r"([A-Za-z]+)_?(\d*)", label)
    if not m:
        return label
    letters, digits = m.groups()
    if len(letters) > 1 and not digits and len(letters) > 3:
        return label
    return f"${letters}_{{{digits}}}$" if digits else f"${letters}$"


def draw_graph(root, step: int = -1, ax=None, *, title: bool = True, legend: bool = True):
    """Draw the circuit of ``root`` as it looks at ``step`` of the reveal.

    Parameters
    ----------
    root : Value or Trace
        The output of the circuit (or its :func:`trace`, to avoid walking the graph again).
    step : int, default -1
        Which step to draw; ``-1`` (the last) shows every value and every gradient;
        ``trace(root).last_forward_step`` shows the finished forward pass.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure drawn at true size (one unit is one inch).
    title : bool, default True
        Write the step's caption above the drawing.
    legend : bool, default True
        Say below the drawing what the colours mean.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from lablib.autograd import Value
    >>> x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    >>> ax = draw_graph(x * y)
    >>> ax.get_title(loc="left")
    'Backward 1/1: the × gate sends back upstream 1 × local gradients: −4 to x, 3 to y'

    Introduced in chapter 4.
    """
    t = root if isinstance(root, Trace) else trace(root)
    n_steps = len(t.steps)
    step = _integer(step, f"step (this graph has {n_steps} steps)", at_least=-n_steps, at_most=n_steps - 1) % n_steps
    lay = _layout(t)
    if ax is None:
        _, ax = _new_figure(lay)
    _draw(ax, t, lay, step)
    xa, xb, ya, yb = _frame(lay)
    ax.set_xlim(xa, xb)
    ax.set_ylim(ya, yb)
    ax.set_aspect("equal")
    ax.set_xticks([])                # no ticks to lay out (the title would measure them every frame)
    ax.set_yticks([])
    ax.axis("off")
    if title:
        ax.set_title(t.steps[step].shown, loc="left", x=0.012, fontsize=_FONT + 0.5, wrap=True)
    if legend:
        f = t.root.label or "f"
        first = ax.text(xa + 0.12, ya + (0.1 if xb - xa >= _WIDE else 0.36), "above a wire: its value "
                        "(forward pass)", color=VALUE_COLOR, fontsize=_FONT - 0.5, va="bottom")
        second = translate_template("below a wire: the gradient ∂{f}/∂(wire) (backward pass)", f=f)
        if xb - xa >= _WIDE:
            ax.annotate(second, xy=(1, 0), xycoords=first, xytext=(14, 0), textcoords="offset points",
                        color=GRAD_COLOR, fontsize=_FONT - 0.5, va="bottom")
        else:
            ax.text(xa + 0.12, ya + 0.1, second, color=GRAD_COLOR, fontsize=_FONT - 0.5, va="bottom")
    return ax


def _draw(ax, t: Trace, lay: _Layout, step: int) -> None:
    from matplotlib.patches import Circle

    values, computed, node_grads, edge_grads, active = _visible(t, step)
    consumers = _consumers(t)
    backward = t.steps[step].phase in ("seed", "backward")
    pos = lay.pos
    line = dict(lw=1.2, zorder=1, solid_capstyle="round")
    label_box = dict(facecolor="white", edgecolor="none", pad=0.4, alpha=0.9)
    for node in t.nodes:
        x, y = pos[id(node)]
        start = x if node.is_leaf else x + _R
        stem_end = start + _STEM
        color = "black" if id(node) in values else _PENDING
        uses = consumers.get(id(node), [])
        if node is t.root:
            ax.annotate("", xy=(stem_end + 0.3, y), xytext=(start, y),
                        arrowprops=dict(arrowstyle="-|>", color=color, lw=1.2, shrinkA=0, shrinkB=0))
            ax.text(stem_end + 0.38, y, _math(t.root.label or "f"), ha="left", va="center", fontsize=_FONT + 2)
        else:
            ax.plot([start, stem_end], [y, y], color=color, **line)
        for gate, k in uses:
            gx, gy = pos[id(gate)]
            live = _ports(gate, pos, lay)
            j, m = live.index(k), len(live)            # spread a gate's inputs over its left side
            angle = 0.0 if m == 1 else np.deg2rad(40) * (1 - 2 * j / (m - 1))
            port = (gx - _R * np.cos(angle), gy + _R * np.sin(angle))
            pts = [(stem_end, y)]
            for vx, vy in lay.via[(id(gate), k)]:      # through the columns it crosses
                pts += [(max(pts[-1][0], vx - _R - 0.2), pts[-1][1]), (vx - _R, vy), (vx + _R + _STEM, vy)]
            pts += [(max(pts[-1][0], gx - 0.55 * _COL), pts[-1][1]), port]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], color=color, **line)
            if len(uses) > 1 and (id(gate), k) in edge_grads:      # a fork: what this branch gets
                text = _fmt(t.edge_grads[(id(gate), k)])
                if lay.via[(id(gate), k)]:
                    vx, vy = lay.via[(id(gate), k)][0]
                    ax.text(vx + _STEM / 2, vy - 0.06, text, color=GRAD_COLOR, fontsize=_FONT - 1,
                            ha="center", va="top", zorder=4, bbox=label_box)
                else:                                  # on the last, slanted piece of the branch
                    (ax_, ay_), (bx_, by_) = pts[-2], pts[-1]
                    same_gate = [kk for kk in live if gate.inputs[kk] is node]
                    if len(same_gate) > 1:             # e.g. x * x: top branch above, others below
                        above = live.index(k) == min(live.index(kk) for kk in same_gate)
                        at = 0.75                      # near the gate, where the branches are apart
                    else:
                        above, at = by_ > ay_ + 1e-9, 0.45
                    ax.text(ax_ + at * (bx_ - ax_) - 0.03, ay_ + at * (by_ - ay_)
                            + (0.04 if above else -0.04), text, color=GRAD_COLOR, fontsize=_FONT - 1,
                            ha="right", va="bottom" if above else "top", zorder=4, bbox=label_box)
        mid = (start + stem_end) / 2
        if id(node) in values:
            text = _fmt(node.data)
            if node.label and not node.is_leaf and node is not t.root:
                text = f"{_math(node.label)} = {text}"
            ax.text(mid, y + 0.05, text, color=VALUE_COLOR, ha="center", va="bottom", fontsize=_FONT, zorder=4)
        if id(node) in node_grads:
            ax.text(mid, y - 0.06, _fmt(t.grad(node)), color=GRAD_COLOR, ha="center", va="top",
                    fontsize=_FONT, zorder=4)
        if node.is_leaf:
            ax.text(x - 0.08, y, _math(node.label or "input"), ha="right", va="center", fontsize=_FONT + 2)
    for gate in t.gates:                                 # gates on top of the wires
        gx, gy = pos[id(gate)]
        is_active, done = gate is active, id(gate) in computed
        face = (_ACTIVE_BACKWARD if backward else _ACTIVE_FORWARD) if is_active else "white"
        ax.add_patch(Circle((gx, gy), _R, facecolor=face, edgecolor="black" if done else _PENDING,
                            lw=2.4 if is_active else 1.2, zorder=3))
        sym = gate_symbol(gate)
        plain = re.sub(r"[${}^]", "", sym)
        size = {1: _FONT + 2, 2: _FONT + 0.5, 3: _FONT - 1}.get(len(plain), _FONT - 2)
        ax.text(gx, gy, sym, ha="center", va="center", fontsize=size, zorder=5,
                color="black" if done else _PENDING)


def _ports(gate: Value, pos: dict, lay: _Layout) -> list:
    """The gate's (non-constant) input indices from its top port to its bottom port, ordered by
    the height at which each wire arrives, so that wires entering a gate do not cross."""
    live = [k for k, inp in enumerate(gate.inputs) if not inp.is_constant]

    def arrival(k):
        via = lay.via[(id(gate), k)]
        return via[-1][1] if via else pos[id(gate.inputs[k])][1]
    return sorted(live, key=lambda k: (-arrival(k), k))


def render_frames(root, dpi: int = 100) -> list:
    """Every step of the reveal as PNG bytes (same size for all frames).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from lablib.autograd import Value
    >>> frames = render_frames(Value(2.0, label="a") * Value(3.0, label="b"), dpi=40)
    >>> len(frames), frames[0][:4]
    (4, b'\\x89PNG')

    Introduced in chapter 4.
    """
    import matplotlib.pyplot as plt

    dpi = _number_between(dpi, "dpi", 10, 600)
    t = root if isinstance(root, Trace) else trace(root)
    fig, ax = _new_figure(_layout(t))
    frames = []
    try:
        for step in range(len(t.steps)):
            ax.clear()
            draw_graph(t, step=step, ax=ax)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi)
            frames.append(compact_png(buf.getvalue()))     # 256 colours where it looks the same
    finally:
        plt.close(fig)
    return frames


class StepPlayer:
    """A sequence of frames with a slider and buttons, as self-contained HTML and JavaScript.

    It displays in Jupyter, JupyterLab, Colab and Binder, and on the book's static pages,
    where it plays with no kernel. Without JavaScript the first frame shows.
    """

    def __init__(self, frames: list, captions: list, interval_ms: int = 1200):
        if not frames or len(frames) != len(captions):
            raise ValueError(f"need one caption per frame; got {len(frames)} frames and {len(captions)} captions")
        if not all(isinstance(f, (bytes, bytearray)) and bytes(f[:8]) == b"\x89PNG\r\n\x1a\n" for f in frames):
            raise ValueError("frames must be PNG images (bytes)")
        self.frames, self.captions, self.interval_ms = list(frames), list(captions), int(interval_ms)

    def __len__(self) -> int:
        return len(self.frames)

    def _repr_html_(self) -> str:
        uid = "lablib-steps-" + uuid.uuid4().hex[:12]
        srcs = ["data:image/png;base64," + base64.b64encode(f).decode("ascii") for f in self.frames]
        n = len(srcs)
        button = '<button type="button" data-go="{go}" title="{title}">{text}</button>'
        buttons = "".join(button.format(go=go, title=html.escape(translate(title)), text=html.escape(translate(text)))
                          for go, title, text in (
            ("first", "First step", "|◀"), ("prev", "Previous step", "◀ back"), ("play", "Play / pause", "▶ play"),
            ("next", "Next step", "next ▶"), ("last", "Last step", "▶|")))
        captions = [translate(caption) for caption in self.captions]
        labels = {"play": translate("▶ play"), "pause": translate("|| pause")}
        data = json.dumps({"frames": srcs, "captions": captions, "interval": self.interval_ms, "labels": labels},
                          ensure_ascii=False).replace("</", "<\\/")     # cannot end the script element early
        # tabindex: the player takes the keyboard (arrows, Home/End, space) when clicked or tabbed to;
        # data-lm-suppress-shortcuts: JupyterLab (Lumino) leaves those keys to it, not to its commands
        return (f'<div id="{uid}" class="lablib-steps" tabindex="0" data-lm-suppress-shortcuts="true" '
                f'aria-keyshortcuts="ArrowLeft ArrowRight Home End Space">{web.style("step_player.css", uid)}\n'
                f'<img src="{srcs[0]}" alt="{html.escape(captions[0])}">\n'
                f'<div class="lablib-steps-controls">\n{buttons}\n'
                f'<input type="range" min="0" max="{n - 1}" value="0" step="1" aria-label="{html.escape(translate("step"))}">\n'
                f'<span class="lablib-steps-count">1/{n}</span>\n</div>\n'
                f'<script type="application/json" class="lablib-steps-data">{data}</script>\n'
                f'{web.script("step_player.js", uid)}</div>')


def step_player(root, dpi: int = 100, interval_ms: int = 1200) -> StepPlayer:
    """The reveal of ``root``'s circuit as a player that works without a kernel.

    Display the result (the last expression of a cell) to get the frames with a slider and
    First / Previous / Play / Next / Last buttons; on the static site it plays in the browser.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from lablib.autograd import Value
    >>> player = step_player(Value(2.0, label="a") + Value(3.0, label="b"), dpi=40)
    >>> html = player._repr_html_()    # 4 frames, and the first again as the image shown without JavaScript
    >>> len(player), html.count("data:image/png;base64,")
    (4, 5)

    Introduced in chapter 4.
    """
    t = root if isinstance(root, Trace) else trace(root)
    return StepPlayer(render_frames(t, dpi=dpi), [s.shown for s in t.steps], interval_ms=interval_ms)
