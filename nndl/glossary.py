"""nndl's glossary: one term per concept, in each language, across all output.

Each :class:`Term` names the word nndl uses and the variants it does not (regular
expressions, matched in text of that language). The seed sheet mixes 感知机 with
感知器算法 and 隐含层 with 隐藏层; a reader should meet one word for one idea. Chinese
sentences also take Chinese punctuation (：，；（）。), see :data:`PUNCTUATION`.

``tests/test_glossary.py`` walks every Text in the package (module tables and the Text
literals in the source) and refuses a variant or an ASCII mark in a Chinese sentence.

>>> [t.term.zh for t in TERMS][:3]
['感知机', '隐藏层', 'Sigmoid']
>>> check("隐含层的输出", "zh")
['隐含层 → 隐藏层']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nndl.text import Text

CJK = "\u4e00-\u9fff"


@dataclass(frozen=True)
class Term:
    """The term nndl uses for one concept (in both languages), and the variants it refuses."""

    term: Text
    avoid_zh: tuple[str, ...] = ()   # regular expressions, matched in Chinese text
    avoid_en: tuple[str, ...] = ()   # ... and in English text
    why: str = ""


TERMS: tuple[Term, ...] = (
    Term(Text("感知机", "perceptron"), ("感知器",), why="the textbook's (and the sheet's title's) word"),
    Term(Text("隐藏层", "hidden layer"), ("隐含层", "隐层"),
         why="as in 邱锡鹏《神经网络与深度学习》"),
    # the function's name in prose is capitalised; lowercase stays for code (`-a sigmoid`,
    # torch.sigmoid), so only a lowercase sigmoid standing in a Chinese sentence is refused
    Term(Text("Sigmoid", "sigmoid"),
         (rf"(?<![\w./`'=-])sigmoid(?=\s?[{CJK}])", rf"(?<=[{CJK}])\s?sigmoid(?![\w(/`'])"),
         why="a name in a Chinese sentence, written as the sheet writes it"),
    Term(Text("反向传播", "backpropagation"), ("后向传播", "逆向传播"), ("back-propagation", "back propagation")),
    Term(Text("激活函数", "activation function"), ("激励函数",)),
    Term(Text("梯度消失", "vanishing gradient"), ("梯度弥散",)),
    Term(Text("权重", "weight"), ("权值",)),
    Term(Text("分类面", "decision boundary"), ("决策面", "分界面", "分类超平面"),
         why="the sheet's word for g(x) = 0"),
    Term(Text("交叉熵", "cross-entropy"), ("互熵",)),
    Term(Text("全连接层", "fully connected layer"), ("稠密层", "密集层", "全联接")),
    Term(Text("损失函数", "loss function"), ("代价函数",)),
    Term(Text("偏置", "bias"), ("截距", "偏差项")),
    Term(Text("以 0 为中心", "zero-centred"), ("零中心化",), ("zero-centered",)),
)

# ASCII marks where a Chinese sentence wants Chinese ones, with the mark to use instead
PUNCTUATION: dict[str, str] = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（…）",
                               ".": "。"}
_INTERVAL = re.compile(r"[-−+\d.∞eE×⁰¹²³⁴⁵⁶⁷⁸⁹⁻ ,]+[)\]]")  # (0, 1), (−∞, −3]: math, not prose


def _formula(after: str) -> bool:
    """Whether the parenthesis that ``after`` follows opens math, (W − F + 2P)/S or (R/γ*)²,
    rather than a remark in prose, (PLA) or (float32): an operator inside, or after it."""
    depth, inside = 1, ""
    for i, ch in enumerate(after):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return bool(re.search(r"[−+/*·=^√×<>≤≥]", inside)
                        or re.match(r"[²³⁻^/·×ᵀ]", after[i + 1:i + 2]))
        inside += ch
    return False


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(re.match(f"[{CJK}]", ch))


def check(text: str, lang: str) -> list[str]:
    """The glossary's complaints about one text: 'variant → term' for each variant found."""
    out = []
    for t in TERMS:
        for pat in (t.avoid_zh if lang == "zh" else t.avoid_en):
            for m in re.finditer(pat, text):
                out.append(f"{m.group(0).strip()} → {t.term(lang)}")
    return out


def check_punctuation(text: str) -> list[str]:
    """ASCII punctuation in a Chinese sentence, one complaint per mark: a , : ; next to a CJK
    character, a ? ! ( or sentence-ending . right after one (one space allowed between).
    Math ($…$, intervals like (0, 1)), code (`…`) and links keep their ASCII marks."""
    if not re.search(f"[{CJK}]", text):
        return []
    text = re.sub(r"\$[^$]*\$|`[^`]*`|https?://\S+|\{\{.*?\}\}", " ", text)
    out = []
    for i, ch in enumerate(text):
        if ch not in PUNCTUATION:
            continue
        j = i - 1 - (i >= 2 and text[i - 1] == " ")
        prev = text[j] if j >= 0 else ""
        k = i + 1 + (i + 2 < len(text) and text[i + 1] == " ")
        nxt = text[k] if k < len(text) else ""
        after = text[i + 1:]
        if ch in ",:;":
            bad = _is_cjk(prev) or _is_cjk(nxt)
            if ch == ":" and re.match(r"[/=\d]", after):
                bad = False  # a ratio, a URL, a slice
        elif ch in "?!":
            bad = _is_cjk(prev) and not after.startswith("=")
        elif ch == "(":
            bad = _is_cjk(prev) and not _INTERVAL.match(after) and not _formula(after)
        else:  # "."
            bad = _is_cjk(prev) and (not after or after[0].isspace())
        if bad:
            out.append(f"{text[max(0, i - 2):i + 3].strip()!r} → {PUNCTUATION[ch]}")
    return out
