"""Pros and cons of an activation, written by rules from its measured properties, and the
:class:`ActivationReport` that bundles definition, derivation, properties and verdicts.

No sentence names an activation: each rule reads numbers from :class:`Properties`, so a
new registry entry gets its pros and cons without new prose.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from nndl.activations.cost import ops_text
from nndl.activations.derive import Derivation, derivation
from nndl.activations.measure import SATURATION, Properties, measure
from nndl.activations.registry import get
from nndl.report import fmt_num
from nndl.text import Text

DEPTH = 10  # the depth used to make "vanishing" concrete


@dataclass
class Point:
    """One pro, con or note: its rule's key, both languages, and the numbers it rests on."""

    key: str
    kind: str  # "pro" | "con" | "note"
    text: Text
    evidence: dict = field(default_factory=dict)


@dataclass
class ActivationReport:
    name: str
    title: str
    torch: str
    properties: Properties
    derivation: Derivation
    pros: list[Point]
    cons: list[Point]
    notes: list[Point]

    def points(self) -> list[Point]:
        return self.pros + self.cons + self.notes


def n(v: float, digits: int = 4) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return fmt_num(v, digits)


def _where(p: Properties) -> Text:
    w = p.max_slope_where
    if p.max_slope_is_limit:
        return Text(f"x → {n(w.lo)} 时趋近", f"approached as x → {n(w.lo)}")
    if w.lo == w.hi:
        return Text(f"在 x = {n(w.lo)} 处取到", f"at x = {n(w.lo)}")
    return Text(f"在 x ∈ {w.text()} 上取到", f"on x ∈ {w.text()}")


def rules(p: Properties, d: Derivation) -> list[Point]:
    out: list[Point] = []

    def add(key, kind, zh, en, **ev):
        out.append(Point(key, kind, Text(zh, en), ev))

    # smoothness
    if not p.kinks:
        add("smooth", "pro", "连续、处处可导（f′ 连续），梯度处处有定义。",
            "continuous and differentiable everywhere (f′ is continuous): the gradient is always defined.",
            kinks=[])
    else:
        ks = ", ".join(n(k) for k in p.kinks)
        conv = "; ".join(f"f′({n(k.at)}) = {n(k.value)}" for k in d.kinks if not k.differentiable)
        add("kink", "note", f"在 x = {ks} 处有折点（不可导），按 PyTorch 约定取 {conv}。",
            f"has a kink (not differentiable) at x = {ks}; PyTorch's convention: {conv}.",
            kinks=p.kinks)
    # monotonic
    if p.monotonic:
        add("monotonic", "pro", "单调：保持输入的大小顺序。", "monotonic: preserves the order of its inputs.")
    else:
        add("non_monotonic", "note",
            f"非单调：在 x = {n(p.minimum_at)} 处有最小值 {n(p.minimum)}。",
            f"not monotonic: a dip to f = {n(p.minimum)} at x = {n(p.minimum_at)}.",
            minimum=p.minimum, minimum_at=p.minimum_at)
    if p.nonlinear:
        add("nonlinear", "pro", "非线性：多层堆叠不会退化为一个线性映射。",
            "nonlinear: stacked layers do not collapse into one linear map.")
    # centring
    mean = n(p.mean_output, 3)
    if p.zero_centred:
        sym_zh = "，且关于原点中心对称 f(−x) = −f(x)" if p.odd_symmetric else ""
        sym_en = " and it is symmetric about the origin, f(−x) = −f(x)" if p.odd_symmetric else ""
        add("zero_centred", "pro",
            f"以 0 为中心：x ~ N(0,1) 时输出均值为 {mean}{sym_zh}，下一层的输入正负均衡。",
            f"zero-centred: the mean output for x ~ N(0,1) is {mean}{sym_en}, so the next layer's inputs are balanced.",
            mean_output=p.mean_output, odd_symmetric=p.odd_symmetric)
    else:
        one_sign_zh = ("；输出恒 ≥ 0，下一层同一神经元各权重的梯度符号相同，只能同增同减（之字形更新）"
                       if p.nonnegative else "")
        one_sign_en = ("; outputs are all ≥ 0, so the gradients of one next-layer neuron's weights "
                       "share one sign and move together (zig-zag updates)" if p.nonnegative else "")
        add("not_zero_centred", "con",
            f"非中心对称、输出不是 0 均值：x ~ N(0,1) 时输出均值为 {mean}{one_sign_zh}。",
            f"not zero-centred: the mean output for x ~ N(0,1) is {mean}{one_sign_en}.",
            mean_output=p.mean_output, nonnegative=p.nonnegative)
    # range
    lo, hi = p.range.lo, p.range.hi
    if not math.isinf(lo) and not math.isinf(hi):
        prob = lo >= 0 and hi <= 1
        add("bounded", "pro",
            f"输出有界，取值 {p.range.text()}" + ("，可解释为概率或门控。" if prob else "。"),
            f"bounded output in {p.range.text()}" + (", readable as a probability or a gate." if prob else "."),
            range=[lo, hi])
    # gradient size along a chain of layers
    m, where = p.max_slope, _where(p)
    chain = m**DEPTH
    band = p.active_band
    if m < 1 - 1e-9:
        add("vanishing_gradient", "con",
            f"导数不超过 {n(m)}（{where.zh}）：反向传播时每经过一层，梯度都要乘上一个这样的导数因子，L 层的乘积至多 "
            f"{n(m)}^L（L = {DEPTH} 时 {n(chain, 2)}），网络较深时梯度消失、难以训练。",
            f"its derivative is at most {n(m)} ({where.en}): backpropagation multiplies one such factor "
            f"per layer, so L layers give at most {n(m)}^L ({n(m)}^{DEPTH} ≈ {n(chain, 2)}): vanishing "
            f"gradients, deep networks train poorly.",
            max_slope=m, depth=DEPTH, chain_bound=chain)
    elif p.saturates_left and p.saturates_right:
        typ = p.mean_abs_slope
        add("vanishing_gradient", "con",
            f"导数不超过 {n(m)}（{where.zh}），但只在 x ∈ {band.text()} 内才不可忽略；x ~ N(0,1) 时平均 |f′| = "
            f"{n(typ, 3)}，{DEPTH} 层连乘约 {n(typ**DEPTH, 2)}：同样会梯度消失。",
            f"its derivative is at most {n(m)} ({where.en}) but non-negligible only for x in {band.text()}; "
            f"the mean |f′| for x ~ N(0,1) is {n(typ, 3)}, and {DEPTH} layers multiply to about "
            f"{n(typ**DEPTH, 2)}: it still gives vanishing gradients.",
            max_slope=m, mean_abs_slope=typ, depth=DEPTH)
    if m > 1 + 1e-9:
        add("slope_above_one", "note",
            f"导数最大 {n(m)} > 1（{where.zh}）：导数的连乘也可能增大。",
            f"its derivative reaches {n(m)} > 1 ({where.en}): products of derivatives can also grow.",
            max_slope=m)
    # saturation
    pct = f"{SATURATION:.0%}"
    if p.saturates_left and p.saturates_right:
        add("saturates", "con",
            f"两端饱和：x ∉ {band.text()} 时 |f′| 不到最大值的 {pct}，梯度只能在宽 {n(band.width)} 的区间内有效回传。",
            f"saturates on both sides: |f′| is below {pct} of its maximum outside {band.text()}, "
            f"so only a band of width {n(band.width)} passes a usable gradient.",
            active_band=[band.lo, band.hi], width=band.width)
    if not p.saturates_right:
        w = p.max_slope_where
        if w.lo != w.hi and math.isinf(w.hi) and not p.max_slope_is_limit:
            zh, en = f"x > {n(w.lo)} 时 f′ = {n(m)}", f"f′ = {n(m)} for all x > {n(w.lo)}"
        else:
            zh, en = f"x → ∞ 时 f′ → {n(p.slope_pos_inf)}", f"f′ → {n(p.slope_pos_inf)} as x → ∞"
        add("no_saturation_positive", "pro",
            f"正半轴不饱和（{zh}）：激活的单元把梯度原样传回，缓解（但没有消除）梯度消失。",
            f"no saturation for x > 0 ({en}): active units pass the gradient back undiminished, "
            f"which mitigates (does not remove) the vanishing gradient.",
            slope_pos_inf=p.slope_pos_inf)
    if p.saturates_left and not p.saturates_right and not p.dead:
        left = next(s for s in p.saturation if math.isinf(s.lo))
        add("soft_floor", "note",
            f"负半轴饱和：x < {n(left.hi)} 时 |f′| 小于最大值的 {pct}（但不为 0），输出趋于 {n(p.limit_neg)}。",
            f"saturates for x < {n(left.hi)} (|f′| below {pct} of its maximum, but never 0); "
            f"the output levels off at {n(p.limit_neg)}.",
            saturation_edge=left.hi, limit_neg=p.limit_neg)
    # dead units
    if p.dead:
        regions = " ∪ ".join(r.text() for r in p.dead)
        add("dead_units", "con",
            f"在 {regions} 上 f′ = 0：输入落在这里的单元没有梯度，相应参数不会更新（“死亡”单元）。",
            f"f′ = 0 on {regions}: a unit whose input stays there gets no gradient and its weights "
            f"stop updating (dead units).",
            dead=[[r.lo, r.hi] for r in p.dead])
    elif not p.saturates_left and not p.saturates_right:
        add("no_dead_units", "pro",
            f"导数处处不为 0（x → −∞ 时 f′ = {n(p.slope_neg_inf)}）：没有“死亡”单元。",
            f"f′ is never 0 (f′ = {n(p.slope_neg_inf)} as x → −∞): no dead units.",
            slope_neg_inf=p.slope_neg_inf)
    # cost: counted from the formulas, so the verdict is the same on every run
    if p.cost is not None:
        c = p.cost
        f_zh, f_en = ops_text(c.f, "zh"), ops_text(c.f, "en")
        d_zh, d_en = ops_text(c.df, "zh"), ops_text(c.df, "en")
        reuse_zh = "（复用前向的输出 f(x)）" if c.df_reuses_output else ""
        reuse_en = " (reusing the forward output f(x))" if c.df_reuses_output else ""
        ev = {"f": dataclasses.asdict(c.f), "df": dataclasses.asdict(c.df),
              "functions": c.functions}
        if not c.functions:
            add("cheap", "pro",
                f"计算简单：每个元素的 f 只需 {f_zh}，f′ 只需 {d_zh}，没有指数等超越函数。",
                f"cheap: per element f needs only {f_en} and f′ {d_en}; no exponential or other "
                f"transcendental function.", **ev)
        else:
            funcs = "、".join(c.functions)
            add("costly", "con",
                f"计算量较大：每个元素的 f 需 {f_zh}，f′ 需 {d_zh}{reuse_zh}；{funcs} 这类超越函数"
                f"要用级数或有理逼近计算，比一次比较或乘法贵得多。",
                f"costly: per element f needs {f_en} and f′ {d_en}{reuse_en}; {', '.join(c.functions)} "
                f"{'is' if len(c.functions) == 1 else 'are'} evaluated by a series or rational "
                f"approximation, far dearer than a comparison "
                f"or a multiplication.", **ev)
    elif not p.uses:
        add("cheap", "pro", "计算简单：分段线性，没有指数等超越函数。",
            "cheap: piecewise linear, no exponential or other transcendental function.")
    return out


def analyze(name: str, *, cost: bool = True, timing: bool = False) -> ActivationReport:
    """Everything nndl knows about one activation, computed now: properties, derivation, verdicts.
    ``cost`` counts operations (deterministic); ``timing`` adds a measured time, which no
    verdict reads."""
    act = get(name)
    props = measure(act.name, cost=cost, timing=timing)
    deriv = derivation(act.name)
    pts = rules(props, deriv)
    return ActivationReport(
        name=act.name, title=act.title, torch=act.torch, properties=props, derivation=deriv,
        pros=[q for q in pts if q.kind == "pro"], cons=[q for q in pts if q.kind == "con"],
        notes=[q for q in pts if q.kind == "note"],
    )
