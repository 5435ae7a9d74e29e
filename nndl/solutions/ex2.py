"""Exercise 2: the perceptron (PLA) vs. one sigmoid neuron trained by BP on D, then with the
outlier x4 = t·d (the sheet: (0, −t), label +1) added for growing t.

Parameters (:class:`Params`): the data set D, the outlier's direction d and label, the values of
t, the neuron's loss, learning rate and epochs. With more or fewer than three points in D the
added sample is x_{n+1}; the answer keys keep the sheet's names:

* ``pla_separates_all`` — (1): is D ∪ {x_{n+1}} linearly separable (with a bias) for every t,
  i.e. can PLA classify every sample (Novikoff: PLA stops with all right exactly then);
* ``pla_boundary_t_max`` — PLA's (max-abs scaled) boundary at the largest t; a solution only
  where that set is separable and PLA converged within its epoch cap;
* ``bp_boundary_D`` — BP (the chosen loss) on D from w = 0;
* ``bp_turn_deg_t_max``, ``x4_gradient_t_max``, ``bp_classifies_x4`` — (2): BP with the chosen
  loss continued from D's boundary after adding x_{n+1} (x4 in the sheet) at the largest t.

The sheet's own errata and its checks of the sheet's boundaries appear only for the sheet's
problem (its D, x4 = (0, −t) with label +1 and its squared loss); ``ts``, ``lr`` and ``epochs``
are how the solution probes t → ∞ and trains, and are not part of the statement.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from nndl.classic import X_D, Y_D, max_margin, outlier_experiment, with_x4
from nndl.classic import render as classic_render
from nndl.classic.experiment import T_MAX, OutlierExperiment, OutlierRow
from nndl.classic.render import (
    _EN_COUNT,
    _ZH_COUNT,
    LOSS_NAME,
    limit_equation,
    opposite,
    point,
    summary_lines,
    t_terms,
    t_vector,
    x4_margin,
)
from nndl.classic.render import verdict as classic_verdict
from nndl.engine.kernels import sigmoid_scalar
from nndl.report import g
from nndl.solutions import params as P
from nndl.solutions.model import (
    Answer,
    Check,
    Erratum,
    Figure,
    Lang,
    Math,
    Paragraph,
    Section,
    Solution,
    Table,
    Text,
    fmt_num,
    problem_text,
)

TS = (1, 10, 100, 1e3, 1e6, 1e9)
SHEET_DATA = tuple((tuple(int(c) for c in x), int(y)) for x, y in zip(X_D, Y_D, strict=True))
SHEET_DIRECTION = (0, -1)
EPOCHS = 300          # 1000 with --full
LOSSES = {"squared": "sigmoid_squared", "cross_entropy": "logistic"}
_LOSS_ALIASES = {"squared": "squared", "sigmoid_squared": "squared", "seed": "squared",
                 "sheet": "squared", "mse": "squared",
                 "cross_entropy": "cross_entropy", "cross-entropy": "cross_entropy",
                 "crossentropy": "cross_entropy", "ce": "cross_entropy",
                 "logistic": "cross_entropy", "log_loss": "cross_entropy"}
_COORD = 100.0        # largest |coordinate| of a point of D and of the direction
_MAX_POINTS = 10
_MAX_TS = 12
_MAX_EPOCHS = 10_000
_MAX_LR = 10.0


# ----------------------------------------------------------------- parsers
def _num(name: str, text: str, what: Text, hint: Text) -> float:
    try:
        v = float(text.strip().replace("−", "-"))
    except ValueError:
        raise P.ParamError(Text(f"{name}：无法把{what.zh} {text.strip()!r} 读成数",
                                f"{name}: cannot read {what.en} {text.strip()!r} as a number"),
                           hint=hint) from None
    if not math.isfinite(v):
        raise P.ParamError(Text(f"{name}：{what.zh} {text.strip()!r} 不是有限的数",
                                f"{name}: {what.en} {text.strip()!r} is not a finite number"), hint=hint)
    return v


def _parse_label(name: str, text: str) -> int:
    t = text.strip().replace("−", "-")
    if t in ("1", "+1", "+", "1.0", "+1.0"):
        return 1
    if t in ("-1", "-", "-1.0"):
        return -1
    raise P.ParamError(Text(f"{name}={text!r} 不是标签 ±1", f"{name}={text!r} is not a label ±1"),
                       hint=Text(f"写成 {name}=1 或 {name}=-1", f"write {name}=1 or {name}=-1"))


_DATA_HINT = Text("写成 data=\"0,1:1; 1,0:1; -1,0:-1\"（每个点写作 `x1,x2:标签`，点之间用 `;` 隔开）",
                  "write data=0,1:1; 1,0:1; -1,0:-1 (each point x1,x2:label, points separated by ';')")
_LABELS_HINT = Text("标签只能是 1 或 -1；", "labels are 1 or -1; ") + _DATA_HINT


def _parse_data(name: str, text: str) -> tuple[tuple[tuple[float, float], int], ...]:
    """'0,1:1; 1,0:1; -1,0:-1' -> (((0, 1), 1), ((1, 0), 1), ((-1, 0), -1))."""
    items = [s for s in re.split(r"[;\n]", text) if s.strip()]
    if not items:
        raise P.ParamError(Text(f"{name} 是空的", f"{name} is empty"), hint=_DATA_HINT)
    out = []
    for k, item in enumerate(items, start=1):
        point, colon, lab = item.rpartition(":")
        if not colon:
            raise P.ParamError(Text(f"{name}：第 {k} 个点（{item.strip()!r}）没有标签",
                                    f"{name}: point {k} ({item.strip()!r}) has no label"),
                               hint=Text("每个点以 `:1` 或 `:-1` 结尾；", "end each point with :1 or :-1; ")
                               + _DATA_HINT)
        coords = [c for c in point.strip().strip("()[] ").split(",")]
        if len(coords) != 2:
            raise P.ParamError(Text(f"{name}：第 {k} 个点（{item.strip()!r}）不是两个坐标",
                                    f"{name}: point {k} ({item.strip()!r}) does not have two "
                                    "coordinates"),
                               hint=Text("点在平面上；", "points lie in the plane; ") + _DATA_HINT)
        xy = tuple(_num(name, c, Text(f"第 {k} 个点的坐标", f"point {k}'s coordinate"), _DATA_HINT)
                   for c in coords)
        try:
            y = _parse_label(name, lab)
        except P.ParamError:
            raise P.ParamError(Text(f"{name}：第 {k} 个点的标签 {lab.strip()!r} 不是 ±1",
                                    f"{name}: point {k}'s label {lab.strip()!r} is not ±1"),
                               hint=_LABELS_HINT) from None
        out.append((xy, y))
    return tuple(out)


def _parse_direction(name: str, text: str) -> tuple[float, float]:
    hint = Text(f"写成 {name}=0,-1（离群样本为 t·({name})）", f"write {name}=0,-1 (the outlier is t·({name}))")
    parts = text.strip().strip("()[] ").split(",")
    if len(parts) != 2:
        raise P.ParamError(Text(f"无法把 {name}={text!r} 读成两个数", f"cannot read {name}={text!r} as two numbers"),
                           hint=hint)
    return tuple(_num(name, p, Text("坐标", "the coordinate"), hint)  # type: ignore[return-value]
                 for p in parts)


def _parse_ts(name: str, text: str) -> tuple[float, ...]:
    """'1,10,1e9' -> (1.0, 10.0, 1e9), sorted, each once."""
    hint = Text(f"写成 {name}=1,10,100,1e9（用逗号隔开的正数）",
                f"write {name}=1,10,100,1e9 (positive numbers separated by commas)")
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise P.ParamError(Text(f"{name} 是空的", f"{name} is empty"), hint=hint)
    return tuple(sorted({_num(name, p, Text("值", "the value"), hint) for p in parts}))


def _parse_loss(name: str, text: str) -> str:
    v = _LOSS_ALIASES.get(text.strip().lower())
    if v is None:
        raise P.ParamError(Text(f"{name}={text!r} 不是这个神经元能用的损失",
                                f"{name}={text!r} is not a loss this neuron knows"),
                           hint=Text(f"写成 {name}=squared（原题的平方损失）或 {name}=cross_entropy（交叉熵）",
                                     f"write {name}=squared (the sheet's) or {name}=cross_entropy"))
    return v


# ----------------------------------------------------------------- parameters
def _data_cli(data) -> str:
    return "; ".join(",".join(P.show(float(c)) for c in x) + f":{y}" for x, y in data)


@dataclass(frozen=True)
class Params(P.ExerciseParams):
    """D = ``data``; the outlier x_{n+1} = t·``direction`` with label ``label`` for t in ``ts``;
    BP with ``loss``, ``lr`` and ``epochs``."""

    number = 2
    data: tuple[tuple[tuple[float, float], int], ...] = P.param(
        SHEET_DATA, kind=Text("点:标签; …", "point:label; …"),
        allowed=Text(f"2–{_MAX_POINTS} 个平面上的点，坐标绝对值 ≤ {_COORD:g}，每类至少一个，"
                     "须能被过原点的直线分开",
                     f"2–{_MAX_POINTS} points in the plane, |coordinates| ≤ {_COORD:g}, at least "
                     "one per class, separable by a line through the origin"),
        help=Text("训练集 D：每个样本写作 x1,x2:标签（标签 1 或 -1），样本之间用分号隔开，"
                  "如 data=\"0,1:1; 1,0:1; -1,0:-1\"",
                  "the training set D: each sample as x1,x2:label (label 1 or -1), samples "
                  "separated by ';', e.g. data=\"0,1:1; 1,0:1; -1,0:-1\""),
        parse=_parse_data)
    direction: tuple[float, float] = P.param(
        SHEET_DIRECTION, kind=Text("d1,d2", "d1,d2"),
        allowed=Text(f"非零，各分量绝对值 ≤ {_COORD:g}", f"nonzero, each |component| ≤ {_COORD:g}"),
        help=Text("离群样本的方向 d：新增样本为 t·d（题中 (0, −t)）",
                  "the outlier's direction d: the added sample is t·d (the sheet: (0, −t))"),
        parse=_parse_direction)
    label: int = P.param(
        1, kind=Text("±1", "±1"), allowed=Text("1 或 -1", "1 or -1"),
        help=Text("离群样本的标签", "the outlier's label"), parse=_parse_label)
    ts: tuple[float, ...] = P.param(
        TS, kind=Text("数,数,…", "number,number,…"),
        allowed=Text(f"1–{_MAX_TS} 个正数，t·‖d‖ ≤ {T_MAX:g}", f"1–{_MAX_TS} positive numbers, "
                     f"t·‖d‖ ≤ {T_MAX:g}"),
        help=Text("逐个尝试的 t 值（逼近 t → ∞），按从小到大排列",
                  "the values of t tried (approaching t → ∞), in increasing order"),
        parse=_parse_ts)
    loss: str = P.param(
        "squared", kind=Text("名称", "name"), allowed=Text("squared, cross_entropy",
                                                          "squared, cross_entropy"),
        help=Text("BP 的损失：题中的平方损失 (θ(y·wᵀx) − 1)² 或交叉熵 log(1 + e^(−y·wᵀx))；"
                  "另一种作为对比",
                  "BP's loss: the sheet's squared loss (θ(y·wᵀx) − 1)² or cross-entropy "
                  "log(1 + e^(−y·wᵀx)); the other one is shown for comparison"),
        parse=_parse_loss)
    lr: float = P.param(
        1.0, kind=Text("数", "number"), allowed=Text(f"0 < lr ≤ {_MAX_LR:g}", f"0 < lr ≤ {_MAX_LR:g}"),
        help=Text("BP 全批量梯度下降的学习率", "learning rate of BP's full-batch gradient descent"),
        parse=P.number(0.0, _MAX_LR))
    epochs: int = P.param(
        EPOCHS, kind=Text("整数", "integer"), allowed=Text(f"1–{_MAX_EPOCHS:,}", f"1–{_MAX_EPOCHS:,}"),
        help=Text("BP 的训练轮数（在 D 上，加入离群样本后再同样多轮；--full 时默认值改为 1000）",
                  "BP's epochs (on D, then as many again after adding the outlier; --full makes "
                  "the default 1000)"),
        parse=P.integer(1, _MAX_EPOCHS))

    @classmethod
    def info(cls) -> list[P.ParamInfo]:
        shown = {"data": _data_cli(SHEET_DATA), "direction": P.show(SHEET_DIRECTION).replace("x", ","),
                 "ts": ", ".join(f"{t:g}".replace("e+0", "e").replace("e+", "e") for t in TS)}
        return [dataclasses.replace(r, default=shown.get(r.name, r.default)) for r in super().info()]

    # --------------------------------------------------------------- derived
    def X(self) -> np.ndarray:
        return np.array([[float(c) for c in x] for x, _ in self.data], dtype=np.float64)

    def y(self) -> np.ndarray:
        return np.array([float(lab) for _, lab in self.data], dtype=np.float64)

    def sheet_data(self) -> bool:
        """D, the direction and the label are the sheet's (its claimed boundaries apply)."""
        return (self.data == SHEET_DATA and tuple(self.direction) == SHEET_DIRECTION
                and self.label == 1)

    def sheet_problem(self) -> bool:
        """The sheet's problem (its statement and errata apply): its data and its loss."""
        return self.sheet_data() and self.loss == "squared"

    def losses(self) -> tuple[str, str]:
        main = LOSSES[self.loss]
        return main, next(v for v in LOSSES.values() if v != main)

    # ------------------------------------------------------------- validate
    def validate(self) -> None:
        self._validate_data()
        d = self.direction
        if (not isinstance(d, tuple | list) or len(d) != 2
                or not all(isinstance(c, int | float) and math.isfinite(c) for c in d)):
            raise P.ParamError(Text(f"direction={d!r} 不是两个有限的数",
                                    f"direction={d!r} is not two finite numbers"),
                               hint=Text("写成 direction=0,-1", "write direction=0,-1"))
        if d[0] == 0 and d[1] == 0:
            raise P.ParamError(Text("direction=0,0 使离群样本对每个 t 都落在原点",
                                    "direction=0,0 puts the outlier at the origin for every t"),
                               hint=Text("给一个非零方向，例如 direction=0,-1",
                                         "give a nonzero direction, e.g. direction=0,-1"))
        if max(abs(c) for c in d) > _COORD:
            shown = f"direction={P.show(d[0])},{P.show(d[1])}"
            raise P.ParamError(Text(f"{shown} 有分量超出 ±{_COORD:g}",
                                    f"{shown} has a component beyond ±{_COORD:g}"),
                               hint=Text("把它缩小：起作用的只是它的方向和 t·‖d‖",
                                         "scale it down: only its direction and t·‖d‖ matter"))
        if self.label not in (1, -1):
            raise P.ParamError(Text(f"label={self.label!r} 不是 ±1", f"label={self.label!r} is not ±1"),
                               hint=Text("写成 label=1 或 label=-1", "write label=1 or label=-1"))
        self._validate_ts()
        if self.loss not in LOSSES:
            raise P.ParamError(Text(f"loss={self.loss!r} 不是这个神经元能用的损失",
                                    f"loss={self.loss!r} is not a loss this neuron knows"),
                               hint=Text("写成 loss=squared（原题的平方损失）或 loss=cross_entropy（交叉熵）",
                                         "write loss=squared (the sheet's) or loss=cross_entropy"))
        if not (isinstance(self.lr, int | float) and math.isfinite(self.lr)
                and 0 < self.lr <= _MAX_LR):
            raise P.ParamError(Text(f"lr={self.lr!r} 不是合适的学习率：要满足 0 < lr ≤ {_MAX_LR:g}",
                                    f"lr={self.lr!r} is not a learning rate in (0, {_MAX_LR:g}]"),
                               hint=Text("写成 lr=1（默认值），想让步子小一些可写 lr=0.1",
                                         "write lr=1 (the default), or e.g. lr=0.1 for smaller steps"))
        if not (isinstance(self.epochs, int) and 1 <= self.epochs <= _MAX_EPOCHS):
            raise P.ParamError(Text(f"epochs={self.epochs!r} 不是 1 到 {_MAX_EPOCHS:,} 之间的整数",
                                    f"epochs={self.epochs!r} is not a whole number from 1 to "
                                    f"{_MAX_EPOCHS:,}"),
                               hint=Text(f"写成 epochs={EPOCHS}", f"write epochs={EPOCHS}"))

    def _validate_data(self) -> None:
        data = self.data
        shape_ok = isinstance(data, tuple | list) and all(
            isinstance(s, tuple | list) and len(s) == 2 and isinstance(s[0], tuple | list)
            and len(s[0]) == 2 and all(isinstance(c, int | float) for c in s[0]) for s in data)
        if not shape_ok:
            raise P.ParamError(Text("data 不是 `((x1, x2), 标签)` 形式的样本列表",
                                    "data is not a list of ((x1, x2), label) samples"), hint=_DATA_HINT)
        if not 2 <= len(data) <= _MAX_POINTS:
            raise P.ParamError(Text(f"data 有 {len(data)} 个样本；本题要 2 到 {_MAX_POINTS} 个",
                                    f"data has {len(data)} sample{'' if len(data) == 1 else 's'}; "
                                    f"the exercise takes 2 to {_MAX_POINTS}"), hint=_DATA_HINT)
        for k, (x, lab) in enumerate(data, start=1):
            if lab not in (1, -1):
                raise P.ParamError(Text(f"data：x{k} 的标签 {lab!r} 不是 ±1",
                                        f"data: x{k}'s label {lab!r} is not ±1"), hint=_LABELS_HINT)
            if not all(math.isfinite(c) and abs(c) <= _COORD for c in x):
                where = f"x{k} = ({', '.join(map(str, x))})"
                raise P.ParamError(Text(f"data：{where} 有坐标不是有限的数或超出 ±{_COORD:g}",
                                        f"data: {where} has a coordinate that is not finite or "
                                        f"beyond ±{_COORD:g}"),
                                   hint=Text(f"坐标要在 ±{_COORD:g} 以内", f"keep coordinates within ±{_COORD:g}"))
        for cls_ in (1, -1):
            if not any(lab == cls_ for _, lab in data):
                word = (Text("正类（标签 1）", "positive (label 1)") if cls_ == 1
                        else Text("负类（标签 -1）", "negative (label -1)"))
                raise P.ParamError(Text(f"data 中没有{word.zh}样本：分类器需要两类样本",
                                        f"data has no {word.en} sample: a classifier needs both classes"),
                                   hint=Text("每类至少给一个样本；", "add at least one sample of each class; ")
                                   + _DATA_HINT)
        X, y = self.X(), self.y()
        for k, x in enumerate(X, start=1):
            if not x.any():
                raise P.ParamError(Text(f"data：x{k} = (0, 0) 落在每一条过原点的直线上，BP 的神经元没有偏置"
                                        "（与原题 g_BP = x1 + x2 一致），永远分不对它",
                                        f"data: x{k} = (0, 0) lies on every line through the origin, "
                                        "so BP's neuron (no bias, as the sheet's g_BP = x1 + x2) can "
                                        "never classify it"),
                                   hint=Text("把它移离原点", "move it off the origin"))
        if max_margin(X, y)[1] <= 0:
            with_bias = max_margin(np.hstack([np.ones((len(X), 1)), X]), y)[1] > 0
            raise P.ParamError(
                Text("data：没有一条过原点的直线能把两类分开"
                     + ("" if with_bias else "，任何直线都分不开（PLA 在 D 上永远不会停）")
                     + "；BP 的神经元没有偏置（与原题 g_BP = x1 + x2 一致），所以本题要求 D 能被过原点的直线分开",
                     "data: no line through the origin separates the two classes"
                     + ("" if with_bias else ", and no line at all does (PLA would never stop on D)")
                     + "; BP's neuron has no bias (as the sheet's g_BP = x1 + x2), so the exercise "
                     "needs D separable by a line through the origin"),
                hint=Text("移动某个样本或改它的标签，使一条过原点的直线一侧全是正类、另一侧全是负类；",
                          "move or relabel a sample so that a line through the origin has every "
                          "positive sample on one side and every negative one on the other; ")
                + _DATA_HINT)

    def _validate_ts(self) -> None:
        ts = self.ts
        example = Text("写成 ts=1,10,100,1e9", "write ts=1,10,100,1e9")
        if not isinstance(ts, tuple | list) or not 1 <= len(ts) <= _MAX_TS:
            raise P.ParamError(Text(f"ts 要有 1 到 {_MAX_TS} 个 t 值", f"ts must hold 1 to {_MAX_TS} values of t"),
                               hint=example)
        for t in ts:
            if not (isinstance(t, int | float) and math.isfinite(t) and t > 0):
                raise P.ParamError(Text(f"ts：t = {t!r} 不是正数（x = t·d 要求 t > 0）",
                                        f"ts: t = {t!r} is not a positive number (x = t·d needs t > 0)"),
                                   hint=example)
        if any(b <= a for a, b in zip(ts, ts[1:], strict=False)):
            fixed = "ts=" + ",".join(f"{t:g}" for t in sorted(set(ts)))
            raise P.ParamError(Text("ts 不是递增的", "ts is not increasing"),
                               hint=Text(f"写成 {fixed}", f"write {fixed}"))
        norm = math.hypot(*self.direction)
        t_cap = T_MAX / norm
        if max(ts) > t_cap:
            raise P.ParamError(
                Text(f"ts：t = {max(ts):g} 使离群样本位于 t·‖d‖ = {max(ts) * norm:g}，超过 {T_MAX:g}，"
                     "这么远时 float64 的精度已分辨不出大小为 1 的样本附近的间隔",
                     f"ts: t = {max(ts):g} puts the outlier at t·‖d‖ = {max(ts) * norm:g}, beyond "
                     f"{T_MAX:g}, where float64 no longer resolves margins next to samples of size 1"),
                hint=Text(f"取 t ≤ {t_cap:.3g}（t = 1e9 已能说明 t → ∞ 的极限）",
                          f"use t ≤ {t_cap:.3g} (t = 1e9 already shows the limit t → ∞)"))


# ----------------------------------------------------------------- wording
_LOSS_NAME = LOSS_NAME
_SQUARED_MATH = (r"\ell(\mathbf{w}) = (\theta(y\,\mathbf{w}^T\mathbf{x}) - 1)^2,\qquad "
                 r"\frac{\partial \ell}{\partial \mathbf{w}} = 2(\theta(s) - 1)\,\theta(s)(1 - \theta(s))\,y\,\mathbf{x}")
_CE_MATH = (r"\ell(\mathbf{w}) = \log(1 + e^{-y\,\mathbf{w}^T\mathbf{x}}),\qquad "
            r"\frac{\partial \ell}{\partial \mathbf{w}} = -(1 - \theta(s))\,y\,\mathbf{x}")


def _status(correct: list[bool], lang: str) -> str:
    return classic_render._status(correct, lang)


def _both(fn) -> Text:
    """A Text from a renderer that takes ``lang``."""
    return Text(fn("zh"), fn("en"))


def _m(v: float) -> str:
    """A coordinate inside $…$ (ASCII minus, as the sheet writes (-1,0))."""
    v = float(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    s = f"{v:.6g}"
    if "e" in s:
        mant, exp = s.split("e")
        return f"{mant} \\times 10^{{{int(exp)}}}"
    return s


_t_terms, _tv, _pt = t_terms, t_vector, point


def _sub(k: int) -> str:
    return f"_{k}" if k < 10 else f"_{{{k}}}"


def _opposite(res: OutlierExperiment, p: Params) -> int | None:
    return opposite(res)


def _t_list(ts) -> str:
    return ", ".join(fmt_num(t) for t in ts)


# ----------------------------------------------------------------- statement
def statement(p: Params) -> Text:
    """The problem in the sheet's words, for any parameters (the sheet's own text for the
    sheet's problem)."""
    if p.sheet_problem():
        return problem_text(2)[1]
    n = len(p.data)
    k = n + 1
    items = ", ".join(f"(\\mathbf{{x}}{_sub(i)}, y{_sub(i)}) = (({','.join(_m(c) for c in x)})^T, {lab})"
                      for i, (x, lab) in enumerate(p.data, start=1))
    D = f"$D = \\{{{items}\\}}$"
    x4 = (f"$(\\mathbf{{x}}{_sub(k)}, y{_sub(k)}) = (({', '.join(_t_terms(p.direction, _m))})^T, "
          f"{p.label})$")
    sq = p.loss == "squared"
    loss_zh = (r"平方误差 $(\theta(y\,\mathbf{w}^T\mathbf{x}) - 1)^2$ " if sq
               else r"交叉熵 $\log(1 + e^{-y\,\mathbf{w}^T\mathbf{x}})$ ")
    loss_en = (r"the squared loss $(\theta(y\,\mathbf{w}^T\mathbf{x}) - 1)^2$" if sq
               else r"the cross-entropy loss $\log(1 + e^{-y\,\mathbf{w}^T\mathbf{x}})$")
    return Text(
        f"假设训练样本集为 {D}，设计单层感知机（只有一层、一个神经元）。当无激活函数时，采用感知机算法"
        r"得到分类面 $g_{PLA}(\mathbf{x})$；若采用 Sigmoid 激活函数、以 " + loss_zh + "为损失函数，"
        r"用 BP 算法（反向传播算法），经过多次迭代后得到过原点（无偏置）的分类面 $g_{BP}(\mathbf{x})$。"
        f"现增加一个训练样本 {x4}，且 $t \\rightarrow \\infty$，再进行训练得到新的分类面。请问："
        r"（1）当无激活函数时，采用感知机算法能否得到能使训练样本都能正确分类的分类面 $g_{PLA}(\mathbf{x})$？"
        r"（2）若采用 Sigmoid 激活函数，用 BP 算法得到的分类面会和 $g_{BP}(\mathbf{x})$ 基本一致吗？",
        f"Let the training set be {D} and design a single-layer perceptron (one layer, one "
        r"neuron). Without an activation function, the perceptron learning algorithm gives a "
        r"decision boundary $g_{PLA}(\mathbf{x})$; with a sigmoid activation and " + loss_en
        + r", backpropagation (BP) gives after many iterations a boundary $g_{BP}(\mathbf{x})$ "
        f"through the origin (no bias). Now add the sample {x4} with $t \\rightarrow \\infty$ and "
        r"train again. (1) Without an activation function, can the perceptron algorithm find a "
        r"boundary $g_{PLA}(\mathbf{x})$ that classifies every training sample correctly? (2) With "
        r"the sigmoid activation, is the boundary found by BP essentially the same as "
        r"$g_{BP}(\mathbf{x})$?")


# ----------------------------------------------------------------- the narrative
def summary(res: OutlierExperiment, p: Params, lang: str) -> list[str]:
    """The training on D in sentences: the one narrative of nndl.classic.render."""
    return summary_lines(res, lang, sheet=p.sheet_problem())


def verdict(row: OutlierRow, res: OutlierExperiment, p: Params, lang: str) -> list[str]:
    """The sentences for one t: the one narrative of nndl.classic.render."""
    return classic_verdict(row, res, lang, sheet=p.sheet_problem())


def _ts(rows, lang: str = "en") -> str:
    return ("、" if lang == "zh" else ", ").join(fmt_num(r.t) for r in rows)


def overview(res: OutlierExperiment, p: Params) -> list[Paragraph]:
    """What the table says, in a few sentences (the sentences per t: --full)."""
    k = len(res.X) + 1
    xo = f"x{k}"
    rows = res.rows
    out = []
    # PLA: raw data, then scaled features
    ok = [r for r in rows if r.pla_raw.converged and r.pla_raw.separates]
    stuck = [r for r in rows if not r.pla_raw.converged]
    zh, en = [], []
    if ok:
        counts_zh = "、".join(str(r.pla_raw.n_updates) for r in ok)
        counts_en = ", ".join(str(r.pla_raw.n_updates) for r in ok)
        zh.append(f"PLA 在原始数据上：t = {_ts(ok, 'zh')} 时分别经过 {counts_zh} 次更新分对全部样本")
        en.append(f"PLA on the raw data separates every sample for t = {_ts(ok)} after "
                  f"{counts_en} updates")
    if stuck:
        zh.append(f"t = {_ts(stuck, 'zh')} 时在 {stuck[0].pla_raw.epochs} 轮内未收敛"
                  + ("（数据仍线性可分，但 Novikoff 上界随 t² 增长）" if all(
                      r.separable_with_bias for r in stuck) else "（数据线性不可分）"))
        en.append(f"for t = {_ts(stuck)} it has not converged in {stuck[0].pla_raw.epochs} epochs"
                  + (" (the data stay separable, but Novikoff's bound grows like t²)" if all(
                      r.separable_with_bias for r in stuck) else " (the data are not separable)"))
    scaled = [r.pla_scaled.n_updates for r in rows if r.pla_scaled.converged]
    if len(scaled) == len(rows):
        lo, hi = min(scaled), max(scaled)
        span = str(lo) if lo == hi else f"{lo}–{hi}"
        zh.append(f"把特征按最大绝对值缩放后，每个 t 都只需 {span} 次更新")
        en.append(f"with max-abs scaled features every t needs only {span} updates")
    first = "; ".join(en)
    out.append(Paragraph(Text("；".join(zh) + "。", first[:1].upper() + first[1:] + ".")))
    # BP continued with the main loss: which t move the boundary, which saturate
    moved = [r for r in rows if r.bp.angle_deg is not None and r.bp.angle_deg >= 1.0]
    still = [r for r in rows if r not in moved]
    lead = _LOSS_LEAD_TEXT[res.bp_D.loss]
    zh, en = [], []
    if moved:
        zh.append(f"t = {_ts(moved, 'zh')} 时 {xo} 使分类面转动 "
                  + "、".join(f"{fmt_num(r.bp.angle_deg, 3)}°" for r in moved))
        en.append(f"for t = {_ts(moved)}, {xo} turns the boundary by "
                  + ", ".join(f"{fmt_num(r.bp.angle_deg, 3)}°" for r in moved))
    if still:
        top = max(r.bp.x4_grad_max or 0.0 for r in still)
        zh.append(f"t = {_ts(still, 'zh')} 时分类面几乎不动：{xo} 的梯度始终不超过 {g(top, 2)}（θ 饱和）")
        en.append(f"for t = {_ts(still)} the boundary barely moves: {xo}'s gradient never exceeds "
                  f"{g(top, 2)} (θ saturated)")
    wrong = [r for r in rows if not r.bp.x4_correct]
    if len(wrong) == len(rows):
        zh.append(f"每个 t 下 {xo} 都被错分")
        en.append(f"{xo} stays misclassified for every t")
    elif wrong:
        zh.append(f"t = {_ts(wrong, 'zh')} 时 {xo} 被错分")
        en.append(f"{xo} stays misclassified for t = {_ts(wrong)}")
    out.append(Paragraph(Text(f"{lead.zh}、从 D 的分类面续训：" + "；".join(zh) + "。",
                              f"{lead.en}, continued from D's boundary: " + "; ".join(en) + ".")))
    # the contrasts: from w = 0 and the other loss do feel x4
    z_turn = max(r.bp_zeros.angle_deg or 0.0 for r in rows)
    c_turn = max(r.ce.angle_deg or 0.0 for r in rows)
    other = LOSS_NAME[res.ce_D.loss]
    out.append(Paragraph(Text(
        f"对照：同一损失从 w = 0 起训练时，{xo} 的梯度不饱和，分类面与 D 上的结果最多相差 "
        f"{fmt_num(z_turn, 3)}°；改用{other.zh}续训时，{xo} 的梯度不会消失，分类面最多转动 "
        f"{fmt_num(c_turn, 3)}°。逐个 t 的说明见 nndl solve 2 --full 或 nndl experiment outlier。",
        f"For contrast: the same loss from w = 0 feels {xo} (its gradient is not saturated), "
        f"ending up to {fmt_num(z_turn, 3)}° from the D result; continued with {other.en}, "
        f"{xo}'s gradient does not vanish and the boundary turns by up to {fmt_num(c_turn, 3)}°. "
        "Each t in sentences: nndl solve 2 --full, or nndl experiment outlier.")))
    return out


_LOSS_LEAD_TEXT = {"sigmoid_squared": Text("题中损失", "Sheet's loss"),
                   "logistic": Text("交叉熵损失", "Cross-entropy")}


def _x4_margin(coef, intercept: float, row: OutlierRow, label: int) -> float:
    return x4_margin(coef, intercept, row, label)


def _separability(res: OutlierExperiment, p: Params) -> Paragraph:
    """With / without a bias, are D and the outlier separable (the sheet's paragraph)."""
    k = len(res.X) + 1
    xo = f"x{k}"
    rows = res.rows

    def verdict_of(flags, lang):
        zh = lang == "zh"
        if all(flags):
            return "是" if zh else "yes"
        if not any(flags):
            return "否" if zh else "no"
        only = _t_list(r.t for r, f in zip(rows, flags, strict=True) if f)
        return f"仅当 t = {only}" if zh else f"only for t = {only}"

    sep1 = [r.separable_with_bias for r in rows]
    sep0 = [r.separable_without_bias for r in rows]
    like = ("g_BP = x1 + x2", "g_BP = x1 + x2") if p.sheet_problem() else ("BP 的分类面", "BP's boundary")
    i = _opposite(res, p)
    if all(sep0):
        s0 = ("可分", "separable")
    elif not any(sep0):
        s0 = ("不可分", "not separable")
    else:
        only = _t_list(r.t for r, f in zip(rows, sep0, strict=True) if f)
        s0 = (f"仅在 t = {only} 时可分", f"separable only for t = {only}")
    if i is not None and not any(sep0):
        kind = ("正类", "positive") if p.label > 0 else ("负类", "negative")
        tail = (f"：x{i + 1} = {_pt(res.X[i])} 与 {xo} = {_tv(p.direction, ',')} 都是{kind[0]}，却位于原点两侧。",
                f": x{i + 1} = {_pt(res.X[i])} and {xo} = {_tv(p.direction, ',')} are both {kind[1]} "
                "but lie on opposite sides of the origin.")
    else:
        tail = ("。", ".")
    return Paragraph(Text(
        f"带偏置时{_ZH_COUNT.get(k, str(k))}个样本线性可分（{verdict_of(sep1, 'zh')}）；"
        f"不带偏置（过原点的直线，如 {like[0]}）时{s0[0]}{tail[0]}",
        f"With a bias the {_EN_COUNT.get(k, str(k))} samples are linearly separable "
        f"({verdict_of(sep1, 'en')}); without one (a line through the origin, like {like[1]}) they "
        f"are {s0[1]}{tail[1]}"))


# ----------------------------------------------------------------- gradients in closed form
def closed_form_grad(loss: str, coef, x, y) -> float:
    """‖∂ℓ/∂w‖ of one sample in closed form, s = y·wᵀx: the sheet's loss
    2(θ(s) − 1)θ(s)(1 − θ(s))·y·x, or cross-entropy −(1 − θ(s))·y·x."""
    s = y * float(np.dot(coef, x))
    xv = np.asarray(x, dtype=np.float64)
    if loss == "logistic":
        return float(np.linalg.norm(sigmoid_scalar(np.float64(-s)) * y * xv))
    th = float(sigmoid_scalar(np.float64(s)))
    return float(np.linalg.norm(2 * (th - 1) * th * (1 - th) * y * xv))


# ----------------------------------------------------------------- build
def experiment(p: Params, full: bool = False) -> OutlierExperiment:
    """The outlier experiment behind the solution (``--full``: 1000 epochs unless set)."""
    epochs = 1000 if full and p.epochs == EPOCHS else p.epochs
    # the sheet's own D is passed as None: the experiment then checks the sheet's boundaries too
    seed = p.sheet_data()
    return outlier_experiment(p.ts, epochs=epochs, lr=p.lr, X=None if seed else p.X(),
                              y=None if seed else p.y(),
                              direction=tuple(float(c) for c in p.direction), x4_label=p.label,
                              losses=p.losses())


def _svg(res: OutlierExperiment, t: float, lang: Lang) -> str:
    from nndl.classic.plots import plot_outlier
    from nndl.plotting import figure_bytes

    return figure_bytes(plot_outlier(res, t=t, lang=lang), "svg").decode("utf-8")


def build(params: Params, full: bool = False) -> Solution:
    p = params
    title = problem_text(2)[0]
    sheet = p.sheet_problem()
    res = experiment(p, full)
    last = res.rows[-1]
    t_max = last.t
    k = len(res.X) + 1
    xo = f"x{k}"
    tv = _tv(p.direction)
    main, other = res.bp_D.loss, res.ce_D.loss
    nm, no = _LOSS_NAME[main], _LOSS_NAME[other]

    setup = Section(Text("在 D 上训练", "Training on D"), [
        Paragraph(_both(lambda lang: " ".join(summary(res, p, lang)))),
        Table([Text("轮次", "epoch"), Text("‖w‖", "‖w‖"), Text("与最大间隔方向的夹角", "angle to the max-margin direction")],
              [[str(e), fmt_num(n, 4), f"{fmt_num(a, 3)}°"]
               for e, n, a in zip(res.direction.epochs, res.direction.norms, res.direction.angles_deg, strict=True)],
              caption=Text(f"BP（{nm.zh}）在 D 上：‖w‖ 无界增长，方向趋于 {limit_equation(res)}",
                           f"BP ({nm.en}) on D: ‖w‖ grows without bound, the direction tends to "
                           f"{limit_equation(res)}")),
    ])

    rows = []
    for r in res.rows:
        rows.append([
            fmt_num(r.t), r.pla_scaled.equation,
            Text("是", "yes") if r.pla_scaled.separates else Text("否", "no"),
            r.bp.equation, f"{fmt_num(r.bp.angle_deg, 3)}°", f"{r.bp.x4_grad_first:.2e}",
            Text("对", "right") if r.bp.x4_correct else Text("错", "wrong"),
            f"{fmt_num(r.ce.angle_deg, 3)}°", f"{r.ce.x4_grad_first:.2e}",
        ])
    from nndl.classic.plots import BOX  # Matplotlib: only where a solution is built, not checked

    far = max(abs(float(c)) for c in last.x4) > max(BOX, 1.25 * float(np.abs(p.X()).max()))
    sweep = Section(Text(f"加入 {xo} = {tv}，t 逐渐增大", f"Adding {xo} = {tv} for growing t"), [
        _separability(res, p),
        Table([Text("t", "t"), Text("PLA（特征缩放）", "PLA (scaled features)"), Text("PLA 全对", "PLA all right"),
               Text(f"BP 续训（{nm.zh}）", f"BP continued ({nm.en.removeprefix('the ')})"),
               Text("分类面转角", "turn"),
               Text(f"{xo} 梯度（初）", f"{xo} gradient (first)"), Text(xo, xo),
               Text(f"{no.zh}：转角", f"{no.en.removeprefix('the ')}: turn"),
               Text(f"{no.zh}：{xo} 梯度", f"{no.en.removeprefix('the ')}: {xo} gradient")],
              rows),
        *([Paragraph(Text(f"t = {fmt_num(r.t)}：" + " ".join(verdict(r, res, p, "zh")),
                          f"t = {fmt_num(r.t)}: " + " ".join(verdict(r, res, p, "en"))))
           for r in res.rows] if full else overview(res, p)),
        Figure("ex2_outlier", lambda lang: _svg(res, t_max, lang),
               Text(f"PLA 与 BP 的分类面，加入 {xo} 前后（t = {fmt_num(t_max)}"
                    + (f"，{xo} 画在边缘）" if far else "）"),
                    f"PLA's and BP's boundaries before and after adding {xo} (t = {fmt_num(t_max)}"
                    + (f"; {xo} drawn at the edge)" if far else ")")),
               bilingual=True),
    ])

    # the loss's gradient in closed form, at BP's final w for x4 — vs the engine's number,
    # at the largest t where it has not underflowed to exactly 0
    probe = next((r for r in reversed(res.rows) if (r.bp.x4_grad_last or 0.0) > 0.0), last)
    probe_grad = closed_form_grad(main, np.asarray(probe.bp.coef), probe.x4, float(p.label))
    why = _why(res, p, last)

    checks = [_pla_check(res, p)]
    if sheet:
        sheet_pla_x4 = [c for c in res.sheet if c.name.startswith("g_PLA'")]
        sheet_pla_D = [c for c in res.sheet if c.name.startswith("g_PLA ") and c.set_name == "D"]
        n_right = sum(c.separates for c in sheet_pla_x4 + sheet_pla_D)
        n_all = len(sheet_pla_x4) + len(sheet_pla_D)
        checks.append(Check(
            Text("原答案的分类面 1.6 + 2x1 − x2 与 1 + 10x1 + 10x2", "the sheet's boundaries 1.6 + 2x1 − x2 and 1 + 10x1 + 10x2"),
            Text("在各自声称的数据集上逐个样本检查", "checked sample by sample on the sets they are claimed for"),
            all(c.separates for c in sheet_pla_x4 + sheet_pla_D),
            Text(f"{n_right}/{n_all} 分对", f"{n_right}/{n_all}")))
    checks.append(Check(
        Text(f"{xo} 的梯度（t = {fmt_num(probe.t)}）", f"{xo}'s gradient (t = {fmt_num(probe.t)})"),
        Text("引擎自动微分与原题的闭式梯度公式比较" if main == "sigmoid_squared"
             else "引擎自动微分与交叉熵的闭式梯度公式比较",
             "the engine's autodiff vs. the sheet's closed-form gradient" if main == "sigmoid_squared"
             else "the engine's autodiff vs. cross-entropy's closed-form gradient"),
        math.isclose(probe_grad, probe.bp.x4_grad_last or 0.0, rel_tol=1e-6, abs_tol=1e-300),
        Text(f"自动微分 {probe.bp.x4_grad_last:.3g}，公式 {probe_grad:.3g}",
             f"{probe.bp.x4_grad_last:.3g} vs {probe_grad:.3g}")))
    if sheet:
        angles = [f"{fmt_num(r.bp.angle_deg, 3)}°" for r in res.rows if r.t >= 10]
        checks.append(Check(
            Text("BP 在 t ≥ 10 时分类面基本不变", "BP's boundary barely moves for t ≥ 10"),
            Text("与不加 x4 的同样续训比较夹角", "angle to the same continuation without x4"),
            all(r.bp.angle_deg < 1.0 for r in res.rows if r.t >= 10),
            Text("、".join(angles), ", ".join(angles))))
    else:
        runs = [res.pla_D] + [q for r in res.rows if r.separable_with_bias
                              for q in (r.pla_raw, r.pla_scaled)]
        checks.append(Check(
            Text("每次在可分数据上运行 PLA，更新次数都不超过 Novikoff 上界",
                 "PLA's updates stay within Novikoff's bound on every separable run"),
            Text("更新次数 ≤ (R/γ*)²，γ* 为精确的最大间隔", "updates ≤ (R/γ*)², γ* the exact maximum margin"),
            all(q.novikoff.holds for q in runs),
            Text(f"共 {len(runs)} 次运行", f"{len(runs)} runs")))

    answers = _answers(res, all(r.separable_with_bias for r in res.rows))

    errata = _errata(res) if sheet else []
    return Solution(2, title, statement(p), [setup, sweep, why], answers, checks, errata)


def _answers(res: OutlierExperiment, separable_all: bool) -> list[Answer]:
    """The answer keys, from the experiment's last row (t = max t), BP on D, and whether
    D ∪ {x4(t)} is separable for every t."""
    last = res.rows[-1]
    t_max = last.t
    k = len(res.X) + 1
    xo = f"x{k}"
    count = Text(f"{_ZH_COUNT.get(k, str(k))}个样本", _EN_COUNT.get(k, str(k)))
    solution = last.pla_scaled.separates
    answers = [
        Answer("pla_separates_all", Text(f"（1）PLA 能否把{count.zh}全部分对", f"(1) can PLA classify all {count.en} correctly"),
               separable_all, (Text("能", "yes") if separable_all else Text("不能", "no"))),
        Answer("pla_boundary_t_max",
               Text(f"（1）PLA 的一个解（t = {fmt_num(t_max)}）" if solution else
                    f"（1）PLA 最后的分类面，并非解（t = {fmt_num(t_max)}）",
                    f"(1) one PLA solution (t = {fmt_num(t_max)})" if solution else
                    f"(1) PLA's last boundary, not a solution (t = {fmt_num(t_max)})"),
               last.pla_scaled.equation, last.pla_scaled.equation),
        Answer("bp_boundary_D", Text("BP 在 D 上的分类面", "BP's boundary on D"), res.bp_D.equation, res.bp_D.equation),
        Answer("bp_turn_deg_t_max", Text(f"（2）加入 {xo} 后 BP 分类面转角（t = {fmt_num(t_max)}）",
                                         f"(2) BP's turn after adding {xo} (t = {fmt_num(t_max)})"),
               last.bp.angle_deg, f"{fmt_num(last.bp.angle_deg, 3)}°"),
        Answer("x4_gradient_t_max", Text(f"（2）{xo} 的梯度（t = {fmt_num(t_max)}）", f"(2) {xo}'s gradient (t = {fmt_num(t_max)})"),
               last.bp.x4_grad_first, f"{last.bp.x4_grad_first:.3g}"),
        Answer("bp_classifies_x4", Text(f"（2）BP 的分类面是否分对 {xo}", f"(2) does BP's boundary classify {xo}"),
               bool(last.bp.x4_correct), Text("是", "yes") if last.bp.x4_correct else Text("否", "no")),
    ]
    return answers


def answer_values(p: Params) -> dict[str, Any]:
    """The answer keys' values as ``build`` gives them, without the sweep over every t (for
    ``nndl check``): each t's runs start from D's boundary and do not depend on the other
    t, so the experiment at the largest t alone gives the last row; that PLA can separate
    D ∪ {x4(t)} for every t is the exact separability test (a bias column), no training."""
    res = experiment(dataclasses.replace(p, ts=(max(p.ts),)))
    X, y = p.X(), p.y()
    separable_all = True
    for t in p.ts:
        X4, y4 = with_x4(t, X, y, tuple(float(c) for c in p.direction), p.label)
        separable_all &= bool(max_margin(np.hstack([np.ones((len(X4), 1)), X4]), y4)[1] > 0)
    return {a.key: a.value for a in _answers(res, separable_all)}


def _pla_check(res: OutlierExperiment, p: Params) -> Check:
    if p.sheet_problem():
        return Check(
            Text("PLA 在 D ∪ {x4} 上对每个 t 都分对全部样本", "PLA classifies D ∪ {x4} correctly for every t"),
            Text("训练后逐个样本检查 y·g(x) > 0", "each sample's y·g(x) > 0 after training"),
            all(r.pla_scaled.separates for r in res.rows),
            Text("更新次数 " + "，".join(f"t = {fmt_num(r.t)}：{r.pla_scaled.n_updates}" for r in res.rows),
                 ", ".join(f"t={fmt_num(r.t)}: {r.pla_scaled.n_updates} upd." for r in res.rows)))
    xo = f"x{len(res.X) + 1}"

    def agrees(r: OutlierRow) -> bool:
        if not r.separable_with_bias:
            return not r.pla_raw.separates and not r.pla_scaled.separates
        # separable: PLA separated it, or stopped at its epoch cap inside Novikoff's bound
        return all(q.separates or q.n_updates <= q.novikoff.bound_max
                   for q in (r.pla_raw, r.pla_scaled))

    return Check(
        Text(f"PLA 在 D ∪ {{{xo}}} 上的结果与精确的可分性判定一致（每个 t）",
             f"PLA on D ∪ {{{xo}}} agrees with the exact separability test for every t"),
        Text("可分（带偏置的精确最大间隔 > 0）时训练后逐个样本检查 y·g(x) > 0，或尚未收敛但更新次数未超过 "
             "Novikoff 上界；不可分时 PLA 不会分对全部样本",
             "separable (exact maximum margin with a bias > 0): each sample's y·g(x) > 0 after "
             "training, or not yet converged within Novikoff's bound; not separable: PLA never "
             "gets every sample right"),
        all(agrees(r) for r in res.rows),
        Text("更新次数 " + "，".join(f"t = {fmt_num(r.t)}：{r.pla_scaled.n_updates}"
                                    + ("" if r.separable_with_bias else "（不可分）") for r in res.rows),
             ", ".join(f"t={fmt_num(r.t)}: {r.pla_scaled.n_updates} upd."
                       + ("" if r.separable_with_bias else " (not separable)") for r in res.rows)))


def _why(res: OutlierExperiment, p: Params, last: OutlierRow) -> Section:
    """Why x4 does (not) move BP's boundary: the loss's gradient at x4."""
    xo = f"x{len(res.X) + 1}"
    t = fmt_num(last.t)
    moved = (last.bp.angle_deg or 0.0) >= 1.0
    if res.bp_D.loss == "sigmoid_squared":
        w = np.asarray(last.bp.coef)
        s4 = p.label * float(np.dot(w, last.x4))
        grad = closed_form_grad("sigmoid_squared", w, last.x4, float(p.label))
        th = float(sigmoid_scalar(np.float64(s4)) * (1 - sigmoid_scalar(np.float64(s4))))
        ws = ", ".join(fmt_num(c, 4) for c in w)
        nothing = (("：样本 {x} 对权重更新没有贡献。", ": {x} contributes nothing to the update.") if grad == 0
                   else ("：样本 {x} 对权重更新几乎没有贡献。", ": {x} contributes practically nothing to the update.")
                   if grad < 1e-6 else ("。", "."))
        ce_s = _x4_margin(res.ce_D.coef, res.ce_D.intercept, last, p.label)
        if ce_s <= 0:
            turn = ((f"所以 {xo} 会明显转动分类面（t = {t} 时转动 {fmt_num(last.ce.angle_deg, 3)}°）。",
                     f"and {xo} does turn the boundary ({fmt_num(last.ce.angle_deg, 3)}° at t = {t}).")
                    if (last.ce.angle_deg or 0.0) >= 1.0 else
                    (f"但此处 {xo} 只使分类面转动 {fmt_num(last.ce.angle_deg, 3)}°（t = {t}）。",
                     f"though here {xo} turns the boundary only {fmt_num(last.ce.angle_deg, 3)}° (t = {t})."))
            compare = Text(
                "对比交叉熵损失 log(1 + e^(−s))：梯度为 −(1 − θ(s))·y·x，s → −∞ 时 (1 − θ(s)) → 1，梯度随 t 增长而不消失，"
                + turn[0],
                "Compare the cross-entropy loss log(1 + e^(−s)): its gradient −(1 − θ(s))·y·x tends to −y·x as "
                "s → −∞, so it grows with t instead of vanishing, " + turn[1])
        else:
            compare = Text(
                f"对比交叉熵损失 log(1 + e^(−s))：梯度为 −(1 − θ(s))·y·x，s → +∞ 时同样趋于 0：{xo} 从一开始就在"
                f"自己一侧，两种损失都不会被它明显推动（t = {t} 时交叉熵的分类面转动 {fmt_num(last.ce.angle_deg, 3)}°）。",
                f"Compare the cross-entropy loss log(1 + e^(−s)): its gradient −(1 − θ(s))·y·x also "
                f"vanishes as s → +∞; {xo} starts on its own side, so neither loss is pushed much by "
                f"it (cross-entropy turns the boundary {fmt_num(last.ce.angle_deg, 3)}° at t = {t}).")
        under = "下溢为" if th == 0 else "为"
        return Section(Text(f"为什么 {xo} 对 BP 几乎没有影响", f"Why {xo} barely affects BP") if not moved else
                       Text(f"{xo} 如何影响 BP", f"How {xo} affects BP"), [
            Paragraph(Text("题中损失及其梯度（s = y·wᵀx）：", "The sheet's loss and its gradient (s = y·wᵀx):")),
            Math(_SQUARED_MATH),
            Paragraph(Text(
                f"t = {t} 时，BP 的 w = ({ws})，对 {xo} 有 s = {fmt_num(s4, 4)}，θ(s)(1 − θ(s)) {under} "
                f"{fmt_num(th, 3)}，所以 {xo} 的梯度为 {grad:.3g}" + nothing[0].format(x=xo),
                f"At t = {t}, BP's w = ({ws}) gives s = {fmt_num(s4, 4)} for {xo}, θ(s)(1 − θ(s)) = "
                f"{fmt_num(th, 3)}, so {xo}'s gradient is {grad:.3g}" + nothing[1].format(x=xo))),
            Paragraph(compare),
        ])
    # cross-entropy: the gradient at the start of the continuation (D's boundary)
    w = np.asarray(res.bp_D.coef)
    s4 = _x4_margin(w, res.bp_D.intercept, last, p.label)
    one_minus = float(sigmoid_scalar(np.float64(-s4)))
    ws = ", ".join(fmt_num(c, 4) for c in w)
    tail = (("：s < 0，它随 t 增长，主导了权重更新。", ": s < 0, so it grows with t and dominates the update.")
            if s4 < 0 else
            (f"：{xo} 已在自己一侧，s 越大，它的梯度越小。", f": {xo} is already on its own side, and the larger s, "
             "the smaller its gradient."))
    return Section(Text(f"为什么 {xo} 会转动 BP 的分类面", f"Why {xo} turns BP's boundary") if moved else
                   Text(f"为什么 {xo} 对 BP 几乎没有影响", f"Why {xo} barely affects BP"), [
        Paragraph(Text("交叉熵损失及其梯度（s = y·wᵀx）：", "The cross-entropy loss and its gradient (s = y·wᵀx):")),
        Math(_CE_MATH),
        Paragraph(Text(
            f"t = {t} 时，从 D 上的分类面 w = ({ws}) 开始续训，{xo} 的 s = {fmt_num(s4, 4)}，1 − θ(s) = "
            f"{fmt_num(one_minus, 3)}，所以 {xo} 的梯度为 {last.bp.x4_grad_first:.3g}" + tail[0],
            f"At t = {t}, continuing from D's boundary w = ({ws}), {xo} has s = {fmt_num(s4, 4)}, "
            f"1 − θ(s) = {fmt_num(one_minus, 3)}, so its gradient is {last.bp.x4_grad_first:.3g}"
            + tail[1])),
        Paragraph(Text(
            f"对比题中损失 (θ(s) − 1)²：梯度 2(θ(s) − 1)θ(s)(1 − θ(s))·y·x 在 s → ±∞ 时都趋于 0，用它续训时 "
            f"{xo} 的初始梯度为 {last.ce.x4_grad_first:.3g}，分类面转动 {fmt_num(last.ce.angle_deg, 3)}°（t = {t}）。",
            f"Compare the sheet's loss (θ(s) − 1)²: its gradient 2(θ(s) − 1)θ(s)(1 − θ(s))·y·x "
            f"vanishes as s → ±∞; continued with it, {xo}'s initial gradient is "
            f"{last.ce.x4_grad_first:.3g} and the boundary turns {fmt_num(last.ce.angle_deg, 3)}° "
            f"(t = {t}).")),
    ])


def _errata(res: OutlierExperiment) -> list[Erratum]:
    """Where the sheet's own answer is wrong or incomplete (its problem only)."""
    sheet_bp = [c for c in res.sheet if c.name.startswith("g_BP")]
    errata = [
        Erratum(Text(
            f"PLA 的分类面不唯一：原答案的 1 + 10x1 + 10x2 是随机初始化的一次结果；从 w = 0 按顺序训练得到 {res.pla_D.equation}。"
            "同样 1.6 + 2x1 − x2 只是加入 x4 后的一个可能解。",
            f"PLA's boundary is one of many: the sheet's 1 + 10x1 + 10x2 comes from one random start; from w = 0 in "
            f"cyclic order PLA finds {res.pla_D.equation}. Likewise 1.6 + 2x1 − x2 is one possible result after adding x4.")),
        Erratum(Text(
            "原答案称感知机算法得到“最优分类面”：PLA 只保证找到一个能分开样本的分类面，并不是间隔最大的（最优）分类面。",
            "The sheet says PLA finds the \"optimal\" boundary; PLA only guarantees some separating boundary, not the "
            "maximum-margin one.")),
    ]
    if not any(c.separates for c in sheet_bp if c.set_name != "D"):
        errata.append(Erratum(Text(
            "原答案第（2）问说 BP 的结果与 x1 + x2 基本一致，这在从 D 的结果继续训练时成立，但没有指出：x1 + x2 "
            "（以及任何过原点的分类面）都会把 x4 分错；而且若从 w = 0 重新训练，x4 在开始时并不饱和，分类面会明显改变。",
            "Part (2) says BP's result stays essentially x1 + x2; that holds when training continues from D's "
            "result, but the sheet does not say that x1 + x2 (like any boundary through the origin) misclassifies "
            "x4, and that trained afresh from w = 0, x4 is not saturated at first and the boundary does move.")))
    return errata
