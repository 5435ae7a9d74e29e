"""Checked derivatives: is the student's f′ the same function as the true one? First by
SymPy (simplify the difference, under a time limit), then by evaluating both at seeded
points away from kinks. A case neither decides is ``undetermined``, never ``wrong``.

A wrong f′ is diagnosed by building the derivative again with a mistake switched on: the
identity that writes f′ through f (σ′ = σ(1 − σ), tanh′ = 1 − tanh²; nndl finds it by
fitting f′ as a polynomial in f) with x put in place of f(x), with the square dropped, or
with the sign flipped.

Formulas are read by nndl's own expression parser (no ``eval``, no ``sympify`` of raw
text); a piecewise answer is written ``{0 if x <= 0; 1 otherwise}``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from nndl.check.core import CORRECT, CheckItem, CheckReport, diagnosis_feedback
from nndl.check.values import MAX_ANSWER_CHARS, AnswerError
from nndl.expr import ExprError, parse, to_sympy, variables
from nndl.text import Text

RTOL = 1e-6  # relative tolerance of the sampled comparison
SYMPY_SECONDS = 2.0
_POINTS = np.random.default_rng(20261202).uniform(-4.0, 4.0, 64)  # seeded: same verdict every run


@dataclass(frozen=True)
class Branch:
    expr: object  # a SymPy expression in x
    op: str | None  # None: otherwise; else "<", "<=", ">", ">="
    at: float = 0.0

    def holds(self, x: float) -> bool:
        return {"<": x < self.at, "<=": x <= self.at, ">": x > self.at, ">=": x >= self.at,
                None: True}[self.op]


_COND = re.compile(r"^\s*(?P<body>.+?)\s+(?:if|当)\s+x\s*(?P<op><=|≤|>=|≥|<|>)\s*(?P<at>[-+−]?\d+(?:\.\d+)?)\s*$")
# the form nndl shows in Chinese (solve, act, gen): {0（x ≤ 0）；1（x > 0）}, the condition in
# brackets after its branch; "（其他）" for the rest
_COND_ZH = re.compile(r"^\s*(?P<body>.+?)\s*[（(]\s*(?:当\s*)?x\s*(?P<op><=|≤|>=|≥|<|>)\s*"
                      r"(?P<at>[-+−]?\d+(?:\.\d+)?)\s*(?:时)?\s*[）)]\s*$")
_REST_ZH = re.compile(r"\s*[（(]\s*(?:其他|其它)\s*[）)]\s*$")


def read_formula(text: str, variable: str = "x",
                 constants: tuple[tuple[str, float], ...] = ()) -> list[Branch]:
    """A formula in ``variable`` (or a piecewise one in braces) as SymPy branches."""
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(Text(f"公式长达 {len(text):,} 个字符", f"the formula is {len(text):,} "
                               "characters long"),
                          hint=Text(f"一个公式最多 {MAX_ANSWER_CHARS} 个字符",
                                    f"a formula has at most {MAX_ANSWER_CHARS} characters"))
    t = text.strip()
    if t.startswith("{") and t.endswith("}"):
        branches = []
        for part in re.split("[;；]", t[1:-1]):
            part = part.strip()
            m = _COND.match(part) or _COND_ZH.match(part)
            if m:
                op = {"≤": "<=", "≥": ">="}.get(m["op"], m["op"])
                branches.append(Branch(_one(m["body"], variable, constants), op,
                                       float(m["at"].replace("−", "-"))))
            elif _REST_ZH.search(part):
                branches.append(Branch(_one(_REST_ZH.sub("", part), variable, constants), None))
            elif re.search(r"\s+(otherwise|else|其他|其它)\s*$", part):
                body = re.sub(r"\s+(otherwise|else|其他|其它)\s*$", "", part)
                branches.append(Branch(_one(body, variable, constants), None))
            else:
                raise AnswerError(Text(f"无法识别分段 {part!r}", f"cannot read the branch {part!r}"),
                                  hint=Text("分段写成 {0 当 x <= 0; 1 其他}",
                                            "write branches as {0 if x <= 0; 1 otherwise}"))
        return branches
    return [Branch(_one(t, variable, constants), None)]


def _one(text: str, variable: str, constants: tuple[tuple[str, float], ...] = ()):
    import sympy as sp

    # x(1 − x) as students write it: the variable is no function, so this is a product
    text = re.sub(rf"(?<![A-Za-z_]){re.escape(variable)}\s*\(", f"{variable}*(", text)
    try:
        tree = parse(text)
    except ExprError as exc:
        raise AnswerError(exc.message_t, hint=exc.hint_t) from None
    names = {v.name for v in variables(tree)}
    known = dict(constants)  # an activation's own parameters (a, alpha, lambda) by value
    unknown = sorted(names - {variable, "e"} - set(known))
    if unknown:
        names_ = ", ".join(unknown)
        raise AnswerError(Text(f"公式 {text!r} 用到了 {names_}，但 f′ 只是 {variable} 的函数",
                               f"the formula {text!r} uses {names_}, but f′ is a function of "
                               f"{variable} only"),
                          hint=Text(f"只用 {variable} 来写", f"write it in {variable}"))
    expr = to_sympy(tree)
    for name, value in known.items():
        for sym in [s for s in expr.free_symbols if s.name == name]:
            expr = expr.subs(sym, sp.nsimplify(value))
    if "e" in names and variable != "e":
        expr = expr.subs(sp.Symbol("e", real=True), sp.E).subs(sp.Symbol("e"), sp.E)
    return expr


def _evaluate(branches: list[Branch], xs: np.ndarray) -> np.ndarray:
    import sympy as sp

    x = sp.Symbol("x", real=True)
    out = np.full(xs.shape, np.nan)
    fns = []
    for b in branches:
        e = b.expr.subs(sp.Symbol("x"), x)  # type: ignore[attr-defined]
        fns.append(sp.lambdify(x, e, modules="numpy"))
    with np.errstate(all="ignore"):
        for i, xv in enumerate(xs):
            for b, fn in zip(branches, fns, strict=True):
                if b.holds(float(xv)):
                    out[i] = float(np.real(fn(float(xv))))
                    break
    return out


def _sympy_equal(a, b) -> bool | None:
    """True/False if SymPy decides a − b ≡ 0 within the time limit, else None."""
    import sympy as sp

    result: list[bool | None] = [None]

    def work() -> None:
        try:
            d = sp.simplify(a - b)
            result[0] = True if d == 0 else None
        except Exception:  # SymPy gives up: the sampled comparison decides
            result[0] = None

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(SYMPY_SECONDS)
    return result[0]


def same_function(given: list[Branch], expected: list[Branch], kinks: list[float]) -> bool | None:
    """True (the same function away from kinks), False (they differ), None (undecided)."""
    if len(given) == 1 and len(expected) == 1 and _sympy_equal(given[0].expr, expected[0].expr):
        return True
    xs = np.array([x for x in _POINTS if all(abs(x - k) > 1e-3 for k in kinks)])
    a, b = _evaluate(given, xs), _evaluate(expected, xs)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 8:
        return None
    return bool(np.allclose(a[ok], b[ok], rtol=RTOL, atol=1e-9))


# ------------------------------------------------------------------ the true f′ and its mistakes
@lru_cache(maxsize=64)
def true_derivative(function: str):
    """(branches of f′, f as a SymPy expression, kinks, constants) for a registry activation
    or an expression in x; constants are the activation's parameters (name, value), which
    an answer may use by name. A piecewise f′ stays one SymPy Piecewise (it evaluates its
    own conditions)."""
    import sympy as sp

    from nndl.activations import derivation, get

    x = sp.Symbol("x", real=True)
    constants: tuple[tuple[str, float], ...] = ()
    if _alias(function):
        act = get(function.strip().lower())
        expr, xs, values = act.sympy()
        f = expr.subs(values).subs(xs, x)
        kinks = [k.at for k in derivation(act.name).kinks]
        constants = tuple((str(sym), float(v)) for sym, v in values.items())
    else:
        try:
            [branch] = read_formula(function)
        except AnswerError as exc:  # the function, not the answer: say which of the two
            why = Text("", "") if "f′ is a function of" in exc.message else (
                Text("：", ": ") + exc.message_t)  # a syntax error says where
            raise AnswerError(
                Text(f"函数 {function!r} 既不是 nndl 认识的激活函数，也不是 x 的式子",
                     f"the function {function!r} is neither an activation nndl knows nor an "
                     "expression in x") + why,
                hint=Text("给出激活函数的名字（如 Sigmoid、ReLU，大小写均可），或 x 的式子（如 x^2*sin(x)）",
                          "give an activation's name (sigmoid, tanh, relu …) or an expression "
                          "in x (x^2*sin(x))")) from None
        f = branch.expr.subs(sp.Symbol("x"), x)  # type: ignore[attr-defined]
        kinks = []
    # (an expression's own kinks, from relu/abs/max, are missed by the seeded sample points
    # almost surely: they are single points)
    return [Branch(sp.diff(f, x), None)], f, kinks, constants


def _alias(function: str) -> bool:
    from nndl.activations import get

    try:
        get(function.strip().lower())
        return True
    except Exception:
        return False


def f_identity(f, x):
    """Coefficients (c0, c1, c2) with f′ = c0 + c1·f + c2·f², if f′ is such a polynomial in
    f (found by least squares at sample points, then verified exactly by SymPy)."""
    import sympy as sp

    d = sp.diff(f, x)
    if d.has(sp.Piecewise):
        return None
    fx, dx = sp.lambdify(x, f), sp.lambdify(x, d)
    pts = np.linspace(-3, 3, 25)
    try:
        fv = np.array([float(fx(float(p))) for p in pts])
        dv = np.array([float(dx(float(p))) for p in pts])
    except (ArithmeticError, TypeError, ValueError):
        return None
    if not (np.isfinite(fv).all() and np.isfinite(dv).all()):
        return None
    basis = np.stack([np.ones_like(fv), fv, fv * fv], 1)
    fit, *_ = np.linalg.lstsq(basis, dv, rcond=None)
    if np.max(np.abs(basis @ fit - dv)) > 1e-8 * max(1.0, float(np.max(np.abs(dv)))):
        return None  # not a polynomial in f: no need to ask SymPy
    coef = [sp.nsimplify(round(float(c), 9)) for c in fit]
    if sp.simplify(coef[0] + coef[1] * f + coef[2] * f ** 2 - d) != 0:
        return None
    return coef


@lru_cache(maxsize=256)
def mistaken(function: str, mistake: str):
    """f′ with ``mistake`` switched on, as SymPy branches, or None where it does not apply."""
    import sympy as sp

    branches, f, _, _ = true_derivative(function)
    x = sp.Symbol("x", real=True)
    if mistake == "sign":
        return [Branch(-b.expr, b.op, b.at) for b in branches]  # type: ignore[operator]
    coef = f_identity(f, x)
    if coef is None:
        return None
    c0, c1, c2 = coef
    if mistake == "derivative_of_wrong_argument":  # σ′ = x(1 − x): x where f(x) belongs
        return [Branch(c0 + c1 * x + c2 * x ** 2, None)]
    if mistake == "missing_square" and c2 != 0:  # tanh′ = 1 − tanh(x)
        return [Branch(c0 + (c1 + c2) * f, None)]
    return None


DERIVATIVE_MISTAKES = ("derivative_of_wrong_argument", "missing_square", "sign")


def check_derivative_item(key: str, function: str, answer: str) -> CheckItem:
    branches, f, kinks, constants = true_derivative(function)
    given = read_formula(answer, constants=constants)
    shown = _in_chinese(_show(function, branches), function)
    verdict = same_function(given, branches, kinks)
    note = _kink_note(function, kinks)
    if verdict is True:
        return CheckItem(key, answer, shown, "correct", feedback=CORRECT + note if note else CORRECT)
    for m in DERIVATIVE_MISTAKES:
        wrong = mistaken(function, m)
        if wrong is not None and same_function(given, wrong, kinks):
            return CheckItem(key, answer, shown, "wrong", [m], diagnosis_feedback([m], shown))
    if verdict is None:
        return CheckItem(key, answer, shown, "undetermined", [], Text(
            "无法判定：符号化简与取点比较都没能给出结论（例如在取样点上无定义）。",
            "Undetermined: neither SymPy nor the sampled comparison could decide (for "
            "example, the formula is undefined at the sample points)."))
    return CheckItem(key, answer, shown, "wrong", [], Text(
        f"不对：在某些 x 处，它的值与 f′ = {shown.zh} 不同。", f"Not right: at some x it differs "
        f"from f′ = {shown.en}."))


# one branch of a piecewise f′ as nndl check reads it: "BODY if x OP NUMBER"
_BRANCH = re.compile(r"^(?P<body>.+?)\s+if\s+x\s*(?P<op><=|≤|>=|≥|<|>)\s*(?P<at>[-−]?\d+(?:\.\d+)?)$")


def _num(v) -> str:
    return f"{float(v):g}".replace("-", "−")


def _where(region) -> str | None:
    """Where a branch applies, as a reader writes it: x ≤ 0, x > 0, −1 < x < 1."""
    import sympy as sp

    if isinstance(region, sp.Union):
        parts = [_where(r) for r in region.args]
        return None if None in parts else "或".join(parts)  # type: ignore[arg-type]
    if not isinstance(region, sp.Interval):
        return None
    lo, hi = region.start, region.end
    if lo == -sp.oo:
        return f"x {'<' if region.right_open else '≤'} {_num(hi)}"
    if hi == sp.oo:
        return f"x {'>' if region.left_open else '≥'} {_num(lo)}"
    return (f"{_num(lo)} {'<' if region.left_open else '≤'} x "
            f"{'<' if region.right_open else '≤'} {_num(hi)}")


def reader_zh(typed: str) -> str | None:
    """A piecewise f′ as a student types it, {0 if x <= 0; 1 otherwise}, as a Chinese reader
    reads it: {0（x ≤ 0）；1（x > 0）}, each branch with where it applies (as ``nndl solve 1``
    writes it); None for a formula that is not piecewise."""
    import sympy as sp

    t = typed.strip()
    if not (t.startswith("{") and t.endswith("}")):
        return None
    taken: Any = sp.EmptySet
    parts = []
    for part in (p.strip() for p in t[1:-1].split(";")):
        m = _BRANCH.match(part)
        if m:
            at = sp.nsimplify(m["at"].replace("−", "-"))
            op = {"≤": "<=", "≥": ">="}.get(m["op"], m["op"])
            body, region = m["body"], {"<": sp.Interval.open(-sp.oo, at),
                                       "<=": sp.Interval(-sp.oo, at),
                                       ">": sp.Interval.open(at, sp.oo),
                                       ">=": sp.Interval(at, sp.oo)}[op]
        elif part.endswith(" otherwise"):
            body, region = part[:-len(" otherwise")].strip(), sp.Reals
        else:
            return None
        where = _where(region - taken)  # where no earlier branch applies
        if where is None:
            return None
        taken = sp.Union(taken, region)
        parts.append(f"{body}（{where}）")
    return "{" + "；".join(parts) + "}"


def _in_chinese(formula: str, function: str = "") -> Text:
    """A piecewise f′ as nndl writes it in Chinese everywhere (solve, act, gen):
    {0（x ≤ 0）；1（x > 0）}, each branch with its condition (read_formula reads it back)."""
    if not formula.startswith("{"):
        return Text.same(formula)
    if _alias(function):
        from nndl.activations import derivation, get

        zh = derivation(get(function.strip().lower()).name).derivative_text("zh")
        if zh:
            return Text(zh, formula)
    read = reader_zh(formula)
    return Text(read, formula) if read else Text.same(formula)


def _show(function: str, branches: list[Branch]) -> str:
    """f′ as nndl's derivation writes it (in terms of f where it found such a form)."""
    import sympy as sp

    if _alias(function):
        from nndl.activations import derivation, get

        return derivation(get(function.strip().lower()).name).derivative_plain
    if len(branches) == 1:
        return str(sp.simplify(branches[0].expr))
    parts = [f"{b.expr} if x {b.op} {b.at:g}" if b.op else f"{b.expr} otherwise" for b in branches]
    return "{" + "; ".join(parts) + "}"


def _kink_note(function: str, kinks: list[float]) -> Text | None:
    if not kinks:
        return None
    at = ", ".join(f"{k:g}" for k in kinks)
    return Text(f"在 x = {at} 处导数不存在（左右导数不同），那一点取 0、1 或“无定义”都算对；PyTorch 约定取 0。",
                f" At x = {at} the derivative does not exist (the one-sided ones differ): 0, 1 "
                "or 'undefined' there are all accepted; PyTorch uses 0.")


def check_derivative(function: str, answer: str) -> CheckReport:
    item = check_derivative_item("derivative", function, answer)
    return CheckReport("derivative", {"function": function}, [item], tolerance=RTOL)




def write_formula(branches: list[Branch]) -> str | None:
    """Branches written as :func:`read_formula` reads them back (``{0 if x <= 0; 1
    otherwise}`` for a piecewise f′); None where a condition is not ``x OP number``."""
    import sympy as sp

    def plain(e) -> str:
        return sp.sstr(e).replace("**", "^")

    if len(branches) == 1 and branches[0].op is None:
        e = sp.piecewise_fold(branches[0].expr)  # type: ignore[arg-type]
        if not isinstance(e, sp.Piecewise):
            return plain(e)
        parts = []
        for value, cond in e.args:
            if cond is sp.true:
                parts.append(f"{plain(value)} otherwise")
            elif isinstance(cond, sp.core.relational.Relational) and cond.lhs.is_Symbol \
                    and cond.rhs.is_number:
                parts.append(f"{plain(value)} if x {cond.rel_op} {float(cond.rhs):g}")
            else:
                return None
        return "{" + "; ".join(parts) + "}"
    parts = [f"{plain(b.expr)} if x {b.op} {b.at:g}" if b.op else f"{plain(b.expr)} otherwise"
             for b in branches]
    return "{" + "; ".join(parts) + "}"
