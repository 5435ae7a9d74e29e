"""The text spec, as the textbook writes a network, parsed into nndl layers.

Grammar (one layer per line or ``;``-separated; case-insensitive; ``#`` starts a comment)::

    input 227x227x3            width x height x channels; 227*227*3, 227×227×3, 28x28 (1 channel),
                               784 (a vector), "300x300 rgb"
    conv 96 11x11 stride=4     K filters of F×F; pad=P (padding=, p=), stride=S (s=), dilation=D (d=),
                               bias=false; shorthand 96@11x11/4; kernel 11x11x3 also checks D1 = 3
    maxpool 3x3 stride=2       also "maxpool 3/2", "maxpool 2" (stride = kernel, as PyTorch), pad=P
    avgpool 2                  same options as maxpool
    fc 4096                    also linear / dense; a flatten is implied after an image
    relu | sigmoid | tanh | leakyrelu [slope] | softmax | flatten | dropout [P] | bn
    embedding 10000x128        a table of V vectors of D numbers (also "embedding 10000 128");
                               the input is a sequence of token ids (input 50: 50 ids)
    layernorm                  normalises each sample: a whole W×H×D image, or each position's
                               D features of a sequence (also ln, layer_norm)

Options also read as "stride 4"; an activation may end a layer line ("conv 6 5x5 relu").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from nndl.errors import NNDLError
from nndl.text import Text


class SpecError(NNDLError):
    """A spec that cannot be read or cannot work; the message names the line and the token."""


@dataclass
class Token:
    text: str
    col: int  # 1-based column in its line


@dataclass
class SpecLine:
    """One layer statement: where it is, what it says, and its parsed arguments."""

    line: int
    col: int
    text: str
    keyword: str  # canonical: input conv maxpool avgpool fc relu ... bn
    args: dict = field(default_factory=dict)

    def where(self) -> str:
        return f"line {self.line}" + (f", column {self.col}" if self.col > 1 else "")


KEYWORDS = {
    "input": "input", "in": "input", "image": "input", "data": "input",
    "conv": "conv", "conv2d": "conv", "convolution": "conv",
    "maxpool": "maxpool", "max_pool": "maxpool", "maxpool2d": "maxpool", "pool": "maxpool",
    "max-pool": "maxpool", "maxpooling": "maxpool",
    "avgpool": "avgpool", "avg_pool": "avgpool", "avgpool2d": "avgpool", "avg-pool": "avgpool",
    "averagepool": "avgpool", "meanpool": "avgpool",
    "fc": "fc", "linear": "fc", "dense": "fc", "full": "fc", "fullyconnected": "fc",
    "relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "leakyrelu": "leakyrelu",
    "leaky_relu": "leakyrelu", "softmax": "softmax", "flatten": "flatten", "dropout": "dropout",
    "bn": "bn", "batchnorm": "bn", "batchnorm2d": "bn", "batchnorm1d": "bn",
    "embedding": "embedding", "embed": "embedding", "emb": "embedding",
    "layernorm": "layernorm", "layer_norm": "layernorm", "ln": "layernorm",
}
ACTIVATIONS = {"relu", "sigmoid", "tanh", "leakyrelu", "softmax"}
OPTIONS = {
    "stride": "stride", "s": "stride", "pad": "pad", "padding": "pad", "p": "pad",
    "dilation": "dilation", "d": "dilation", "kernel": "kernel", "kernel_size": "kernel",
    "k": "kernel", "f": "kernel", "filters": "filters", "out": "filters", "channels": "filters",
    "bias": "bias", "slope": "slope", "negative_slope": "slope",
}
ALLOWED = {
    "conv": {"stride", "pad", "dilation", "kernel", "filters", "bias"},
    "maxpool": {"stride", "pad", "dilation", "kernel"},
    "avgpool": {"stride", "pad", "kernel"},
    "fc": {"filters", "bias"},
    "leakyrelu": {"slope"},
    "dropout": {"p"},
}
WORD_OPTIONS = {"stride", "pad", "padding", "dilation", "kernel"}  # may be written "stride 4"
_X = r"\s*[x×X*]\s*"
_SIZE = re.compile(rf"^(\d+)(?:{_X}(\d+))?(?:{_X}(\d+))?$")
_NUM = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_SHORTHAND = re.compile(rf"^(\d+)@(\d+(?:{_X}\d+)?)(?:/(\d+))?$")  # 96@11x11/4
_KSLASH = re.compile(rf"^(\d+(?:{_X}\d+)?)/(\d+)$")  # 3x3/2, 3/2


# Bounds: past them a spec is refused with the bound named, never computed with wrapped
# integers or for minutes. 10^15 values is beyond any network a course draws (VGG-16 has
# 1.4·10^8 parameters) and below 2^53, so every count is exact as an int64 and a float64.
MAX_COUNT = 10**15  # values in any tensor, parameters in any layer; also any single number
MAX_LAYERS = 10_000  # layers in one spec (ResNet-152 has about 500)
MAX_SPEC_CHARS = 1_000_000  # characters of spec text (1 MB)
_ECHO = 60  # characters of a statement an error echoes on each side of the bad column


def _shown(text: str, col: int = 1) -> str:
    """The statement as an error echoes it: whole when short, else the part around ``col``."""
    if len(text) <= 2 * _ECHO:
        return text
    start = max(0, min(col - 1 - _ECHO, len(text) - 2 * _ECHO))
    return ("…" if start else "") + text[start:start + 2 * _ECHO] + (
        "…" if start + 2 * _ECHO < len(text) else "")


def _short(token: str) -> str:
    """A token as an error names it (a 5,000-digit number is cut, with its length)."""
    return token if len(token) <= 40 else f"{token[:20]}…{token[-8:]} ({len(token)} characters)"


def _err(sl_line: int, col: int, text: str, msg: Text,
         hint: Text | None = None) -> SpecError:
    """A spec error naming line, column and the statement, in zh and en (the CLI shows one)."""
    shown = _shown(text, col)
    where = Text(f"第 {sl_line} 行" + (f"第 {col} 列" if col > 1 else ""),
                 f"line {sl_line}" + (f", column {col}" if col > 1 else ""))
    return SpecError(Text(f"{where.zh} `{shown}`：{msg.zh}", f"{where.en} `{shown}`: {msg.en}"),
                     hint=hint)


# the names a size or count has in an error (the keys themselves — stride, pad — stay as typed)
_WHAT_ZH = {"kernel size": "卷积核尺寸", "input size": "输入尺寸", "padding": "填充 pad",
            "filters": "滤波器个数 K", "kernel": "卷积核尺寸 F"}


def _zh(what: str) -> str:
    return _WHAT_ZH.get(what, what)


def _bounded(digits: str, what: str, line: int, col: int, seg: str) -> int:
    """``int(digits)`` for a string of ASCII digits (a sign allowed), refused past MAX_COUNT
    before converting (Python will not even convert 5,000 digits)."""
    body = digits.lstrip("+-").lstrip("0")
    if len(body) > len(str(MAX_COUNT)) or int(body or "0") > MAX_COUNT:
        raise _err(line, col, seg,
                   Text(en=f"the {what} {_short(digits)} is too large (at most 10^15)",
                        zh=f"{_zh(what)} {_short(digits)} 太大（最多 10^15）"),
                   hint=Text("nndl 计算的尺寸最多 10^15 个值；请用更小的数",
                             "nndl computes sizes up to 10^15 values; use a smaller number"))
    return int(digits)


def _segments(text: str):
    """(line number, column, segment text) for every non-empty statement."""
    for lineno, raw in enumerate(text.splitlines() or [""], start=1):
        line = raw.split("#", 1)[0]
        start = 0
        for part in line.split(";"):
            stripped = part.strip()
            if stripped:
                yield lineno, start + (len(part) - len(part.lstrip())) + 1, stripped
            start += len(part) + 1


def _tokens(seg: str) -> list[Token]:
    # join "11 x 11" into one token so sizes may be written with spaces
    seg2 = re.sub(r"(\d)\s*([x×X*])\s*(?=\d)", r"\1\2", seg)
    seg2 = re.sub(r"\s*=\s*", "=", seg2)
    shift = _col_map(seg, seg2)
    return [Token(m.group(0), shift(m.start()) + 1) for m in re.finditer(r"[^\s,]+", seg2)]


def _col_map(orig: str, squeezed: str):
    """Map a column in the whitespace-squeezed segment back to the original one."""
    mapping, j = [], 0
    for i, ch in enumerate(squeezed):
        while j < len(orig) and orig[j] != ch:
            j += 1
        mapping.append(j if j < len(orig) else i)
        j += 1
    return lambda i: mapping[i] if i < len(mapping) else i


def _whole_number_hint(text: str) -> Text:
    """Say what to write instead: 1e3 -> 1000, 2.0 -> 2; otherwise just digits."""
    try:
        value = float(text)
    except ValueError:
        return Text("只用数字书写，例如 64", "write it with digits only, e.g. 64")
    if value.is_integer() and value >= 1:
        return Text(f"写成 {int(value)}", f"write {int(value)}")
    return Text("它数的是单元或像素，所以是正整数，例如 64",
                "it counts units or pixels, so it is a positive whole number such as 64")


def _int(tok: Token, what: str, line: int, seg_col: int, seg: str, *, minimum: int = 1) -> int:
    if not _NUM.match(tok.text):
        raise _err(line, seg_col + tok.col - 1, seg,
                   Text(en=f"{what} must be a whole number, got '{_short(tok.text)}'",
                        zh=f"{what} 必须是整数，这里是 '{_short(tok.text)}'"),
                   hint=_whole_number_hint(tok.text))
    v = _bounded(tok.text, what, line, seg_col + tok.col - 1, seg)
    if v < minimum:
        raise _err(line, seg_col + tok.col - 1, seg,
                   Text(en=f"{what} must be {('positive' if minimum == 1 else '>= ' + str(minimum))}, got {v}",
                        zh=f"{_zh(what)} 必须{('为正数' if minimum == 1 else ' >= ' + str(minimum))}，这里是 {v}"),
                   hint=Text(f"给 {_zh(what)} 一个 >= {minimum} 的值", f"give {what} a value >= {minimum}"))
    return v


def _size(tok: Token, what: str, line: int, seg_col: int, seg: str) -> tuple[int, ...]:
    m = _SIZE.match(tok.text)
    if not m:
        raise _err(line, seg_col + tok.col - 1, seg,
                   Text(en=f"cannot read the {what} '{_short(tok.text)}'",
                        zh=f"无法识别的{_zh(what)} '{_short(tok.text)}'"),
                   hint=Text("尺寸写成 11x11（或 11×11、11*11）", "write sizes as 11x11 (or 11×11, 11*11)"))
    nums = tuple(_bounded(g, what, line, seg_col + tok.col - 1, seg)
                 for g in m.groups() if g is not None)
    for v in nums:
        if v <= 0:
            raise _err(line, seg_col + tok.col - 1, seg,
                       Text(en=f'the {what} {_short(tok.text)} has a size of {v}; sizes must be positive',
                            zh=f'{_zh(what)} {_short(tok.text)} 中有非正的尺寸 {v}'),
                       hint=Text("每个尺寸至少为 1", "every size must be at least 1"))
    return nums


def _canon(text: str) -> str:
    """A value as compared for "given twice": 3, 3x3 and 03×3 are one kernel."""
    m = _SIZE.match(text)
    if not m:
        return text.lower()
    nums = [g.lstrip("0") or "0" for g in m.groups() if g is not None]
    return "x".join(nums * 2 if len(nums) == 1 else nums)


def _suggest(word: str, choices) -> Text:
    if len(word) > 40:  # no keyword is that long (and difflib's work grows with it)
        return Text("", "")
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return Text(f"你是想写 '{close[0]}' 吗？", f"did you mean '{close[0]}'? ") if close \
        else Text("", "")


def parse(text: str) -> list[SpecLine]:
    """Read every statement; raise :class:`SpecError` naming line and column on bad input."""
    if not isinstance(text, str):
        raise SpecError(Text(f"网络描述应是文本，这里是 {type(text).__name__}",
                             f"a spec is text, got {type(text).__name__}"),
                        hint=Text('例如 "input 227x227x3; conv 96 11x11 stride=4"',
                                  'e.g. "input 227x227x3; conv 96 11x11 stride=4"'))
    if len(text) > MAX_SPEC_CHARS:
        raise SpecError(Text(f"网络描述有 {len(text):,} 个字符；nndl 最多读 {MAX_SPEC_CHARS:,}（1 MB）",
                             f"the spec has {len(text):,} characters; nndl reads at most "
                             f"{MAX_SPEC_CHARS:,} (1 MB)"),
                        hint=Text("即使一千层的网络也只要几 kB",
                                  "a network of even a thousand layers takes a few kB"))
    out: list[SpecLine] = []
    for line, col, seg in _segments(text):
        if len(out) >= MAX_LAYERS:
            raise _err(line, col, seg,
                       Text(en=f"the spec has more than {MAX_LAYERS:,} layers",
                            zh=f"层数超过 {MAX_LAYERS:,}"),
                       hint=Text(f"nndl 最多汇总 {MAX_LAYERS:,} 层；请把网络分成几段",
                                 f"nndl summarises at most {MAX_LAYERS:,} layers; split the network"))
        toks = _tokens(seg)
        if not toks:  # a statement of commas only (found by bench/fuzz.py): nothing to read
            continue
        word = toks[0].text.lower().rstrip(":")
        kw = KEYWORDS.get(word)
        if kw is None:
            m = re.match(r"^([a-z_]+)(\d.*)$", word)  # "conv96@11x11" written without a space
            if m and m.group(1) in KEYWORDS:
                kw = KEYWORDS[m.group(1)]
                toks = [Token(m.group(1), toks[0].col), Token(m.group(2), toks[0].col + len(m.group(1)))] + toks[1:]
        if kw is None:
            raise _err(line, col, seg,
                       Text(en=f"unknown layer '{_short(toks[0].text)}'",
                            zh=f"未知的层 '{_short(toks[0].text)}'"),
                       hint=_suggest(word, KEYWORDS) + Text("可用的层：", "known: ")
                       + "input, conv, maxpool, avgpool, fc, relu, sigmoid, tanh, leakyrelu, "
                         "softmax, flatten, dropout, bn, embedding, layernorm")
        sl = SpecLine(line, col, seg, kw)
        rest = toks[1:]
        trailing: list[SpecLine] = []
        # an activation at the end of a layer line adds an activation layer after it
        while rest and kw not in ACTIVATIONS and rest[-1].text.lower() in ACTIVATIONS:
            act = rest.pop()
            trailing.insert(0, SpecLine(line, col + act.col - 1, seg, act.text.lower()))
        _parse_args(sl, rest)
        out.append(sl)
        out.extend(trailing)
    return out


def _parse_args(sl: SpecLine, toks: list[Token]) -> None:
    kw, line, col, seg = sl.keyword, sl.line, sl.col, sl.text
    a = sl.args

    def at(tok):
        return col + tok.col - 1

    def put(key: str, value: Token, where: Token) -> None:
        """a[key] = value, unless the statement already gave key another value: with
        `conv 1 3x3 k=5` the student meant one of the two kernels, and nndl cannot tell which."""
        if key in a and _canon(a[key].text) != _canon(value.text):
            raise _err(line, at(where), seg,
                       Text(en=f"{key} is given twice ({_short(a[key].text)} and "
                               f"{_short(value.text)})",
                            zh=f"{key} 重复给出（{_short(a[key].text)} 和 {_short(value.text)}）"),
                       hint=Text(f"只保留一个 {key}", f"keep one {key}"))
        a[key] = value

    # "stride 4" -> "stride=4"
    merged: list[Token] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.text.lower() in WORD_OPTIONS and "=" not in t.text and i + 1 < len(toks):
            merged.append(Token(f"{t.text}={toks[i + 1].text}", t.col))
            i += 2
            continue
        merged.append(t)
        i += 1
    positional: list[Token] = []
    for t in merged:
        if "=" in t.text:
            key, _, value = t.text.partition("=")
            k = OPTIONS.get(key.lower(), "p" if key.lower() == "p" and kw == "dropout" else None)
            if kw == "dropout" and key.lower() in ("p", "rate", "prob"):
                k = "p"
            if k is None or k not in ALLOWED.get(kw, set()):
                allowed = sorted(o for o, c in OPTIONS.items() if c in ALLOWED.get(kw, set()))
                raise _err(line, at(t), seg,
                           Text(en=f"unknown option '{_short(key)}' for {kw}",
                                zh=f"{kw} 没有选项 '{_short(key)}'"),
                           hint=_suggest(key.lower(), allowed) + (
                               Text(f"{kw} 可用的选项：{', '.join(allowed)}",
                                    f"{kw} takes: {', '.join(allowed)}") if allowed else
                               Text(f"{kw} 没有选项", f"{kw} takes no options")))
            if k in a:  # stride=4 stride=2: which one did the student mean?
                raise _err(line, at(t), seg,
                           Text(en=f'{k} is given twice ({_short(a[k].text)} and {_short(value)})',
                                zh=f'{k} 重复给出（{_short(a[k].text)} 和 {_short(value)}）'),
                           hint=Text(f"只保留一个 {k}", f"keep one {k}"))
            a[k] = Token(value, t.col + len(key) + 1)
        else:
            positional.append(t)

    if kw == "input":
        _parse_input(sl, positional)
    elif kw == "conv":
        plain = 0
        for t in positional:
            m = _SHORTHAND.match(t.text)
            if m:
                put("filters", Token(m.group(1), t.col), t)
                put("kernel", Token(m.group(2), t.col + len(m.group(1)) + 1), t)
                if m.group(3):
                    put("stride", Token(m.group(3), t.col + len(t.text) - len(m.group(3))), t)
                continue
            m = _KSLASH.match(t.text)
            if m:
                put("kernel", Token(m.group(1), t.col), t)
                put("stride", Token(m.group(2), t.col), t)
            elif re.search(r"[x×X*]", t.text):
                put("kernel", t, t)
            elif plain < 2:  # conv K F: the first plain number is K, the second F
                put(("filters", "kernel")[plain], t, t)
                plain += 1
            else:
                raise _err(line, at(t), seg,
                           Text(en=f"unexpected '{_short(t.text)}'",
                                zh=f"多余的 '{_short(t.text)}'"),
                           hint=Text("写法：conv K FxF stride=S pad=P，例如 conv 96 11x11 stride=4",
                                     "write: conv K FxF stride=S pad=P, e.g. conv 96 11x11 stride=4"))
        for need, example in (("filters", "96"), ("kernel", "11x11")):
            if need not in a:
                raise _err(line, col, seg,
                           Text(en=f'conv needs the number of filters K and the kernel size F (missing {need})',
                                zh=f'conv 需要滤波器个数 K 和尺寸 F（缺少{_zh(need)}）'),
                           hint=Text(f"例如 conv 96 11x11 stride=4（这里{_zh(need)} 可以是 {example}）",
                                     f"e.g. conv 96 11x11 stride=4 (here {need} could be {example})"))
    elif kw in ("maxpool", "avgpool"):
        plain = 0
        for t in positional:
            m = _KSLASH.match(t.text)
            if m:
                put("kernel", Token(m.group(1), t.col), t)
                put("stride", Token(m.group(2), t.col), t)
                plain = 2
            elif plain < 2:  # maxpool F S: the first is the window, the second the stride
                put(("kernel", "stride")[plain], t, t)
                plain += 1
            else:
                raise _err(line, at(t), seg,
                           Text(en=f"unexpected '{_short(t.text)}'",
                                zh=f"多余的 '{_short(t.text)}'"),
                           hint=Text(f"写法：{kw} 3x3 stride=2", f"write: {kw} 3x3 stride=2"))
        if "kernel" not in a:
            raise _err(line, col, seg,
                       Text(en=f'{kw} needs a window size',
                            zh=f'{kw} 需要窗口尺寸'),
                       hint=Text(f"例如 {kw} 3x3 stride=2，或 {kw} 2", f"e.g. {kw} 3x3 stride=2, or {kw} 2"))
    elif kw == "fc":
        for t in positional:
            if "filters" in a:
                raise _err(line, at(t), seg,
                           Text(en=f"unexpected '{_short(t.text)}'",
                                zh=f"多余的 '{_short(t.text)}'"),
                           hint=Text("写法：fc N，例如 fc 4096", "write: fc N, e.g. fc 4096"))
            a["filters"] = t
        if "filters" not in a:
            raise _err(line, col, seg,
                       Text(en='fc needs the number of neurons',
                            zh='fc 需要神经元个数'),
                       hint=Text("例如 fc 4096", "e.g. fc 4096"))
    elif kw == "embedding":
        plain = 0
        for t in positional:
            m = _SIZE.match(t.text)
            if m and m.group(2) is not None and m.group(3) is None and plain == 0:
                put("vocab", Token(m.group(1), t.col), t)
                put("dim", Token(m.group(2), t.col + len(m.group(1)) + 1), t)
                plain = 2
            elif plain < 2 and _NUM.match(t.text):  # embedding V D
                put(("vocab", "dim")[plain], t, t)
                plain += 1
            else:
                raise _err(line, at(t), seg,
                           Text(en=f"unexpected '{_short(t.text)}'",
                                zh=f"多余的 '{_short(t.text)}'"),
                           hint=Text("写法：embedding VxD，例如 embedding 10000x128",
                                     "write: embedding VxD, e.g. embedding 10000x128"))
        if "dim" not in a:
            raise _err(line, col, seg,
                       Text(en="embedding needs the table size VxD (vocabulary × vector length)",
                            zh="embedding 需要词表大小和向量长度 VxD"),
                       hint=Text("例如 embedding 10000x128", "e.g. embedding 10000x128"))
    elif kw == "dropout":
        for t in positional:
            put("p", t, t)
    elif kw == "leakyrelu":
        for t in positional:
            put("slope", t, t)
    elif positional:
        t = positional[0]
        raise _err(line, at(t), seg,
                   Text(en=f"{kw} takes no arguments, got '{_short(t.text)}'",
                        zh=f"{kw} 不带参数，这里有 '{_short(t.text)}'"),
                   hint=Text(f"只写：{kw}", f"write just: {kw}"))
    _convert(sl)


def _parse_input(sl: SpecLine, positional: list[Token]) -> None:
    line, col, seg = sl.line, sl.col, sl.text
    channels = None
    dims: tuple[int, ...] | None = None
    for t in positional:
        low = t.text.lower()
        if low in ("rgb", "color", "colour"):
            channels = 3
        elif low in ("gray", "grey", "grayscale", "greyscale", "mono"):
            channels = 1
        elif dims is None:
            if re.fullmatch(r"[+-]?0+|-.*", t.text):
                raise _err(line, col + t.col - 1, seg,
                           Text(en=f"the input size '{_short(t.text)}' must be positive",
                                zh=f"输入尺寸 '{_short(t.text)}' 必须为正数"),
                           hint=Text("例如 input 227x227x3", "e.g. input 227x227x3"))
            dims = _size(t, "input size", line, col, seg)
        else:
            raise _err(line, col + t.col - 1, seg,
                       Text(en=f"unexpected '{_short(t.text)}'",
                            zh=f"多余的 '{_short(t.text)}'"),
                       hint=Text("写法：input WxHxD，例如 input 227x227x3",
                                 "write: input WxHxD, e.g. input 227x227x3"))
    if dims is None:
        raise _err(line, col, seg,
                   Text(en='input needs a size',
                        zh='input 需要给出尺寸'),
                   hint=Text("例如 input 227x227x3（宽 x 高 x 通道数）或 input 784",
                             "e.g. input 227x227x3 (width x height x channels) or input 784"))
    shape: tuple[int, ...]
    if len(dims) == 3:
        w, h, d = dims
        shape = (d, h, w)
    elif len(dims) == 2:
        w, h = dims
        shape = (channels or 1, h, w)
    else:
        shape = (channels, dims[0], dims[0]) if channels else (dims[0],)
    sl.args = {"shape": shape}


def _convert(sl: SpecLine) -> None:
    """Turn the option tokens into numbers, with the column of a bad one in the error."""
    line, col, seg, a = sl.line, sl.col, sl.text, sl.args
    if sl.keyword == "input":
        return
    out: dict = {}
    for k, tok in a.items():
        if k == "kernel":
            out[k] = _size(tok, "kernel size", line, col, seg)
        elif k in ("stride", "dilation", "filters"):
            out[k] = _int(tok, k if k != "filters" else ("K" if sl.keyword == "conv" else "N"),
                          line, col, seg)
        elif k in ("vocab", "dim"):
            out[k] = _int(tok, {"vocab": "V", "dim": "D"}[k], line, col, seg)
        elif k == "pad":
            out[k] = _int(tok, "padding", line, col, seg, minimum=0)
        elif k == "bias":
            v = tok.text.lower()
            if v not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                raise _err(line, col + tok.col - 1, seg,
                           Text(en=f"bias must be true or false, got '{_short(tok.text)}'",
                                zh=f"bias 只能是 true 或 false，这里是 '{_short(tok.text)}'"))
            out[k] = v in ("true", "yes", "1", "on")
        elif k in ("p", "slope"):
            if not _FLOAT.match(tok.text):
                raise _err(line, col + tok.col - 1, seg,
                           Text(en=f"{k} must be a number, got '{_short(tok.text)}'",
                                zh=f"{k} 必须是数，这里是 '{_short(tok.text)}'"))
            v = float(tok.text)
            if k == "p" and not 0 <= v < 1:
                raise _err(line, col + tok.col - 1, seg,
                           Text(en=f'the dropout probability must be in [0, 1), got {v}',
                                zh=f'dropout 概率必须在 [0, 1) 内，这里是 {v}'),
                           hint=Text("例如 dropout 0.5", "e.g. dropout 0.5"))
            out[k] = v
    sl.args = out
