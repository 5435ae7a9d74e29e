"""Exercise 1: derivatives of activation functions (the sheet: sigmoid, tanh and ReLU), their
measured properties, pros and cons, and the f/f′ curves the sheet refers to ("见右图") but no
longer has.

The exercise is a function of :class:`Params`: ``names`` are the activations asked about,
any of the registry's (:func:`nndl.activations.names`). Every section, answer, check and
figure follows ``names``; answer keys are ``<name>_derivative`` (SymPy's f′, rewritten in
terms of f where such a form exists) and ``<name>_max_slope`` (max |f′|, measured) for each
name, so the sheet's instance keeps ``sigmoid_derivative`` … ``relu_max_slope``.

Parts that only exist for some names: the identity checks σ′ = σ(1 − σ) and
tanh′ = 1 − tanh² (only when sigmoid or tanh is asked about), and the erratum about the
sheet's claim that ReLU "solves" the vanishing gradient (only when relu is asked about).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import nndl
from nndl.activations import SEED_NAMES, UnknownActivationError, analyze, get
from nndl.activations import names as registry_names
from nndl.activations import render as act_render
from nndl.activations.measure import SATURATION, Interval
from nndl.activations.report import DEPTH
from nndl.solutions import params as P
from nndl.solutions.model import (
    Answer,
    Check,
    Erratum,
    Figure,
    Math,
    Paragraph,
    Section,
    Solution,
    Table,
    Text,
    fmt_num,
    problem_text,
)

GRID = np.linspace(-8.0, 8.0, 641)


def _parse_names(name: str, text: str) -> tuple[str, ...]:
    """'gelu,swish' -> ('gelu', 'silu'): aliases ('swish', 'logistic', 'leakyrelu', …) are read
    as the registry's own names, then :func:`params.words` checks every name."""
    def canonical(word: str) -> str:
        try:
            return get(word).name if word.strip() else word
        except UnknownActivationError:
            return word
    return P.words(registry_names)(name, ",".join(canonical(w) for w in text.split(",")))


@dataclass(frozen=True)
class Params(P.ExerciseParams):
    """The activation functions asked about, by registry name (the sheet: sigmoid, tanh, ReLU)."""

    number = 1
    names: tuple[str, ...] = P.param(
        SEED_NAMES, kind=Text("名称列表", "list of names"),
        allowed=Text("互不相同的注册表名称：" + ", ".join(registry_names()),
                     "distinct registry names: " + ", ".join(registry_names())),
        help=Text("题目所问的激活函数", "the activation functions asked about"),
        parse=_parse_names)

    def __post_init__(self) -> None:
        # Python callers may pass a list, a comma-separated string or aliases: keep one form,
        # so that equality (and is_sheet) compares like with like; unknown names stay for validate
        names = self.names
        if isinstance(names, str):
            names = [w for w in names.split(",") if w.strip()]
        try:
            items = [str(w) for w in names]
        except TypeError:
            return
        fixed = []
        for w in items:
            try:
                fixed.append(get(w).name)
            except UnknownActivationError:
                fixed.append(w)
        object.__setattr__(self, "names", tuple(fixed))

    def validate(self) -> None:
        sheet = "names=" + ",".join(SEED_NAMES)
        if not isinstance(self.names, tuple):
            raise P.ParamError(Text(f"names={self.names!r} 不是激活函数名称的列表",
                                    f"names={self.names!r} is not a list of activation names"),
                               hint=Text(f"写成 {sheet}", f"write {sheet}"))
        if not self.names:
            raise P.ParamError(Text("names 是空的：没有要问的激活函数",
                                    "names is empty: there is no activation to ask about"),
                               hint=Text(f"写成 {sheet}", f"write {sheet}"))
        known = registry_names()
        for w in self.names:
            if w not in known:
                raise P.ParamError(Text(f"names：未知的激活函数 '{w}'", f"names: unknown activation '{w}'"),
                                   hint=Text("可选：", "choose from ") + ", ".join(known))
        seen: set[str] = set()
        for w in self.names:
            if w in seen:
                once = "names=" + ",".join(dict.fromkeys(self.names))
                raise P.ParamError(Text(f"names：'{w}' 写了两次", f"names: '{w}' is given twice"),
                                   hint=Text(f"每个激活函数只写一次，例如 {once}",
                                             f"give each activation once, e.g. {once}"))
            seen.add(w)


# ------------------------------------------------------------------ wording
# How the sheet names the seed's three; any other activation by its registry title.
_LONG = {"sigmoid": Text("Sigmoid 函数", "the sigmoid function"),
         "tanh": Text("双曲正切函数", "the hyperbolic tangent")}
_SHORT = {"sigmoid": Text("Sigmoid", "sigmoid"), "tanh": Text("tanh", "tanh")}
_SATURATES_TAIL = Text("，而在饱和区趋于 0", ", while it tends to 0 where it saturates")
_ZH_COUNT = "一两三四五六七八九十"
_EN_COUNT = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen")


def _title(name: str) -> Text:
    """The activation's registry title in either language ('GELU (tanh approx.)')."""
    act = get(name)
    return Text(act.label("zh"), act.title)


def _long(name: str) -> Text:
    title = _title(name)
    gap = "" if title.zh.endswith("）") else " "  # no space after a full-width bracket
    return _LONG.get(name, Text(f"{title.zh}{gap}函数", title.en))


def _short(name: str) -> Text:
    return _SHORT.get(name, _title(name))


def _zh_list(items: list[str]) -> str:
    """['A', 'B', 'C'] -> 'A、B和 C' (a space between Chinese and Latin letters)."""
    if len(items) == 1:
        return items[0]
    last = items[-1]
    return "、".join(items[:-1]) + "和" + (" " if last[:1].isascii() else "") + last


def _en_list(items: list[str]) -> str:
    """['A', 'B', 'C'] -> 'A, B and C' (as the sheet writes it)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _zh_these(n: int) -> str:
    if n == 1:
        return "这个"
    return "这" + (_ZH_COUNT[n - 1] if n <= len(_ZH_COUNT) else f" {n} ") + "个"


def _en_these(n: int) -> str:
    if n == 1:
        return "this function"
    return f"these {_EN_COUNT[n - 1] if n <= len(_EN_COUNT) else n} functions"


def statement(p: Params) -> Text:
    """The problem in the sheet's words, for any activations."""
    if p.is_sheet():
        return problem_text(1)[1]
    zh = _zh_list([_long(n).zh for n in p.names])
    en = _en_list([_long(n).en for n in p.names])
    k = len(p.names)
    return Text(
        f"计算{' ' if zh[:1].isascii() else ''}{zh}的导数函数，分析{_zh_these(k)}函数作为激活函数时的优缺点。",
        f"Compute the derivatives of {en}, and analyse the strengths and weaknesses of "
        f"{_en_these(k)} as activation functions.")


# ------------------------------------------------------------------ checks
def _derivative_checks(name: str) -> Check:
    """f′ from the derived formula vs the engine's autodiff vs central finite differences."""
    act = get(name)
    away = np.abs(GRID) > 1e-3  # away from 0 and from every kink (where f′ is a convention)
    for k in analyze(name, cost=False).properties.kinks:
        away &= np.abs(GRID - k) > 1e-3
    x = GRID[away]
    t = nndl.tensor(x, requires_grad=True, dtype=nndl.float64)
    nndl.activations.apply(name, t).sum().backward()
    autodiff = np.asarray(t.grad)
    formula = act.df(x)
    h = 1e-6
    fd = (act.f(x + h) - act.f(x - h)) / (2 * h)
    err_ad = float(np.max(np.abs(formula - autodiff)))
    err_fd = float(np.max(np.abs(formula - fd)))
    ok = err_ad < 1e-12 and err_fd < 1e-6
    return Check(
        Text(f"{_title(name).zh}′ 的公式", f"the formula for {act.title}′"),
        Text(f"与引擎自动微分、中心差分在 {len(x)} 个点上比较",
             f"against the engine's autodiff and central differences at {len(x)} points"),
        ok, Text(f"max |Δ| = {err_ad:.1e}（自动微分）、{err_fd:.1e}（中心差分）",
                 f"max |Δ| = {err_ad:.1e} (autodiff), {err_fd:.1e} (finite diff.)"))


def _identity_check(name: str) -> Check | None:
    """The seed's rewritten forms (σ′ = σ(1−σ), tanh′ = 1 − tanh²) evaluated numerically; None
    for every other activation (their rewrites, where SymPy finds one, are proved in the
    derivation itself)."""
    act = get(name)
    y = act.f(GRID)
    forms = {"sigmoid": (y * (1 - y), r"\sigma'(x) = \sigma(x)(1-\sigma(x))"),
             "tanh": (1 - y * y, r"\tanh'(x) = 1 - \tanh^2(x)")}
    if name not in forms:
        return None
    value, latex = forms[name]
    err = float(np.max(np.abs(value - act.df(GRID))))
    lo, hi = (fmt_num(v) for v in (GRID[0], GRID[-1]))
    return Check(Text(f"恒等式 ${latex}$", f"the identity ${latex}$"),
                 Text(f"在 x ∈ [{lo}, {hi}] 上逐点数值验证", f"checked numerically on x ∈ [{lo}, {hi}]"),
                 err < 1e-12, f"max |Δ| = {err:.1e}")


def _section(name: str, index: int) -> tuple[Section, list[Check], object]:
    r = analyze(name)
    d = r.derivation
    blocks = []
    for step in d.steps:
        blocks.append(Paragraph(step.title))
        blocks.append(Math(step.latex, step.plain, plain_zh=step.plain_zh or ""))
        if step.note:
            blocks.append(Paragraph(step.note))
    rows_zh, rows_en = act_render.rows(r, "zh"), act_render.rows(r, "en")
    blocks.append(Table(
        [Text("性质（数值测得）", "property (measured)"), Text("值", "value")],
        [[Text(a[0], b[0]), Text(a[1], b[1])] for a, b in zip(rows_zh, rows_en, strict=True)],
    ))
    kinds = {"pro": Text("优点", "pro"), "con": Text("缺点", "con"), "note": Text("说明", "note")}
    blocks.append(Table(
        [Text("", ""), Text("结论（依据上表测得的性质）", "conclusion (from the measured properties above)")],
        [[kinds[p.kind], p.text] for p in r.pros + r.cons + r.notes],
        caption=Text("优缺点", "Pros and cons"),
    ))
    checks = [_derivative_checks(name)]
    ident = _identity_check(name)
    if ident:
        checks.append(ident)
    return Section(Text(f"（{index}）{_title(name).zh}", f"({index}) {r.title}"), blocks), checks, r


# ------------------------------------------------------------------ summary
def _prime_symbol(r) -> str:
    """'σ′', 'tanh′', 'ReLU′', … as the derivation's result writes f′(x)."""
    lhs = r.derivation.steps[-1].plain.split(" = ", 1)[0]
    return lhs.removesuffix("(x)")


def _condition(w: Interval) -> str:
    """An interval with one infinite end as a condition on x: (0, ∞) -> 'x > 0'."""
    if np.isinf(w.hi):
        return f"x {'≥' if w.lo_closed else '>'} {fmt_num(w.lo)}"
    return f"x {'≤' if w.hi_closed else '<'} {fmt_num(w.hi)}"


def _clause(name: str, r, also: bool = True) -> Text:
    """What one activation's backward factor does over many layers, read from its properties."""
    p = r.properties
    zh, en = _short(name).zh, _short(name).en
    c = fmt_num(p.chain_factor)
    w = p.max_slope_where
    saturates = p.saturates_left or p.saturates_right
    if p.chain_factor < 1 - 1e-12:
        bound = fmt_num(p.chain_bound[DEPTH], 3)
        return Text(f"{zh} 的因子上界为 {c}，{DEPTH} 层后为 {bound}",
                    f"{en}'s factor is at most {c}, so {bound} after {DEPTH} layers")
    if (abs(p.max_slope - 1) < 1e-12 and not p.max_slope_is_limit
            and (np.isinf(w.lo) or np.isinf(w.hi)) and w.lo != w.hi):
        cond, m = _condition(w), fmt_num(p.max_slope)
        return Text(f"{zh} 在 {cond} 时因子恰为 {m}，不衰减",
                    f"{en}'s factor is exactly {m} for {cond}, so it does not decay")
    if p.chain_factor > 1 + 1e-12:
        tail = _SATURATES_TAIL if saturates else Text.same("")
        return Text(f"{zh} 的因子最大可达 {c}（大于 1），逐层相乘时梯度也可能增大{tail.zh}",
                    f"{en}'s factor reaches {c} (above 1), so the product can also grow with "
                    f"depth{tail.en}")
    if saturates:  # "also": like the activation the summary leads with
        return Text(f"{zh} 的因子上界为 {c}，但在饱和区{'同样' if also else ''}趋于 0",
                    f"{en}'s factor is at most {c} but {'also ' if also else ''}tends to 0 where it saturates")
    return Text(f"{zh} 的因子上界为 {c}", f"{en}'s factor is at most {c}")


def _summary(names: tuple[str, ...], reports: dict) -> Section:
    """Why gradients vanish: led by the asked activation whose f′ bound is smallest below 1
    (the sheet: sigmoid), then one clause per other activation, in the order asked."""
    vanishing = [n for n in names if reports[n].properties.chain_factor < 1 - 1e-12]
    lead = min(vanishing, key=lambda n: reports[n].properties.chain_factor) if vanishing else None
    clauses = [_clause(n, reports[n], also=lead is not None) for n in names if n != lead]
    rest_zh = "；".join(t.zh for t in clauses) + "。" if clauses else ""
    rest_en = "; ".join(t.en for t in clauses) + "." if clauses else ""
    if lead is None:
        return Section(Text("小结：深层网络中每层的梯度因子", "Summary: the gradient factor per layer in deep nets"), [
            Paragraph(Text(
                f"反向传播时每经过一层，梯度乘以该层激活函数的导数：{rest_zh}",
                f"Each layer multiplies the backward signal by its activation's derivative: {rest_en}"))])
    p = reports[lead].properties
    zh, en = _short(lead).zh, _short(lead).en
    sym, c, bound = _prime_symbol(reports[lead]), fmt_num(p.chain_factor), fmt_num(p.chain_bound[DEPTH], 3)
    return Section(Text(f"小结：为什么深层网络中 {zh} 会梯度消失", f"Summary: why {en} makes gradients vanish in deep nets"), [
        Paragraph(Text(
            f"反向传播时每经过一层 {zh}，梯度至少乘以一个因子 {sym} ≤ {c}；{DEPTH} 层后上界为 {bound}。"
            + rest_zh,
            f"Each {en} layer multiplies the backward signal by {sym} ≤ {c}; after {DEPTH} layers the "
            f"bound is {bound}." + (" " + rest_en if rest_en else ""))),
    ])


# ------------------------------------------------------------------ build
def build(params: Params, full: bool = False) -> Solution:
    title = problem_text(1)[0]
    names = params.names
    sections, checks, answers = [], [], []
    reports = {}
    for index, name in enumerate(names, start=1):
        sec, cks, r = _section(name, index)
        sections.append(sec)
        checks += cks
        reports[name] = r
        named = _title(name)  # (not `title`: that is the exercise's, which the loop kept overwriting)
        answers.append(Answer(f"{name}_derivative", Text(f"{named.zh} 的导数", f"derivative of {r.title}"),
                              r.derivation.derivative_plain, r.derivation.derivative_text))
        answers.append(Answer(f"{name}_max_slope", Text(f"{named.zh}′ 的最大值", f"max of {r.title}′"),
                              r.properties.max_slope, fmt_num(r.properties.max_slope)))
    shown_zh = "、".join(_short(n).zh for n in names)
    shown_en = _en_list([_short(n).en for n in names])
    pct = f"{SATURATION * 100:g}"
    sections.append(Section(Text("函数及其导数的图像（即原题所说的“右图”）", "Curves of f and f′ (the sheet's missing figure)"), [
        Figure("ex1_activations", lambda lang: _draw_curves(list(names), lang),
               Text(f"{shown_zh} 及其导数；阴影为饱和区（|f′| 小于其最大值的 {pct}%）",
                    f"{shown_en} and their derivatives; shaded: saturation (|f′| < {pct} % of its maximum)"),
               bilingual=True),
    ]))
    sections.append(_summary(names, reports))
    errata = []
    # the sheet's answer claims ReLU "solves" the vanishing gradient: only when ReLU is asked about
    relu = reports["relu"].properties if "relu" in reports else None
    if relu is not None and relu.dead:
        live, slope = _condition(relu.max_slope_where), fmt_num(relu.max_slope)
        dead = _condition(relu.dead[0])
        errata.append(Erratum(Text(
            f"原答案说 ReLU “解决了梯度消失问题”，略有夸大：ReLU 在 {live} 时导数为 {slope}，确实缓解了梯度消失，"
            f"但在 {dead} 的区间 {relu.dead[0].text()} 上导数为 0（“死亡神经元”），深层网络仍需合适的初始化等手段。",
            "The sheet says ReLU \"solves the vanishing-gradient problem\"; that is a little strong: its "
            f"derivative is {slope} for {live}, which alleviates vanishing gradients, but it is 0 on "
            f"{relu.dead[0].text()} (dead units), and deep networks still need a suitable initialisation.")))
    return Solution(1, title, statement(params), sections, answers, checks, errata)


def _draw_curves(names: list[str], lang) -> str:
    """The figure of f and f′ as SVG (Matplotlib is imported here, when a figure is drawn)."""
    from nndl.activations.plot import curves
    from nndl.plotting import figure_bytes

    return figure_bytes(curves(names, lang=lang), "svg").decode("utf-8")
