"""A safe parser for the expressions a student types: hand-written tokenizer and
recursive descent, never ``eval``.

Grammar (lowest precedence first), as in mathematics::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/' | implicit) unary)*        implicit: 2x, 2(x+1), (a)(b), (a)x
    unary   := ('-' | '+') unary | power                      so -x^2 = -(x^2)
    power   := atom ('^' unary | '**' unary | superscript)?   right-associative: 2^3^2 = 2^9
    atom    := number | name | function '(' args ')' | '(' expr ')'

``−`` (Unicode minus), ``×``, ``·``, ``÷`` and full-width parentheses are read as
their ASCII counterparts; ``x²`` is ``x^2``. Every node keeps its character span, so
errors and drawings can point back into the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from nndl.expr.errors import ExprSyntaxError, UnknownFunctionError, brief
from nndl.text import Text

# fn name -> arity (None: two or more, folded left)
FUNCTIONS: dict[str, tuple[str, int | None]] = {
    "exp": ("exp", 1), "log": ("log", 1), "ln": ("log", 1), "sqrt": ("sqrt", 1),
    "abs": ("abs", 1), "sin": ("sin", 1), "cos": ("cos", 1), "tanh": ("tanh", 1),
    "sigmoid": ("sigmoid", 1), "σ": ("sigmoid", 1), "relu": ("relu", 1),
    "max": ("max", None), "min": ("min", None),
}
KNOWN_FUNCTIONS = "exp, log (ln), sqrt, abs, sin, cos, tanh, sigmoid (σ), relu, max, min"
MAX_DEPTH = 60  # nesting limit: deep input is an error, not a RecursionError
MAX_TREE_DEPTH = 250  # a chain like x+x+...+x; later walks recurse over the tree
MAX_LENGTH = 10_000  # characters: a course's expressions take a few dozen

# One character in, one character out, so positions in the normalised text are the user's.
_SAME_AS = str.maketrans({
    "−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/",
    "（": "(", "）": ")", "，": ",", "\u3000": " ",
})
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-"}
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # ASCII digits only


def _is_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("Α" <= ch <= "Ω") or ("α" <= ch <= "ω")


def _is_name_char(ch: str) -> bool:
    return _is_letter(ch) or ch.isascii() and ch.isdigit() or ch == "_" or "₀" <= ch <= "₉"


# ---------------------------------------------------------------------- AST
@dataclass(frozen=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True)
class Num(Node):
    value: float


@dataclass(frozen=True)
class Var(Node):
    name: str


@dataclass(frozen=True)
class Op(Node):
    """fn: add sub mul div pow neg exp log sqrt abs sin cos tanh sigmoid relu max min."""
    fn: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Token:
    kind: str  # num name op ( ) , sup end
    text: str
    start: int
    end: int
    value: float = 0.0


# ---------------------------------------------------------------- tokenizer
def tokenize(text: str) -> list[Token]:
    src = text.translate(_SAME_AS)
    tokens: list[Token] = []
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch.isspace():
            i += 1
        elif ch in "0123456789" or ch == "." and i + 1 < n and src[i + 1] in "0123456789":
            m = _NUMBER.match(src, i)
            if m is None:  # pragma: no cover - the branch condition guarantees a digit
                raise ExprSyntaxError("expected a number", text, i)
            value = float(m.group())  # float() of 5,000 digits is inf, never an error
            if value == float("inf"):
                raise ExprSyntaxError(Text(f"数 {brief(m.group())} 超出 float64 的范围",
                                           f"the number {brief(m.group())} is too large for float64"),
                                      text, i, end=m.end(),
                                      hint=Text("用小于 1.8e308 的数", "use a number below 1.8e308"))
            j = m.end()
            if j < n and src[j] in "eE" and (j + 1 >= n or not _is_name_char(src[j + 1])):
                num = brief(m.group(), 30)
                raise ExprSyntaxError(
                    Text(f"'{num}e' 有歧义（是 {num} 乘以 e，还是没写完的指数？）",
                         f"'{num}e' is ambiguous (the number {num} times e, or an "
                         "unfinished exponent?)"), text, j,
                    hint=Text(f"乘积写成 {num}*e，{num}·10³ 写成 {num}e3",
                              f"write {num}*e for a product, or {num}e3 for {num}·10³"))
            tokens.append(Token("num", m.group(), i, j, value))
            i = j
        elif _is_letter(ch):
            j = i + 1
            while j < n and _is_name_char(src[j]):
                j += 1
            tokens.append(Token("name", src[i:j], i, j))
            i = j
        elif ch == "*" and src.startswith("**", i):
            tokens.append(Token("op", "^", i, i + 2))
            i += 2
        elif ch in "+-*/^":
            tokens.append(Token("op", ch, i, i + 1))
            i += 1
        elif ch in "(),":
            tokens.append(Token(ch, ch, i, i + 1))
            i += 1
        elif ch in _SUPERSCRIPTS:
            j = i
            while j < n and src[j] in _SUPERSCRIPTS:
                j += 1
            digits = "".join(_SUPERSCRIPTS[c] for c in src[i:j])
            if not re.fullmatch(r"-?\d+", digits):
                raise ExprSyntaxError(Text(f"'{brief(src[i:j])}' 不是上标整数",
                                           f"'{brief(src[i:j])}' is not a superscript integer"),
                                      text, i, end=j,
                                      hint=Text("写成 x² 或 x⁻¹，其他指数用 ^",
                                                "write x² or x⁻¹, or use ^ for other exponents"))
            exponent = float(digits)  # not int(): 5,000 digits would be a ValueError
            if not math.isfinite(exponent):
                raise ExprSyntaxError(Text(f"上标指数（{j - i:,} 位）超出 float64 的范围",
                                           f"the superscript exponent ({j - i:,} digits) is too "
                                           "large for float64"), text, i, end=j,
                                      hint=Text("用更小的指数，例如 x² 或 x^10",
                                                "use a smaller exponent, e.g. x² or x^10"))
            tokens.append(Token("sup", src[i:j], i, j, exponent))
            i = j
        else:
            name = f"U+{ord(ch):04X}"
            raise ExprSyntaxError(
                Text(f"意外的字符 {ch!r}（{name}）", f"unexpected character {ch!r} ({name})"),
                text, i,
                hint=Text("可用：数、变量名（拉丁或希腊字母、数字、_）、+ − * / ^ ** × ·、括号和函数 ",
                          "use numbers, variable names (Latin or Greek letters, digits, _), "
                          "+ − * / ^ ** × ·, parentheses and the functions ") + KNOWN_FUNCTIONS)
    tokens.append(Token("end", "", n, n))
    return tokens


# ------------------------------------------------------------------ parser
def _describe(tok: Token) -> Text:
    # zh: "却是表达式末尾" with no space, "却是 'x'" with one before the quoted token
    return (Text("表达式末尾", "the end of the expression") if tok.kind == "end"
            else Text(" " + repr(brief(tok.text)), repr(brief(tok.text))))


_SPLIT = Text("把它拆成几个较小的表达式", "split it into smaller expressions")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, message: Text, tok: Token | None = None, hint: Text | None = None):
        tok = tok or self.tok
        return ExprSyntaxError(message, self.text, tok.start, end=tok.end, hint=hint)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(Text(f"表达式嵌套超过 {MAX_DEPTH} 层",
                                  f"the expression is nested more than {MAX_DEPTH} levels deep"),
                             hint=_SPLIT)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExprSyntaxError(Text("表达式是空的", "the expression is empty"), self.text, 0,
                                  hint=Text('输入一个表达式，例如 "(x+y)^2*z"',
                                            'type an expression such as "(x+y)^2*z"'))
        node = self.expr()
        if self.tok.kind != "end":
            tok = self.tok
            if tok.kind == ")":
                raise self.error(Text("这个 ')' 没有配对的 '('", "this ')' has no matching '('"),
                                 hint=Text("删掉它，或在它前面加 '('",
                                           "remove it or add a '(' before it"))
            if tok.kind == "name" and self.tokens[self.i - 1].kind == "name":
                prev, this = brief(self.tokens[self.i - 1].text), brief(tok.text)
                raise self.error(Text(f"两个名字之间缺少运算符，这里是 {this!r}",
                                      f"expected an operator between two names, found {this!r}"),
                                 hint=Text(f"乘积写成 {prev}*{this}",
                                           f"write {prev}*{this} for a product"))
            raise self.error(Text("这里应是运算符（+ − * / ^）或表达式结束，却是",
                                  "expected an operator (+ − * / ^) or the end, found ")
                             + _describe(tok),
                             hint=Text("在两部分之间加运算符，例如 2*x",
                                       "put an operator between the two parts, e.g. 2*x"))
        if _tree_depth(node) > MAX_TREE_DEPTH:
            raise ExprSyntaxError(Text(f"表达式连续运算超过 {MAX_TREE_DEPTH} 次",
                                       f"the expression is longer than {MAX_TREE_DEPTH} chained "
                                       "operations"), self.text, 0, end=len(self.text),
                                  hint=_SPLIT)
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            fn = "add" if self.advance().text == "+" else "sub"
            right = self.term()
            node = Op(node.start, right.end, fn, (node, right))
        return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            tok = self.tok
            if tok.kind == "op" and tok.text in "*/":
                self.advance()
                right = self.unary()
                node = Op(node.start, right.end, "mul" if tok.text == "*" else "div", (node, right))
            elif self._implicit_product(tok):
                right = self.unary()
                node = Op(node.start, right.end, "mul", (node, right))
            else:
                return node

    def _implicit_product(self, tok: Token) -> bool:
        """2x, 2(x+1), (x+1)(x−1), (x+1)y: a number or ')' before a name or '('."""
        prev = self.tokens[self.i - 1]
        return prev.kind in ("num", ")") and tok.kind in ("name", "(")

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.text in "+-":
            self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if tok.text == "+":
                return operand
            return Op(tok.start, operand.end, "neg", (operand,))
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        tok = self.tok
        if tok.kind == "sup":
            self.advance()
            node = Op(base.start, tok.end, "pow", (base, Num(tok.start, tok.end, tok.value)))
            if self.tok.kind == "op" and self.tok.text == "^" or self.tok.kind == "sup":
                raise self.error(Text("上标后紧跟乘方有歧义",
                                      "a power right after a superscript is ambiguous"),
                                 hint=Text("加括号，例如 (x²)^3 或 x^(2^3)",
                                           "use parentheses, e.g. (x²)^3 or x^(2^3)"))
            return node
        if tok.kind == "op" and tok.text == "^":
            self.advance()
            self.enter()
            exponent = self.unary()  # unary, so 2^-1 works; recursion makes ^ right-associative
            self.depth -= 1
            return Op(base.start, exponent.end, "pow", (base, exponent))
        return base

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return Num(tok.start, tok.end, tok.value)
        if tok.kind == "name":
            self.advance()
            if self.tok.kind == "(":
                return self.call(tok)
            if tok.text in FUNCTIONS:
                raise self.error(Text(f"{tok.text} 是函数，需要括号",
                                      f"{tok.text} is a function and needs parentheses"), tok,
                                 hint=Text(f"写成 {tok.text}(x)", f"write {tok.text}(x)"))
            return Var(tok.start, tok.end, tok.text)
        if tok.kind == "(":
            self.advance()
            self.enter()
            if self.tok.kind == ")":
                raise self.error(Text("括号里是空的", "empty parentheses"),
                                 hint=Text("在 ( ) 里写一个表达式", "put an expression inside ( )"))
            inner = self.expr()
            self.depth -= 1
            self.expect_close(tok)
            # the span includes the parentheses, so (x+y)^2 points at all of "(x+y)^2"
            return replace(inner, start=tok.start, end=self.tokens[self.i - 1].end)
        if tok.kind == "sup":
            raise self.error(Text("上标前面需要有底数", "a superscript needs something before it"),
                             hint=Text("写成 x² 或 x^2", "write x² or x^2"))
        if tok.kind == "op" and tok.text in "*/^":
            raise self.error(Text(f"{tok.text!r} 前面应是数、变量、函数或 '('",
                                  f"expected a number, a variable, a function or '(' before "
                                  f"{tok.text!r}"),
                             hint=Text("运算符两边都要有运算对象",
                                       "an operator needs an operand on each side"))
        raise self.error(Text("这里应是数、变量、函数或 '('，却是",
                              "expected a number, a variable, a function or '(' but found ")
                         + _describe(tok),
                         hint=Text("把表达式写完整", "complete the expression")
                         if tok.kind == "end" else None)

    def expect_close(self, opening: Token) -> None:
        if self.tok.kind != ")":
            found = _describe(self.tok)
            raise self.error(Text(f"第 {opening.start + 1} 个字符处的 '(' 缺少配对的 ')'，"
                                  f"这里是 {found.zh}",
                                  f"expected ')' to close the '(' at character "
                                  f"{opening.start + 1}, found {found.en}"),
                             hint=Text("补上缺少的 ')'", "add the missing ')'"))
        self.advance()

    def call(self, name_tok: Token) -> Node:
        name = name_tok.text
        if name not in FUNCTIONS:
            raise UnknownFunctionError(
                Text(f"未知的函数 {brief(name)!r}", f"unknown function {brief(name)!r}"),
                self.text, name_tok.start, end=name_tok.end,
                hint=Text(f"可用的函数：{KNOWN_FUNCTIONS}；乘积写成 {brief(name)}*(...)",
                          f"known functions: {KNOWN_FUNCTIONS}; for a product write "
                          f"{brief(name)}*(...)"))
        fn, arity = FUNCTIONS[name]
        opening = self.advance()
        self.enter()
        args: list[Node] = []
        if self.tok.kind != ")":
            args.append(self.expr())
            while self.tok.kind == ",":
                self.advance()
                args.append(self.expr())
        self.depth -= 1
        self.expect_close(opening)
        end = self.tokens[self.i - 1].end
        if arity == 1 and len(args) != 1:
            raise ExprSyntaxError(Text(f"{name} 只有一个参数，这里给了 {len(args)} 个",
                                       f"{name} takes one argument, got {len(args)}"), self.text,
                                  name_tok.start, end=end,
                                  hint=Text(f"写成 {name}(x)", f"write {name}(x)"))
        if arity is None and len(args) < 2:
            raise ExprSyntaxError(Text(f"{name} 需要两个或更多参数，这里给了 {len(args)} 个",
                                       f"{name} takes two or more arguments, got {len(args)}"),
                                  self.text, name_tok.start, end=end,
                                  hint=Text(f"写成 {name}(x, y)", f"write {name}(x, y)"))
        node = args[0]
        if arity == 1:
            return Op(name_tok.start, end, fn, (node,))
        for arg in args[1:]:
            node = Op(name_tok.start, end, fn, (node, arg))
        return node


def _tree_depth(node: Node) -> int:
    best, stack = 0, [(node, 1)]
    while stack:
        cur, d = stack.pop()
        best = max(best, d)
        if isinstance(cur, Op):
            stack.extend((a, d + 1) for a in cur.args)
    return best


def parse(text: str) -> Node:
    """Parse ``text`` into a tree of :class:`Num`, :class:`Var` and :class:`Op` nodes."""
    if not isinstance(text, str):
        raise ExprSyntaxError(Text(f"表达式应是文本，这里是 {type(text).__name__}",
                                   f"the expression must be text, got {type(text).__name__}"), "", 0)
    if len(text) > MAX_LENGTH:
        raise ExprSyntaxError(Text(f"表达式有 {len(text):,} 个字符；nndl 最多读 {MAX_LENGTH:,} 个",
                                   f"the expression has {len(text):,} characters; nndl reads at "
                                   f"most {MAX_LENGTH:,}"), text, MAX_LENGTH, hint=_SPLIT)
    return _Parser(text).parse()


def variables(node: Node) -> list[Var]:
    """First occurrence of each variable, in reading order."""
    seen: dict[str, Var] = {}
    stack = [node]
    order: list[Var] = []
    while stack:
        cur = stack.pop()
        if isinstance(cur, Var):
            if cur.name not in seen:
                seen[cur.name] = cur
                order.append(cur)
        elif isinstance(cur, Op):
            stack.extend(reversed(cur.args))
    return sorted(order, key=lambda v: v.start)


def to_sympy(node: Node | str):
    """The same expression as a SymPy expression (real symbols), for symbolic checks."""
    import sympy

    if isinstance(node, str):
        node = parse(node)
    symbols: dict[str, sympy.Symbol] = {}

    def conv(n: Node):
        if isinstance(n, Num):
            return sympy.Rational(repr(n.value)) if n.value != int(n.value) else sympy.Integer(
                int(n.value))
        if isinstance(n, Var):
            return symbols.setdefault(n.name, sympy.Symbol(n.name, real=True))
        a = [conv(x) for x in n.args]
        match n.fn:
            case "add":
                return a[0] + a[1]
            case "sub":
                return a[0] - a[1]
            case "mul":
                return a[0] * a[1]
            case "div":
                return a[0] / a[1]
            case "pow":
                return a[0] ** a[1]
            case "neg":
                return -a[0]
            case "exp" | "log" | "sqrt" | "sin" | "cos" | "tanh":
                return getattr(sympy, n.fn)(a[0])
            case "abs":
                return sympy.Abs(a[0])
            case "sigmoid":
                return 1 / (1 + sympy.exp(-a[0]))
            case "relu":
                return sympy.Max(0, a[0])
            case "max":
                return sympy.Max(a[0], a[1])
            case "min":
                return sympy.Min(a[0], a[1])
        raise AssertionError(n.fn)

    return conv(node)
