"""The one zh/en text layer (issue 13 §2) and the package's import layering.

(a) every :class:`nndl.text.Text` reachable from a module's globals has both languages;
(b) no module brings back a zh/en mechanism of its own (``_l``, ``Note``, ``{"zh", "en"}``
    dicts, a ``Format`` enum per command);
(c) the import graph keeps its layers, and module-level imports have no cycle.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import sys
import types
from enum import Enum
from pathlib import Path

import pytest

import nndl
from nndl.text import Text

ROOT = Path(nndl.__file__).parent
SKIP_IMPORT = {"nndl.__main__"}  # importing it runs the command line


def _module_names() -> list[str]:
    names = ["nndl"]
    for info in pkgutil.walk_packages(nndl.__path__, "nndl."):
        names.append(info.name)
    return sorted(names)


def _source_files() -> dict[str, Path]:
    """Module name -> file, for every .py under nndl/ (the AST tests read these)."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _rel(path: Path) -> str:
    return path.relative_to(ROOT.parent).as_posix()


# ---------------------------------------------------------------- (a) every Text complete
def _texts_in(obj, where: str, found: dict[int, tuple[str, Text]], seen: set[int]) -> None:
    """Every Text reachable from ``obj`` through dicts, lists, tuples, sets, dataclass
    instances and nndl classes' attributes (modules and foreign objects are not entered)."""
    if id(obj) in seen:
        return
    if isinstance(obj, Text):
        found.setdefault(id(obj), (where, obj))
        return
    if isinstance(obj, str | bytes | int | float | complex | bool | types.ModuleType) or obj is None:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        for k, v in obj.items():
            _texts_in(v, f"{where}[{k!r}]", found, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for i, v in enumerate(obj):
            _texts_in(v, f"{where}[{i}]", found, seen)
    elif isinstance(obj, type):
        if obj.__module__.startswith("nndl") and not issubclass(obj, Enum):
            for name, v in vars(obj).items():
                if not name.startswith("__"):
                    _texts_in(v, f"{where}.{name}", found, seen)
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            _texts_in(getattr(obj, f.name, None), f"{where}.{f.name}", found, seen)


def _all_module_texts() -> dict[int, tuple[str, Text]]:
    found: dict[int, tuple[str, Text]] = {}
    seen: set[int] = set()
    for name in _module_names():
        if name in SKIP_IMPORT:
            continue
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("__"):
                continue
            owner = getattr(value, "__module__", name)
            if isinstance(value, type) and owner != name:
                continue  # a class imported from elsewhere is walked where it is defined
            _texts_in(value, f"{name}.{attr}", found, seen)
    return found


def test_every_module_text_has_both_languages():
    found = _all_module_texts()
    incomplete = [f"{where}: missing {t.missing()} in {t!r}" for where, t in found.values()
                  if t.missing()]
    assert not incomplete, "Texts without both languages:\n" + "\n".join(incomplete)
    # the tables of summary, viz, train, classic, deep, activations and the solutions'
    # renderer: if this finds only a few, the walk is broken and the test proves nothing
    assert len(found) >= 120, f"only {len(found)} Texts found in module globals"
    owners = {where.split("[")[0].rsplit(".", 1)[0] for where, _ in found.values()}
    for module in ("nndl.summary.render", "nndl.viz.report", "nndl.viz.diagram", "nndl.train",
                   "nndl.classic.render", "nndl.deep.render", "nndl.activations.render"):
        assert module in owners, f"no Text found in {module}'s globals"


def test_text_walk_sees_what_it_should():
    """The walker itself: nested containers, dataclass instances and nndl classes' attributes."""

    @dataclasses.dataclass
    class Holder:
        note: Text

    Table = type("Table", (), {"ROW": (Text("甲", "a"), {"k": [Holder(Text("", "b"))]}),
                               "__module__": "nndl.fake"})
    Foreign = type("Foreign", (), {"ROW": Text("丙", "c"), "__module__": "elsewhere"})
    found: dict = {}
    _texts_in({"x": Table, "y": [Text("乙", "")], "z": Foreign}, "m", found, set())
    assert sorted(t.en for _, t in found.values()) == ["", "a", "b"]
    assert sorted(tuple(t.missing()) for _, t in found.values()) == [(), ("en",), ("zh",)]


# ------------------------------------------------------- (b) no second zh/en mechanism
# A literal dict with exactly the keys zh and en is refused outside nndl/text.py, except
# where it writes a Text out ({"en": n.en, "zh": n.zh}: the summary's JSON keeps that key
# order) and in the JSON output code below
JSON_OUTPUT = {
    ("nndl/solutions/render.py", "to_json"),
}


def _qualnames(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node -> the dotted name of the function/class it is written in ('' at top)."""
    out: dict[ast.AST, str] = {}

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            out[child] = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, f"{scope}.{child.name}" if scope else child.name)
            else:
                visit(child, scope)

    visit(tree, "")
    return out


def _serialises_a_text(node: ast.Dict) -> bool:
    """``{"zh": t.zh, "en": t.en}`` (either order): a Text written out as JSON, not strings
    kept in a dict of their own."""
    bases = set()
    for k, v in zip(node.keys, node.values, strict=True):
        if not (isinstance(v, ast.Attribute) and isinstance(k, ast.Constant) and v.attr == k.value):
            return False
        bases.add(ast.dump(v.value))
    return len(bases) == 1


def _zh_en_mechanisms() -> list[str]:
    problems = []
    for _, path in _source_files().items():
        rel = _rel(path)
        if rel == "nndl/text.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        scopes = _qualnames(tree)
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "_l":
                problems.append(f"{where}: a function _l (use Text(zh, en)(lang))")
            if isinstance(node, ast.ClassDef):
                if node.name == "Note":
                    problems.append(f"{where}: a class Note (use nndl.text.Text)")
                if node.name == "Format" and rel != "nndl/report.py":
                    problems.append(f"{where}: a class Format (use nndl.report.Format)")
                fields = {s.target.id for s in node.body
                          if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
                if {"zh", "en"} <= fields:
                    problems.append(f"{where}: class {node.name} has zh and en fields "
                                    "(use nndl.text.Text)")
            if isinstance(node, ast.Dict) and len(node.keys) == 2 and {
                    k.value for k in node.keys if isinstance(k, ast.Constant)} == {"zh", "en"}:
                scope = scopes.get(node, "")
                if not _serialises_a_text(node) and not any(
                        rel == f and (scope == fn or scope.startswith(fn + "."))
                        for f, fn in JSON_OUTPUT):
                    problems.append(f"{where}: a dict with keys zh and en in {scope or 'module'} "
                                    "(use Text(zh, en))")
    return problems


def test_no_second_zh_en_mechanism():
    problems = _zh_en_mechanisms()
    assert not problems, "\n".join(problems)


def test_mechanism_scan_catches_each_kind(tmp_path, monkeypatch):
    """The scan itself finds each forbidden shape (so a pass means something)."""
    bad = tmp_path / "nndl"
    bad.mkdir()
    (bad / "__init__.py").write_text("")
    (bad / "text.py").write_text("X = {'zh': 1, 'en': 2}\n")  # allowed there
    (bad / "m.py").write_text(
        "from enum import StrEnum\n"
        "def _l(lang, zh, en):\n    return zh\n"
        "class Note:\n    en: str\n    zh: str\n"
        "class Format(StrEnum):\n    text = 'text'\n"
        "L = {'a': {'en': 'x', 'zh': 'y'}}\n"
        "def to_json(t, u):\n    return [{'en': t.en, 'zh': t.zh}, {'zh': t.zh, 'en': u.en}]\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", bad)
    found = _zh_en_mechanisms()
    # _l, Note, Note's fields, Format, the dict L, the dict mixing two Texts
    assert len(found) == 6, found
    assert all(p.startswith("nndl/m.py") for p in found)


# ------------------------------------------------------------------ (c) import layering
def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path, modules: set[str]) -> list[tuple[str, bool, int]]:
    """(imported nndl module, at module level?, line) for every import in the file; ``from
    nndl.x import y`` names nndl.x.y when that is a module, else nndl.x."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[str, bool, int]] = []

    def add(target: str, top: bool, line: int) -> None:
        if target == "nndl" or target.startswith("nndl."):
            out.append((target, top, line))

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for a in child.names:
                    add(a.name, top, child.lineno)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    parts = parts[:len(parts) - child.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                for a in child.names:
                    sub = f"{base}.{a.name}"
                    add(sub if sub in modules else base, top, child.lineno)
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                visit(child, False)  # never runs: not a runtime import
            else:
                visit(child, top)

    visit(tree, True)
    return out


def _graph() -> dict[str, list[tuple[str, bool, int]]]:
    files = _source_files()
    modules = set(files)
    return {m: _imports(m, p, modules) for m, p in files.items()}


def _in(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _violations(allowed_for, applies, known=frozenset()) -> list[str]:
    """Imports by modules ``applies`` accepts of targets ``allowed_for`` refuses, as
    readable lines; (module, target) pairs in ``known`` are left out."""
    out = []
    for m, imports in _graph().items():
        if not applies(m):
            continue
        for target, top, line in imports:
            if not allowed_for(target) and (m, target) not in known:
                out.append(f"{m}:{line} imports {target}" + ("" if top else " (in a function)"))
    return out


def test_engine_imports_only_the_engine_errors_and_text():
    bad = _violations(lambda t: _in(t, "nndl.engine", "nndl.errors", "nndl.text"),
                      lambda m: _in(m, "nndl.engine"))
    assert not bad, "\n".join(bad)


def test_nn_and_optim_import_only_lower_layers():
    # (the global generator that dropout and nn.init draw from is nndl.engine.random's)
    bad = _violations(
        lambda t: _in(t, "nndl.engine", "nndl.nn", "nndl.errors", "nndl.text", "nndl.report"),
        lambda m: _in(m, "nndl.nn", "nndl.optim"))
    assert not bad, "\n".join(bad)


# The layers above the worked solutions, which may use them: the package root, the command
# line, the answer checker (a student's answers against the answer keys), the exercise
# generator (variants with their keys) and the browser playground. Every other module is
# below and must not import nndl.solutions; a new module that needs them is added here.
ABOVE_SOLUTIONS = ("nndl.solutions", "nndl.commands", "nndl.cli", "nndl.__main__", "nndl.check",
                   "nndl.gen", "nndl.play")


def test_nothing_below_the_solutions_imports_them():
    bad = _violations(lambda t: not _in(t, "nndl.solutions"),
                      lambda m: m != "nndl" and not _in(m, *ABOVE_SOLUTIONS))
    assert not bad, "\n".join(bad)


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph, as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = dfs(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = dfs(node)
            if found:
                return found
    return None


def test_no_import_cycle_at_module_level():
    # (ops builds on tensor; nndl.engine.bind binds the op functions to Tensor after both)
    edges = {m: {t for t, top, _ in imports if top and t != m} for m, imports in _graph().items()}
    cycle = _cycle(edges)
    assert cycle is None, "module-level import cycle: " + " -> ".join(cycle)


def test_cycle_finder():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_summary_core_and_torch_bridge_do_not_import_each_other():
    g = _graph()
    assert not any(t == "nndl.summary.core" for t, _, _ in g["nndl.summary.torch_bridge"])
    assert any(t == "nndl.summary.torch_bridge" for t, _, _ in g["nndl.summary.core"])  # lazily
    edges = {m: {t for t, _, _ in imports if t != m} for m, imports in g.items()}
    sub = {m: {t for t in ts if _in(t, "nndl.summary")} for m, ts in edges.items()
           if _in(m, "nndl.summary")}
    assert _cycle(sub) is None  # function-level imports included


@pytest.mark.parametrize("module", ["nndl.activations.derive", "nndl.activations.report",
                                    "nndl.activations.render"])
def test_activations_do_not_import_the_solutions(module):
    g = _graph()
    assert not [t for t, _, _ in g[module] if _in(t, "nndl.solutions")]
