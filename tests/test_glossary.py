"""One term per concept (nndl/glossary.py) and Chinese punctuation in Chinese sentences,
checked on every Text nndl can show: the Texts in module globals (as tests/test_text.py walks
them) and every ``Text(zh, en)`` literal in the source (f-strings with their fields as {…}).

A violation in a file of the change that added this test is fixed there; the ones in other
people's files are listed in KNOWN_* below (reported to their owners), so that the test
still fails on any new one. Delete an entry when its text is fixed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from test_text import _all_module_texts

import nndl
from nndl.glossary import CJK, TERMS, check, check_punctuation

ROOT = Path(nndl.__file__).parent


def _literal(node: ast.AST) -> str | None:
    """A string literal, an f-string (fields as {…}) or a + of them; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _literal(node.left), _literal(node.right)
        return None if a is None or b is None else a + b
    return None


def _text_literals() -> list[tuple[str, str, str]]:
    """(file:line, zh, en) of every Text(...) call in nndl/ whose arguments are literals."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and (
                    getattr(node.func, "id", None) == "Text" or getattr(node.func, "attr", None) == "Text")):
                continue
            args = list(node.args[:2]) + [k.value for k in node.keywords if k.arg in ("zh", "en")]
            if len(args) != 2:
                continue
            zh, en = (_literal(a) for a in args)
            if zh is not None or en is not None:
                out.append((f"{rel}:{node.lineno}", zh or "", en or ""))
    return out


def _all_texts() -> list[tuple[str, str, str]]:
    texts = _text_literals()
    texts += [(where, t.zh, t.en) for where, t in _all_module_texts().values()]
    return texts


def _file(where: str) -> str:
    return where.split(":")[0] if where.startswith("nndl/") else where.split("[")[0]


def _violations(kind: str) -> set[tuple[str, str]]:
    out = set()
    for where, zh, en in _all_texts():
        if kind == "terms":
            found = check(zh, "zh") + check(en, "en")
        else:
            found = check_punctuation(zh)
        out |= {(_file(where), f) for f in found}
    return out


# KNOWN (not in this change's files; reported to their owners): (file or module, complaint).
# A module's table is listed under its module name as well. Delete an entry once fixed.
KNOWN_TERMS: set[tuple[str, str]] = set()
KNOWN_PUNCTUATION: set[tuple[str, str]] = set()
# Not prose: an input syntax quoted in a sentence keeps its ASCII marks (ex2's --params
# kinds "数,数,…" and "x1,x2:标签; …"; ex6's "层之间用 ; 或换行" names the ';' itself)
ALLOWED_PUNCTUATION: set[tuple[str, str]] = {
    ("nndl/solutions/ex2.py", "',数,…' → ，"),
    ("nndl/solutions/ex2.py", "'数,数,' → ，"),
    ("nndl/solutions/ex2.py", "'x2:标签' → ："),
    ("nndl/solutions/ex2.py", "'点:标签' → ："),
    ("nndl/solutions/ex2.py", "'标签; …' → ；"),
    ("nndl/solutions/ex6.py", "'用 ; 或' → ；"),
}


def test_glossary_is_consistent():
    """A term is never another's variant, and every variant really differs from its term."""
    terms = {t.term.zh for t in TERMS}
    for t in TERMS:
        assert not check(t.term.zh, "zh") and not check(t.term.en, "en"), t
        assert t.avoid_zh or t.avoid_en, t
    assert len(terms) == len(TERMS)


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("单层感知器", "zh", ["感知器 → 感知机"]),
    ("两个隐含层", "zh", ["隐含层 → 隐藏层"]),
    ("sigmoid 的导数", "zh", ["sigmoid → Sigmoid"]),
    ("nndl vanish -a sigmoid,relu", "zh", []),           # code keeps its lowercase
    ("torch.sigmoid 与 Sigmoid 函数", "zh", []),
    ("zero-centered outputs", "en", ["zero-centered → zero-centred"]),
])
def test_the_term_check_finds_variants(text, lang, expected):
    assert check(text, lang) == expected


@pytest.mark.parametrize(("text", "n"), [
    ("勘误: 题目有误", 1), ("第 1 题. 求导", 1), ("错分 x1, x4", 0), ("错分样本, 共 2 个", 1),
    ("输出均值 (x~N(0,1))", 1), ("值域 (0, 1) 内", 0), ("在 $f(x), x > 0$ 上", 0),
    ("勘误：题目有误。", 0), ("x ∈ (0, 1)", 0), ("ratio 3:1", 0),
])
def test_the_punctuation_check(text, n):
    assert len(check_punctuation(text)) == n, check_punctuation(text)


def test_texts_are_found():
    texts = _all_texts()
    assert len(texts) > 500, len(texts)  # the walk works: nndl has well over 500 Texts
    assert sum(bool(re.search(f"[{CJK}]", zh)) for _, zh, _ in texts) > 400


def test_every_text_uses_the_glossary_terms():
    new = sorted(_violations("terms") - KNOWN_TERMS)
    assert not new, "use the glossary's term:\n" + "\n".join(f"{f}: {c}" for f, c in new)


def test_chinese_sentences_take_chinese_punctuation():
    new = sorted(_violations("punctuation") - KNOWN_PUNCTUATION - ALLOWED_PUNCTUATION)
    assert not new, "Chinese punctuation in Chinese sentences:\n" + "\n".join(
        f"{f}: {c}" for f, c in new)
