"""Derivations of f′ generated with SymPy from each activation's definition, in the seed's style:
differentiate, then rewrite f′ in terms of f itself where such a form exists
(σ′ = σ(1 − σ), tanh′ = 1 − tanh²), and state the convention at every kink.

The rewrite is *discovered*, not typed in: for each branch, f′ is fitted on a few sample
points as a combination of small candidate bases in y = f(x) (and s = σ(x)), the
coefficients are recognised as rationals or parameter symbols, and SymPy then proves
the identity exactly before it is shown.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np

from nndl.activations.registry import get
from nndl.text import Text


@dataclass
class Step:
    title: Text
    latex: str
    plain: str
    note: Text | None = None
    plain_zh: str | None = None  # where the plain form has words ("if", "otherwise")

    def plain_for(self, lang: str) -> str:
        return self.plain_zh if (lang == "zh" and self.plain_zh) else self.plain


@dataclass
class Kink:
    """A point where a Piecewise definition switches branch."""

    at: float
    left: float          # lim f′ from the left
    right: float         # lim f′ from the right
    value: float         # f′ at the point, by the convention the definition (and PyTorch) uses
    differentiable: bool  # left == right


@dataclass
class Derivation:
    name: str
    definition_latex: str
    definition_plain: str
    derivative_latex: str     # final form of f′ (rewritten where possible)
    derivative_plain: str
    in_terms_of_f: bool       # some branch of f′ was rewritten in terms of f
    steps: list[Step] = field(default_factory=list)
    # f′ for a reader: derivative_plain is also the answer format `nndl check` reads
    # ({0 if x ≤ 0; 1 otherwise}); in Chinese a piecewise f′ is {0（x ≤ 0）；1（x > 0）}
    derivative_text: Text = field(default_factory=lambda: Text.same(""))
    kinks: list[Kink] = field(default_factory=list)
    params: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------ printing
def _plain(expr) -> str:
    s = str(expr)
    for a, b in (("**", "^"), ("sigma", "σ"), ("alpha", "α"), ("lambda", "λ"), ("*", "·"),
                 ("exp(", "e^("), ("pi", "π"), ("sqrt", "√"), ("<=", "≤"), (">=", "≥")):
        s = s.replace(a, b)
    return s


def _latex(expr) -> str:
    import sympy as sp

    return sp.latex(expr)


# ------------------------------------------------------------------ rewrite search
def _branches(expr, x):
    """[(branch, its condition as written, where it applies)] of a Piecewise, or [(expr, True, True)]."""
    import sympy as sp

    pw = expr if isinstance(expr, sp.Piecewise) else None
    if pw is None:
        return [(expr, sp.true, sp.true)]
    out, seen = [], sp.false
    for e, c in pw.args:  # a branch applies where its condition holds and no earlier one did
        out.append((e, c, sp.And(c, sp.Not(seen))))
        seen = sp.Or(seen, c)
    return out


def _samples(cond, x) -> list[float]:
    pts = [-4.7, -3.3, -2.2, -1.45, -0.8, -0.35, 0.3, 0.75, 1.35, 2.1, 2.9, 3.8, 4.6, 0.55, -0.55]
    return [p for p in pts if bool(cond.subs(x, p))]


def _recognise(c: float, params: dict) -> list:
    """SymPy constants whose value is c: parameter products first, then a rational."""
    import sympy as sp

    hits = []
    syms = list(params)
    for r in (1, 2):
        for combo in itertools.combinations(syms, r):
            prod = sp.Mul(*combo)
            for sign in (1, -1):
                if abs(float(sign * prod.subs(params)) - c) < 1e-9 * max(1, abs(c)):
                    hits.append(sign * prod)
    q = sp.nsimplify(c, tolerance=1e-10, rational=True)
    if abs(float(q) - c) < 1e-9 and q.q <= 1000:
        hits.append(q)
    return hits


def _nicest(expr, s):
    """The shortest of a few equivalent forms, preferring a factored one on ties."""
    import sympy as sp

    def unsign(e):  # -y(y - 1) -> y(1 - y)
        if isinstance(e, sp.Mul) and e.could_extract_minus_sign():
            adds = [a for a in e.args if isinstance(a, sp.Add)]
            if adds:
                rest = [a for a in e.args if a is not adds[0]]
                return sp.Mul(-sp.Mul(*rest), -adds[0])
        return e

    forms = [unsign(sp.factor(expr)), sp.collect(expr, s), sp.expand(expr)]
    return min(forms, key=lambda e: (sp.count_ops(e), len(e.args) if e.is_Add else 0))


def _find_rewrite(branch_f, branch_d, cond, x, params, sig_expr):
    import sympy as sp

    y, s = sp.Symbol("y"), sp.Symbol("s")
    if x not in branch_d.free_symbols or x not in branch_f.free_symbols:
        return None
    pts = _samples(cond, x)
    if len(pts) < 6:
        return None
    fe = sp.lambdify(x, branch_f.subs(params), "mpmath")
    de = sp.lambdify(x, branch_d.subs(params), "mpmath")
    se = sp.lambdify(x, sig_expr, "mpmath")
    ys = np.array([float(fe(p)) for p in pts])
    ds = np.array([float(de(p)) for p in pts])
    ss = np.array([float(se(p)) for p in pts])
    same_as_sigma = np.allclose(ys, ss, rtol=1e-12, atol=1e-14)
    bases = [[sp.Integer(1), y], [sp.Integer(1), y, y**2]]
    if not same_as_sigma:
        bases += [[sp.Integer(1), y, s, s * y]]
    for basis in bases:
        cols = [sp.lambdify((y, s), b, "numpy") for b in basis]
        A = np.column_stack([np.broadcast_to(np.asarray(c(ys, ss), dtype=float), ys.shape) for c in cols])
        coef, *_ = np.linalg.lstsq(A, ds, rcond=None)
        if np.max(np.abs(A @ coef - ds)) > 1e-9 * max(1.0, np.max(np.abs(ds))):
            continue
        options = []
        for c in coef:
            rec = [sp.Integer(0)] if abs(c) < 1e-11 else _recognise(float(c), params)
            if not rec:
                break
            options.append(rec)
        else:
            for choice in itertools.product(*options):
                cand = sum((c * b for c, b in zip(choice, basis, strict=True)), sp.Integer(0))
                if sp.simplify(branch_d - cand.subs({y: branch_f, s: sig_expr})) == 0:
                    return _nicest(cand, s), y, s
    return None


def _kinks(branches, x, params) -> list[Kink]:
    """One-sided limits of f′ at each branch boundary, from the branch that applies on each side."""
    import sympy as sp

    points = set()
    for _, c, _ in branches:
        for rel in c.atoms(sp.core.relational.Relational):
            points.update(float(r) for r in sp.solve(sp.Eq(rel.lhs, rel.rhs), x))
    eps = sp.Rational(1, 10**6)

    def branch_at(p):
        return next(d for d, _, eff in branches if bool(eff.subs(x, p)))

    out = []
    for k in sorted(points):
        kk = sp.nsimplify(k)
        left = float(branch_at(kk - eps).subs(x, kk).subs(params))
        right = float(branch_at(kk + eps).subs(x, kk).subs(params))
        value = float(branch_at(kk).subs(x, kk).subs(params))
        out.append(Kink(k, left, right, value, abs(left - right) < 1e-12))
    return out


def _num(v: float) -> str:
    return f"{v:g}".replace("-", "−")


def _plain_piecewise(branches, x) -> str:
    """{a if cond; b otherwise} — readable where str(Piecewise) is not."""
    import sympy as sp

    parts = []
    for e, c, _ in branches:
        parts.append(f"{_plain(e)} otherwise" if c == sp.true else
                     f"{_plain(e)} if {_plain(c)}")
    return "{" + "; ".join(parts) + "}"


def _cond_plain(cond, x) -> str:
    """A branch's condition as a reader writes it: x ≤ 0, x ≥ 3, −3 < x < 3 (read from the
    set of x where it holds, so "x ≥ 3 and not x ≤ −3" is just x ≥ 3)."""
    import sympy as sp

    try:
        region = cond.as_set()
    except (NotImplementedError, TypeError, ValueError):
        return _plain(cond)
    if not isinstance(region, sp.Interval):
        return _plain(cond)
    lo, hi = region.start, region.end
    if lo == -sp.oo and hi == sp.oo:
        return "x ∈ ℝ"
    if lo == -sp.oo:
        return f"x {'<' if region.right_open else '≤'} {_num(float(hi))}"
    if hi == sp.oo:
        return f"x {'>' if region.left_open else '≥'} {_num(float(lo))}"
    return (f"{_num(float(lo))} {'<' if region.left_open else '≤'} x "
            f"{'<' if region.right_open else '≤'} {_num(float(hi))}")


def _plain_piecewise_zh(branches, x) -> str:
    """{0（x ≤ 0）；1（x > 0）}: each branch with the condition where it applies, no words."""
    return "{" + "；".join(f"{_plain(e)}（{_cond_plain(eff, x)}）" for e, _, eff in branches) + "}"


def _show_zh(branches, x) -> str | None:
    """The Chinese plain form of a piecewise branch list (None: the plain form has no words)."""
    return _plain_piecewise_zh(branches, x) if len(branches) > 1 else None


def _quotient(expr, x):
    """(u, v, u′, v′) when f = u/v with both u and v depending on x (tanh), else None: the
    derivative is then shown by the quotient rule, as a teacher writes it."""
    import sympy as sp

    u, v = sp.fraction(expr)
    if v == 1 or not (u.has(x) and v.has(x)):
        return None
    return u, v, sp.diff(u, x), sp.diff(v, x)


def _show(branches, x) -> tuple[str, str]:
    """(LaTeX, plain) of a branch list as one expression or a cases block."""
    import sympy as sp

    if len(branches) == 1:
        return _latex(branches[0][0]), _plain(branches[0][0])
    pw = sp.Piecewise(*[(e, c) for e, c, _ in branches], evaluate=False)
    return _latex(pw), _plain_piecewise(branches, x)


@functools.cache
def derivation(name: str) -> Derivation:
    """Derive f′ of a registered activation with SymPy, step by step (cached)."""
    import sympy as sp

    act = get(name)
    expr, x, params = act.sympy()
    fn = sp.tanh(x) if act.name == "tanh" else sp.Function(act.fname)(x)
    sigma = sp.Function("sigma")(x)
    sig_expr = 1 / (1 + sp.exp(-x))
    lhs, lhs_plain = _latex(fn), _plain(fn)
    dlhs, dlhs_plain = rf"\frac{{d}}{{dx}} {lhs}", lhs_plain[:-3] + "′(x)"

    fbranches = _branches(expr, x)
    dbranches = [(sp.diff(e, x), c, eff) for e, c, eff in fbranches]  # branch by branch
    def_latex, def_plain = _show(fbranches, x)
    d_latex, d_plain = _show(dbranches, x)

    steps = [Step(Text("定义", "Definition"), f"{lhs} = {def_latex}", f"{lhs_plain} = {def_plain}",
                  plain_zh=_zh_plain(f"{lhs_plain} = ", fbranches, x))]
    if params:
        steps.append(Step(
            Text("参数（PyTorch 默认值）", "Parameters (PyTorch defaults)"),
            ", ".join(f"{_latex(k)} = {float(v):.10g}" for k, v in params.items()),
            ", ".join(f"{_plain(k)} = {float(v):.10g}" for k, v in params.items())))
    quotient = _quotient(expr, x) if len(fbranches) == 1 else None
    if quotient is not None:
        u, v, du, dv = quotient
        if sp.simplify((du * v - u * dv) / v**2 - dbranches[0][0]) != 0:  # the rule, checked
            quotient = None
    if quotient is not None:
        u, v, du, dv = quotient

        def pl(e) -> str:
            return f"({_plain(e)})"

        def lx(e) -> str:
            return rf"\left({_latex(e)}\right)"

        q_latex = rf"\frac{{{lx(du)} {lx(v)} - {lx(u)} {lx(dv)}}}{{{lx(v)}^{{2}}}}"
        q_plain = f"[{pl(du)}·{pl(v)} − {pl(u)}·{pl(dv)}] / {pl(v)}^2"
        steps.append(Step(
            Text("求导（商的求导法则）", "Differentiate (quotient rule)"),
            f"{dlhs} = {q_latex}", f"{dlhs_plain} = {q_plain}",
            Text(f"(u/v)′ = (u′v − uv′)/v²，其中 u = {_plain(u)}，v = {_plain(v)}。",
                 f"(u/v)′ = (u′v − uv′)/v², with u = {_plain(u)} and v = {_plain(v)}.")))
    else:
        steps.append(Step(Text("求导", "Differentiate"), f"{dlhs} = {d_latex}",
                          f"{dlhs_plain} = {d_plain}",
                          plain_zh=_zh_plain(f"{dlhs_plain} = ", dbranches, x)))

    final, rewritten, forms = [], False, []
    piecewise = len(fbranches) > 1
    for (fb, _, eff), (db, c, _) in zip(fbranches, dbranches, strict=True):
        found = _find_rewrite(fb, db, eff, x, params, sig_expr)
        if found is None:
            final.append((db, c, eff))
            forms.append((db.subs(params), c))
            continue
        form, y, s = found
        forms.append((form.subs({s: sig_expr}).subs(params), c))
        shown = form.subs({y: fn, s: sigma})
        final.append((shown, c, eff))
        rewritten = True
        where = rf" \quad ({_latex(eff)})" if piecewise else ""
        where_plain = f"   ({_cond_plain(eff, x)})" if piecewise else ""
        lhs_l, lhs_p = (q_latex, q_plain) if quotient is not None else (_latex(db), _plain(db))
        steps.append(Step(
            Text("化简，用函数自身表示", "Simplify in terms of the function itself"),
            f"{lhs_l} = {_latex(shown)}{where}",
            f"{lhs_p} = {_plain(shown)}{where_plain}",
            Text("SymPy 验证：两式之差化简为 0。", "Checked by SymPy: the difference simplifies to 0."),
            plain_zh=(f"{lhs_p} = {_plain(shown)}（{_cond_plain(eff, x)}）" if piecewise else None)))

    kinks = _kinks(dbranches, x, params)
    for k in kinks:
        at = _num(k.at)
        if k.differentiable:
            note = Text(f"在 x = {at} 处左右导数相等（均为 {_num(k.left)}），f′ 连续，f′({at}) = {_num(k.value)}。",
                        f"At x = {at} the one-sided derivatives agree (both {_num(k.left)}): "
                        f"f′ is continuous there, f′({at}) = {_num(k.value)}.")
        else:
            note = Text(f"在 x = {at} 处不可导（左导数 {_num(k.left)}，右导数 {_num(k.right)}），"
                        f"按 PyTorch 的约定取 f′({at}) = {_num(k.value)}。",
                        f"Not differentiable at x = {at} (left slope {_num(k.left)}, right slope "
                        f"{_num(k.right)}); by PyTorch's convention f′({at}) = {_num(k.value)}.")
        steps.append(Step(Text("折点处的约定", "Convention at the kink"),
                          f"f'({at}) = {_num(k.value)}", f"f′({at}) = {_num(k.value)}", note))
    final_latex, final_plain = _show(final, x)
    final_zh = _show_zh(final, x)
    steps.append(Step(Text("结果", "Result"), f"{dlhs} = {final_latex}", f"{dlhs_plain} = {final_plain}",
                      plain_zh=_zh_plain(f"{dlhs_plain} = ", final, x)))
    _FORMS[act.name] = forms
    return Derivation(
        name=act.name, definition_latex=def_latex, definition_plain=def_plain,
        derivative_latex=final_latex, derivative_plain=final_plain, in_terms_of_f=rewritten,
        steps=steps, kinks=kinks, params={str(k): float(v) for k, v in params.items()},
        derivative_text=Text(final_zh or final_plain, final_plain),
    )


def _zh_plain(prefix: str, branches, x) -> str | None:
    zh = _show_zh(branches, x)
    return None if zh is None else prefix + zh


# f′ per branch as computed from x and, where rewritten, from y = f(x) (the kept output):
# name -> [(expression in x and y, condition)], filled by derivation(); read by the cost count
_FORMS: dict[str, list] = {}


def derivative_forms(name: str) -> list:
    """[(f′ branch in x and the symbol y = f(x), condition as written)] of an activation."""
    key = get(name).name
    derivation(key)
    return _FORMS[key]
