"""The outlier experiment of exercise 2: PLA vs. one sigmoid neuron when
x4 = ((0, −t)ᵀ, +1) is added to D and t grows.

Everything reported is computed here at run time; the seed's boundaries are
only *checked* (:func:`sheet_checks`), never used.

What "before/after" means for the neuron: the seed argues that, near the
boundary found on D, x4's gradient vanishes, so training *continued from that
boundary* on D ∪ {x4} barely moves it. So the main run ("warm") starts from the
weights found on D and trains ``epochs`` more; its reference is the same
continuation on D alone, so the angle between the two isolates x4's effect. A
"zeros" run (the same start as on D) and a cross-entropy run show what the
seed's argument leaves out.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from nndl.classic.errors import DataError, check_xy
from nndl.classic.neuron import Neuron, loss_name
from nndl.classic.perceptron import (
    ConvergenceWarning,
    LineCheck,
    NovikoffBound,
    Perceptron,
    check_line,
    max_margin,
    predicted_updates,
)
from nndl.text import Text

# The seed's data set D (exercise 2).
X_D = ((0.0, 1.0), (1.0, 0.0), (-1.0, 0.0))
Y_D = (1, 1, -1)
DEFAULT_TS = (1, 10, 100, 1e3, 1e6, 1e9)


DEFAULT_DIRECTION = (0.0, -1.0)


def with_x4(t: float, X=X_D, y=Y_D, direction=DEFAULT_DIRECTION,
            label: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """D ∪ {(t·direction, label)} as arrays (default: the seed's D ∪ {((0, −t)ᵀ, +1)})."""
    x4 = tuple(float(c) * float(t) for c in direction)
    return (np.array(tuple(tuple(map(float, x)) for x in X) + (x4,)),
            np.array(tuple(y) + (label,), dtype=np.float64))


def angle_deg(u, v) -> float:
    """Angle between two normal vectors in degrees (0 = same boundary and orientation)."""
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        return float("nan")
    # atan2 of |u×v| and u·v is accurate for tiny and near-180° angles, unlike acos
    cross = u[0] * v[1] - u[1] * v[0] if len(u) == 2 else np.linalg.norm(np.cross(u, v))
    return math.degrees(math.atan2(abs(cross) / (nu * nv), float(u @ v) / (nu * nv)))


def equation(coef, intercept: float, digits: int = 4) -> str:
    """'b + w1·x1 + w2·x2' with the seed's variable names."""
    terms = [] if intercept == 0 else [_num(intercept, digits)]
    for i, c in enumerate(coef, start=1):
        if c == 0:
            continue
        s = _num(abs(c), digits)
        body = f"x{i}" if s == "1" else f"{s}·x{i}"
        if not terms:
            terms.append(("−" if c < 0 else "") + body)
        else:
            terms.append(("− " if c < 0 else "+ ") + body)
    return " ".join(terms) if terms else "0"


def _num(v: float, digits: int) -> str:
    s = f"{v:.{digits}g}"
    return s.replace("-", "−")


@dataclass
class PLAResult:
    """One PLA run; ``separates`` is checked on the set it was trained on."""

    set_name: str
    coef: list[float]
    intercept: float
    equation: str
    n_updates: int
    epochs: int
    converged: bool
    separates: bool
    feature_scaling: str | None
    novikoff: NovikoffBound
    predicted_updates: int | None = None  # ⌊(R/γ*)²⌋, Novikoff's most (None: not separable)
    warning: str = ""  # the ConvergenceWarning of a run that stopped at max_iter ("" if none)


@dataclass
class Frame:
    epoch: int
    coef: list[float]
    intercept: float


@dataclass
class NeuronResult:
    """One sigmoid-neuron run and what it did to the boundary.

    ``angle_deg``: angle between this run's w and its reference run's w (the same
    training without x4); ``x4_grad_*``: ‖∂ℓ_4/∂w‖ of x4 alone at the first
    step, the last step, and the largest over the recorded steps.
    """

    loss: str
    start: str
    epochs: int
    lr: float
    coef: list[float]
    intercept: float
    equation: str
    norm: float
    correct: list[bool]
    all_correct: bool
    final_loss: float
    angle_deg: float | None = None
    x4_correct: bool | None = None
    x4_grad_first: float | None = None
    x4_grad_last: float | None = None
    x4_grad_max: float | None = None
    frames: list[Frame] = field(default_factory=list)


@dataclass
class DirectionStudy:
    """Where gradient descent on D goes: ‖w‖ and w's angle to the max-margin
    direction, at a few epochs (it converges in direction only, slowly)."""

    max_margin_direction: list[float]      # unit w maximising min y·wᵀx on D (no bias)
    max_margin: float
    epochs: list[int]
    norms: list[float]
    angles_deg: list[float]                # angle between w(epoch) and the max-margin direction


@dataclass
class OutlierRow:
    t: float
    x4: list[float]
    separable_without_bias: bool     # does any line through the origin classify all four?
    separable_with_bias: bool
    pla_raw: PLAResult
    pla_scaled: PLAResult
    bp: NeuronResult                 # the seed's loss, continued from D's boundary
    bp_zeros: NeuronResult           # the seed's loss, from w = 0 (as on D)
    ce: NeuronResult                 # cross-entropy, continued from its own D boundary


@dataclass
class OutlierExperiment:
    """Result of :func:`outlier_experiment` (exercise 2)."""

    X: list[list[float]]
    y: list[int]
    ts: list[float]
    lr: float
    epochs: int
    fit_intercept: bool
    pla_max_iter: int
    pla_D: PLAResult
    bp_D: NeuronResult
    ce_D: NeuronResult
    direction: DirectionStudy
    rows: list[OutlierRow]
    sheet: list[LineCheck]           # empty unless D, the direction and the label are the seed's
    x4_label: int = 1
    warnings: list[str] = field(default_factory=list)  # every PLA run that did not converge
    x4_direction: list[float] = field(default_factory=lambda: list(DEFAULT_DIRECTION))  # x4 = t·this


def _pla(X, y, set_name: str, *, max_iter: int, scaling: str | None, shuffle: bool,
         random_state: int | None) -> PLAResult:
    with warnings.catch_warnings():  # said in the result (and every rendering) instead
        warnings.simplefilter("ignore", ConvergenceWarning)
        p = Perceptron(max_iter=max_iter, feature_scaling=scaling, shuffle=shuffle,
                       random_state=random_state).fit(X, y)
    nb = p.novikoff_bound()
    return PLAResult(
        set_name=set_name, coef=p.coef_.tolist(), intercept=p.intercept_,
        equation=equation(p.coef_, p.intercept_), n_updates=p.n_updates_, epochs=p.n_iter_,
        converged=p.converged_,
        # strict, as PLA's own mistakes: a sample on the line is not separated (a scaled run
        # can stop with a line through a sample once mapped back, by rounding)
        separates=bool(np.all(y * p.decision_function(X) > 0)),
        feature_scaling=scaling, novikoff=nb, predicted_updates=predicted_updates(nb),
        warning=p.convergence_message())


def _neuron(X, y, *, loss: str, start: str, lr: float, epochs: int, fit_intercept: bool,
            init_from: Neuron | None = None, x4_index: int | None = None,
            frame_epochs=()) -> tuple[NeuronResult, Neuron]:
    model = Neuron(loss=loss, lr=lr, epochs=epochs, fit_intercept=fit_intercept)
    if init_from is not None:
        model.fit(X, y, coef_init=init_from.coef_, intercept_init=init_from.intercept_)
    else:
        model.fit(X, y)
    pred = model.decision_function(X) * y > 0
    res = NeuronResult(
        loss=model.loss, start=start, epochs=epochs, lr=lr, coef=model.coef_.tolist(),
        intercept=model.intercept_, equation=equation(model.coef_, model.intercept_),
        norm=float(np.linalg.norm(model.coef_)), correct=pred.tolist(),
        all_correct=bool(pred.all()),
        final_loss=float(model.sample_losses(X, y).mean()),
    )
    if x4_index is not None:
        g = [float(np.linalg.norm(h.sample_grads[x4_index])) for h in model.history_]
        res.x4_correct = bool(pred[x4_index])
        res.x4_grad_first, res.x4_grad_max = g[0], max(g)
        res.x4_grad_last = float(np.linalg.norm(model.sample_gradients()[x4_index]))
    want = set(frame_epochs)
    res.frames = [Frame(0, (init_from.coef_ if init_from else np.zeros(X.shape[1])).tolist(),
                        init_from.intercept_ if init_from else 0.0)]
    res.frames += [Frame(h.epoch, h.coef, h.intercept) for h in model.history_ if h.epoch in want]
    return res, model


def frame_epochs(epochs: int) -> list[int]:
    """1, 10, 100, ... up to ``epochs``, and ``epochs`` itself: the small multiples."""
    out = [e for e in (1, 3, 10, 30, 100, 300, 1000, 3000, 10000) if e < epochs]
    return out + [epochs] if epochs > 0 else out


T_MAX = 1e12  # largest t whose margins and bounds float64 still computes to 3+ digits


def outlier_experiment(ts=DEFAULT_TS, *, lr: float = 1.0, epochs: int = 300,
                       fit_intercept: bool = False, pla_max_iter: int = 2000,
                       pla_shuffle: bool = False, random_state: int | None = None,
                       X=None, y=None, direction=DEFAULT_DIRECTION, x4_label: int = 1,
                       losses: tuple[str, str] = ("sigmoid_squared", "logistic")
                       ) -> OutlierExperiment:
    """Train PLA and the sigmoid neuron on D, then on D ∪ {x4(t)} for each t.

    D is the seed's unless ``X``, ``y`` are given; x4 = t·``direction`` with label
    ``x4_label`` (the seed: (0, −t), +1). ``losses`` = (main, contrast): the ``bp*``
    runs and the direction study use the main loss, the ``ce*`` runs the contrast
    (the seed's names: the sheet's squared loss, then cross-entropy).

    PLA runs twice per t: on the raw data (capped at ``pla_max_iter`` epochs;
    its update count grows like t) and on max-abs scaled features (the line is
    mapped back to raw coordinates). The neuron (``lr``, ``epochs``,
    ``fit_intercept``) runs with the seed's loss warm-started from its D
    boundary, with the seed's loss from zero, and with cross-entropy
    warm-started from its own D boundary.
    """
    ts = [float(t) for t in ts]
    main_loss, contrast_loss = (loss_name(v) for v in losses)
    seed_data = X is None and y is None
    X, y = check_xy(X_D if X is None else X, Y_D if y is None else y, "outlier_experiment")
    direction = tuple(float(c) for c in direction)
    d_norm = math.hypot(*direction)
    if len(direction) != X.shape[1] or not math.isfinite(d_norm) or d_norm == 0:
        raise DataError(f"outlier_experiment: direction {direction} is not a nonzero vector "
                        f"of {X.shape[1]} finite numbers", hint="e.g. direction=(0, -1)")
    if x4_label not in (1, -1):
        raise DataError(f"outlier_experiment: x4_label must be +1 or -1, got {x4_label}",
                        hint="x4_label=1 (the seed's)")
    for t in ts:
        if not math.isfinite(t) or t <= 0:
            raise DataError(Text(f"t = {t} 不是有限的正数",
                                 f"outlier_experiment: t = {t} is not a positive finite number"),
                            hint=Text("x4 = (0, −t) 要求 t > 0，例如 --t 1,10,1e9",
                                      "x4 = (0, −t) needs t > 0, e.g. ts=(1, 10, 1e9)"))
        if t * d_norm > T_MAX:
            # beside samples of size 1, float64 resolves the geometry (margins, Novikoff's
            # bound, angles) only up to about eps·t; past 1e12 the numbers would be noise or inf
            raise DataError(Text(f"t = {t:g} 太大，float64 无法准确计算（至多 {T_MAX:g}）",
                                 f"outlier_experiment: t = {t:g} is too large for float64 "
                                 f"(at most {T_MAX:g})"),
                            hint=Text("t = 1e9 已能说明 t → ∞ 的极限，例如 --t 1,10,1e9",
                                      "t = 1e9 already shows the limit t → ∞, e.g. "
                                      "ts=(1, 10, 1e9)"))
    if epochs < 1:
        raise DataError(Text(f"轮数至少为 1，现在是 {epochs}",
                             f"outlier_experiment: epochs must be ≥ 1, got {epochs}"),
                        hint=Text("例如 --epochs 1000（epochs=1000）",
                                  "e.g. epochs=1000 (--epochs 1000)"))
    kw = dict(lr=lr, epochs=epochs, fit_intercept=fit_intercept)
    frames = frame_epochs(epochs)

    pla_D = _pla(X, y, "D", max_iter=pla_max_iter, scaling=None, shuffle=pla_shuffle,
                 random_state=random_state)
    bp_D, bp_model = _neuron(X, y, loss=main_loss, start="zeros", frame_epochs=frames, **kw)
    ce_D, ce_model = _neuron(X, y, loss=contrast_loss, start="zeros", frame_epochs=frames, **kw)
    # references: the same continuation without x4. The loss is a mean, so with x4 each of
    # D's n samples weighs 1/(n+1) instead of 1/n: the reference steps lr·n/(n+1), and a run
    # whose x4 contributes no gradient lands on it (0° apart, not a spurious ~0.1°)
    n = len(X)
    ref_kw = dict(kw, lr=lr * n / (n + 1))
    bp_ref = _neuron(X, y, loss=main_loss, start="warm", init_from=bp_model, **ref_kw)[0]
    ce_ref = _neuron(X, y, loss=contrast_loss, start="warm", init_from=ce_model, **ref_kw)[0]

    u, gamma, _ = max_margin(X, y)
    hist = bp_model.history_
    marks = [e for e in (1, 10, 100, 1000, 10000, 100000) if e <= epochs]
    by_epoch = {h.epoch: h for h in hist}
    study = DirectionStudy(
        max_margin_direction=u.tolist(), max_margin=gamma, epochs=marks,
        norms=[float(np.linalg.norm(by_epoch[e].coef)) for e in marks],
        angles_deg=[angle_deg(by_epoch[e].coef, u) for e in marks])

    rows = []
    for t in ts:
        X4, y4 = with_x4(t, X, y, direction, x4_label)
        sep0 = max_margin(X4, y4)[1] > 0
        sep1 = max_margin(np.hstack([np.ones((n + 1, 1)), X4]), y4)[1] > 0
        pla_raw = _pla(X4, y4, f"D∪x4(t={t:g})", max_iter=pla_max_iter, scaling=None,
                       shuffle=pla_shuffle, random_state=random_state)
        pla_scaled = _pla(X4, y4, f"D∪x4(t={t:g})", max_iter=pla_max_iter, scaling="maxabs",
                          shuffle=pla_shuffle, random_state=random_state)
        bp = _neuron(X4, y4, loss=main_loss, start="warm", init_from=bp_model,
                     x4_index=n, frame_epochs=frames, **kw)[0]
        bp.angle_deg = angle_deg(bp.coef, bp_ref.coef)
        bpz = _neuron(X4, y4, loss=main_loss, start="zeros", x4_index=n,
                      frame_epochs=frames, **kw)[0]
        bpz.angle_deg = angle_deg(bpz.coef, bp_D.coef)
        ce = _neuron(X4, y4, loss=contrast_loss, start="warm", init_from=ce_model, x4_index=n,
                     frame_epochs=frames, **kw)[0]
        ce.angle_deg = angle_deg(ce.coef, ce_ref.coef)
        rows.append(OutlierRow(t=t, x4=X4[n].tolist(), separable_without_bias=sep0,
                               separable_with_bias=sep1, pla_raw=pla_raw,
                               pla_scaled=pla_scaled, bp=bp, bp_zeros=bpz, ce=ce))

    runs = [("D", pla_D)] + [(f"t = {r.t:g}, {kind}", pla) for r in rows
                             for kind, pla in (("raw", r.pla_raw), ("max-abs scaled", r.pla_scaled))]
    return OutlierExperiment(
        warnings=[f"{where}: {pla.warning}" for where, pla in runs if pla.warning],
        X=X.tolist(), y=[int(v) for v in y], ts=ts, lr=lr, epochs=epochs,
        fit_intercept=fit_intercept, pla_max_iter=pla_max_iter, pla_D=pla_D, bp_D=bp_D,
        ce_D=ce_D, direction=study, rows=rows, x4_label=x4_label, x4_direction=list(direction),
        sheet=sheet_checks(ts) if seed_data and direction == DEFAULT_DIRECTION and x4_label == 1
        else [])


def sheet_checks(ts=DEFAULT_TS) -> list[LineCheck]:
    """Check the seed's boundaries on the sets they are claimed for, and on the others.

    The sheet claims 1 + 10x1 + 10x2 (PLA on D), x1 + x2 (BP on D, and ≈ after
    adding x4), and 1.6 + 2x1 − x2 (PLA on D ∪ {x4}).
    """
    X, y = np.array(X_D), np.array(Y_D, dtype=np.float64)
    lines = [("g_PLA = 1 + 10x1 + 10x2", (10.0, 10.0), 1.0),
             ("g_BP = x1 + x2", (1.0, 1.0), 0.0),
             ("g_PLA' = 1.6 + 2x1 − x2", (2.0, -1.0), 1.6)]
    out = []
    for name, w, b in lines:
        out.append(check_line(w, b, X, y, name=name, set_name="D"))
        for t in ts:
            X4, y4 = with_x4(t)
            out.append(check_line(w, b, X4, y4, name=name, set_name=f"D∪x4(t={t:g})"))
    return out


def loss_label(loss: str) -> str:
    return {"sigmoid_squared": "(σ(y·wᵀx) − 1)²", "logistic": "log(1 + e^(−y·wᵀx))"}[
        loss_name(loss)]
