"""The calculator on any model: its real forward pass, observed with forward hooks.

A pre-hook and a forward hook on every module (PyTorch's for a PyTorch model, nndl's own
for an nndl model) record each call in the order it happens, its depth (how many modules
are running around it) and the shapes that go in and come out, whatever their structure
(tensors, tuples, lists, dicts). :func:`build` turns the calls into the table's rows:

- a module called twice appears at each call; a container appears before what it runs
  and its children are indented below it, as torchinfo prints them;
- every parameter is counted once, in the row of the first module that holds it (one
  registered on a container is the container's); a parameter two modules hold (tied
  weights) or a module run twice says so in its row; modules that forward() never calls
  still hold parameters and are listed at the end, so the column adds up to the model's
  own count, which is checked;
- a layer with a formula (nndl's layers, :mod:`nndl.summary.formulas`) gets it with its
  numbers, compared with the measured shape; any other module is marked "measured, no
  formula".

Nothing here knows PyTorch: :mod:`nndl.summary.torch_bridge` gives the hooks a PyTorch
model, :mod:`nndl.summary.core` an nndl one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nndl import nn
from nndl.errors import NNDLError
from nndl.nn.module import Formula, LayerShapeError
from nndl.summary import formulas, hints
from nndl.summary.rows import LayerRow, Summary, SummaryError, _first, torchinfo_mult_adds
from nndl.text import Text


# ------------------------------------------------------------------ recording
def shapes_of(x: Any, is_tensor: Callable[[Any], bool], depth: int = 0) -> Any:
    """The shape structure of a forward's inputs or outputs: a tensor's shape as a tuple,
    lists for tuples and lists, dicts for dicts, None for anything else."""
    if is_tensor(x):
        return tuple(int(n) for n in x.shape)
    if depth > 8:
        return None
    if isinstance(x, dict):
        return {str(k): shapes_of(v, is_tensor, depth + 1) for k, v in x.items()}
    if isinstance(x, tuple | list):
        return [shapes_of(v, is_tensor, depth + 1) for v in x]
    return None


def first_shape(struct: Any) -> tuple[int, ...] | None:
    """The first tensor's shape in a structure (what the table's shape column shows)."""
    return _first(struct)


def all_shapes(struct: Any) -> list[tuple[int, ...]]:
    if isinstance(struct, tuple):
        return [struct]
    items = struct.values() if isinstance(struct, dict) else struct if isinstance(struct, list) \
        else ()
    return [s for v in items for s in all_shapes(v)]


@dataclass
class Call:
    module: Any
    path: str  # where the model holds it ("" for the model itself)
    depth: int
    call: int  # 1 at its first call, 2 at its second ...
    inputs: Any  # shape structure of the positional and keyword arguments
    output: Any = None
    finished: bool = False


class Tracer:
    """``with Tracer(model, is_tensor) as t: model(...)`` records ``t.calls``; on leaving,
    every hook is removed, whatever happened."""

    def __init__(self, named: list[tuple[str, Any]], is_tensor: Callable[[Any], bool]):
        self.named = named
        self.is_tensor = is_tensor
        self.calls: list[Call] = []
        self.stack: list[Call] = []
        self.counts: Counter[int] = Counter()
        self.handles: list[Any] = []
        self.blind: set[int] = set()  # modules that take no hooks (TorchScript)
        self.paths = {id(m): p for p, m in reversed(named)}  # the first name of a shared one

    def __enter__(self) -> Tracer:
        self.blind.clear()
        for _, m in self.named:
            try:
                pre = m.register_forward_pre_hook(self._pre, with_kwargs=True)
            except (RuntimeError, TypeError, AttributeError):
                self.blind.add(id(m))
                continue
            self.handles.append(pre)
            self.handles.append(m.register_forward_hook(self._post))
        return self

    def __exit__(self, *exc: object) -> None:
        for h in self.handles:
            h.remove()
        self.handles.clear()

    def _pre(self, module: Any, args: tuple, kwargs: dict) -> None:
        self.counts[id(module)] += 1
        inputs = shapes_of(list(args) + ([kwargs] if kwargs else []), self.is_tensor)
        c = Call(module, self.paths.get(id(module), "?"), len(self.stack),
                 self.counts[id(module)], inputs)
        self.calls.append(c)
        self.stack.append(c)

    def _post(self, module: Any, args: tuple, output: Any) -> None:
        # the innermost running call of this module (a module may run inside itself)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].module is module:
                c = self.stack.pop(i)
                c.output = shapes_of(output, self.is_tensor)
                c.finished = True
                break

    def failed_in(self) -> Call | None:
        """The innermost module still running when the forward raised."""
        return self.stack[-1] if self.stack else None


def forward_error(tracer: Tracer, exc: BaseException, what: Text) -> SummaryError:
    """A forward that raises is reported with the module it raised in, the shape that
    reached it and the exception's message (and, for a layer whose input size is one of its
    hyper-parameters, the two sizes that disagree). The exception's own message (PyTorch's,
    or the model's) is quoted as it is, after nndl's sentence in the reader's language."""
    where = tracer.failed_in()
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if len(msg) > 300:
        msg = msg[:300] + "…"
    error = type(exc).__name__
    if where is not None:
        name, kind = where.path or type(where.module).__name__, type(where.module).__name__
        place = Text(f"模块 '{name}'（{kind}）", f"in module '{name}' ({kind})")
    else:
        place = Text("模型的 forward()", "in the model's forward")
    shown = detail = Text("", "")
    hint = Text("模型的 forward() 在这个输入上出错：对照 forward() 的要求检查 input_size"
                "（或 input_data 和 dtypes）",
                "the model's forward() fails on this input; check input_size (or input_data and "
                "dtypes) against what forward() expects")
    got = all_shapes(where.inputs) if where is not None else []
    if got:
        sizes = ", ".join("×".join(map(str, s)) for s in got[:4])
        shown = Text(f"（它的输入：{sizes}）", f" (its input: {sizes})")
        m, x = where.module, got[0]  # type: ignore[union-attr]
        kind = type(m).__name__
        c_in = getattr(m, "in_channels", None)
        f_in = getattr(m, "in_features", None)
        if isinstance(c_in, int) and len(x) >= 2 and x[1] != c_in:
            detail = Text(f"；它要求 in_channels = {c_in:,}，到达它的输入却有 {x[1]:,} 个通道",
                          f"; it expects in_channels = {c_in:,}, but the input reaching it has "
                          f"{x[1]:,} channels")
            hint = Text(f"改用 {kind}({x[1]}, {m.out_channels}, …)，或让它前面的层输出 {c_in} "
                        "个通道",
                        f"use {kind}({x[1]}, {m.out_channels}, …) or make the layer before it "
                        f"output {c_in} channels")
        elif isinstance(f_in, int) and x and x[-1] != f_in:
            flat = math.prod(x[1:])
            detail = Text(f"；它要求 in_features = {f_in:,}，到达它的输入却有 {x[-1]:,} 个特征",
                          f"; it expects in_features = {f_in:,}, but the input reaching it has "
                          f"{x[-1]:,} features")
            hint = (Text(f"在 Flatten 之后用 {kind}({flat}, {m.out_features})",
                         f"use {kind}({flat}, {m.out_features}) after a Flatten") if len(x) > 2
                    else Text(f"改用 {kind}({x[-1]}, {m.out_features})",
                              f"use {kind}({x[-1]}, {m.out_features})"))
    return SummaryError(Text(f"{what.zh}时，{place.zh}抛出了 {error}{shown.zh}{detail.zh}。原始信息：{msg}",
                             f"{what.en} raised {error} {place.en}{shown.en}{detail.en}: {msg}"),
                        hint=hint)


# ------------------------------------------------------------------ rows
NO_FORMULA = Text(zh="没有公式，是实测值：形状和参数量都来自真实的前向传播",
                  en="measured, no formula: shape and parameters from the real forward pass")


def _own(module: Any) -> list[tuple[str, Any]]:
    return [(n, p) for n, p in module.named_parameters(recurse=False)] \
        if hasattr(module, "named_parameters") else []


def _own_buffers(module: Any) -> int:
    return sum(math.prod(b.shape) for _, b in module.named_buffers(recurse=False))


def _children(module: Any) -> bool:
    return any(True for _ in module.children())


@dataclass
class Describer:
    """How a framework's module gets its formula: ``standin(m)`` gives the nndl layer whose
    ``describe`` explains it (the layer itself for nndl, an equivalent built on the meta
    device for PyTorch), or None; otherwise :func:`formulas.formula` is tried."""

    standin: Callable[[Any], Any]
    numel: Callable[[Any], int]
    requires_grad: Callable[[Any], bool]


def _formula_row(m: Any, inp: tuple[int, ...] | None, out: tuple[int, ...] | None,
                 d: Describer) -> tuple[Any, str] | None:
    """(ShapeInfo-like result, source) for a leaf call, or None."""
    if inp is None or out is None:
        return None
    ours = d.standin(m)
    if ours is not None and len(inp) >= 2:
        try:
            info = hints.describe(ours, tuple(inp[1:]), True)  # PyTorch floors: so do we
        except (LayerShapeError, NNDLError):
            info = None
        if info is not None and tuple(info.out_shape) == tuple(out[1:]) and (
                info.formulas or type(m).__name__ not in formulas.COMPUTED):
            return info, "nndl"
    try:
        r = formulas.formula(m, inp)
    except formulas.NoFormula:
        return None
    return r, "table"


MAX_CALLS = 100_000  # rows of one table (a recurrent cell in a loop of 10^5 steps is past it)


def build(calls: list[Call], named: list[tuple[str, Any]], model: Any, d: Describer, *,
          source: str, input_shapes: list[tuple[int, ...]], mult_adds: str,
          floor: bool, blind: set[int] | None = None) -> Summary:
    if len(calls) > MAX_CALLS:
        raise SummaryError(Text(f"前向传播调用了 {len(calls):,} 次模块，nndl 的表最多列 {MAX_CALLS:,} 行",
                                f"the forward pass made {len(calls):,} module calls; nndl's table "
                                f"shows at most {MAX_CALLS:,}"),
                           hint=Text("只汇总模型的一部分，或用更短的输入序列",
                                     "summarise a part of the model, or a shorter input sequence"))
    counted: dict[int, str] = {}  # id(parameter) -> the row that counts it
    names: dict[int, str] = {}  # id(module) -> its row name
    bases: Counter[str] = Counter()
    rows: list[LayerRow] = []
    root = model
    called = {id(c.module) for c in calls}
    # the model itself is a row only when it holds parameters of its own (as InsideModel)
    show_root = bool(_own(root)) or _own_buffers(root) > 0 or not _children(root)

    def row_name(m: Any, leaf: bool) -> str:
        if id(m) not in names:
            base = type(m).__name__
            if leaf:  # the textbook's name when nndl has the layer: Conv, FC, MaxPool, BN
                ours = d.standin(m) or getattr(nn, base, None)
                base = getattr(ours, "summary_name", None) or base
            bases[base] += 1
            names[id(m)] = f"{base}-{bases[base]}"
        return names[id(m)]

    def own_counts(m: Any, name: str, first: bool) -> tuple[int, int, list[Text]]:
        params = trainable = 0
        notes: list[Text] = []
        if not first:
            n = sum(d.numel(p) for _, p in _own(m))
            if n:
                notes.append(Text(zh=f"同一模块再次调用：它的 {n:,} 个参数只在第一次调用处计数",
                                  en=f"the same module called again: its {n:,} parameters are "
                                     "counted at its first call"))
            return 0, 0, notes
        shared = []
        for pname, p in _own(m):
            if id(p) in counted:
                shared.append((pname, counted[id(p)], d.numel(p)))
                continue
            counted[id(p)] = name
            params += d.numel(p)
            trainable += d.numel(p) if d.requires_grad(p) else 0
        for pname, other, n in shared:
            notes.append(Text(zh=f"{pname}（{n:,} 个参数）与 {other} 共享，只计一次",
                              en=f"{pname} ({n:,} parameters) is shared with {other}: counted "
                                 "once"))
        return params, trainable, notes

    seen_first: set[int] = set()
    for c in calls:
        m = c.module
        if m is root and not show_root:
            continue
        depth = c.depth if show_root else c.depth - 1
        leaf = not _children(m)
        name = row_name(m, leaf)
        first = id(m) not in seen_first
        seen_first.add(id(m))
        params, trainable, notes = own_counts(m, name, first)
        out = first_shape(c.output)
        inp = first_shape(c.inputs)
        row = LayerRow(name, type(m).__name__, inp or (), out or (), 0, params, trainable, 0,
                       [], notes, c.path or type(m).__name__)
        row.depth, row.container, row.call = depth, not leaf, c.call
        row.batch_included = True
        row.buffers = _own_buffers(m) if first else 0
        row.output_shapes = c.output
        if not c.finished:
            row.notes.append(Text(zh="前向传播没有正常结束", en="the forward pass did not finish"))
        if leaf:
            _attach_formula(row, m, inp, out, d, first)
            if mult_adds == "torchinfo":
                row.mult_adds = torchinfo_mult_adds(type(m).__name__, _own(m), out, d.numel)
        elif params:
            row.notes.append(Text(
                zh="参数注册在这个容器模块本身上：" + "、".join(n for n, _ in _own(m)),
                en="parameters registered on this container itself: "
                   + ", ".join(n for n, _ in _own(m))))
        rows.append(row)
    # modules forward() never called still hold parameters: listed, so the total adds up
    for path, m in named:
        if id(m) in called or (m is root and not show_root):
            continue
        own = _own(m)
        leaf = not _children(m)
        if not own and not leaf and not _own_buffers(m):
            continue
        name = row_name(m, leaf)
        params, trainable, notes = own_counts(m, name, True)
        depth = path.count(".") + (1 if path and show_root else 0)
        row = LayerRow(name, type(m).__name__, (), (), 0, params, trainable, 0, [], notes, path)
        row.depth, row.container, row.call, row.not_called = depth, not leaf, 0, True
        row.batch_included = True
        row.buffers = _own_buffers(m)
        if blind and id(m) in blind:
            row.notes.append(Text(zh="无法观察这个模块（TorchScript 模块不能挂前向钩子）；"
                                     "它的参数计入总数",
                                  en="this module cannot be observed (a TorchScript module takes "
                                     "no forward hooks); its parameters are in the total"))
        else:
            row.notes.append(Text(zh="forward() 没有调用这个模块（它的参数仍属于模型，计入总数）",
                                  en="forward() does not call this module (its parameters still "
                                     "belong to the model and are in the total)"))
        rows.append(row)
    return _totals(rows, model, d, source, input_shapes, mult_adds, floor)


def _attach_formula(row: LayerRow, m: Any, inp: tuple[int, ...] | None,
                    out: tuple[int, ...] | None, d: Describer, first: bool) -> None:
    found = _formula_row(m, inp, out, d)
    real = sum(d.numel(p) for _, p in _own(m))
    if found is None:
        row.measured = True
        row.notes.insert(0, NO_FORMULA)
        return
    info, kind = found
    batch = inp[0] if (kind == "nndl" and inp) else 1
    predicted = (tuple((inp or ())[:1]) + tuple(info.out_shape)) if kind == "nndl" else \
        tuple(info.out_shape)
    row.formulas = list(info.formulas)
    row.notes += list(getattr(info, "notes", []))
    row.neurons = info.neurons
    row.mult_adds = info.mult_adds * batch
    if predicted != tuple(out or ()):
        row.measured = True
        row.notes.append(Text(
            zh=f"公式给出 {'×'.join(map(str, predicted))}，前向传播得到 "
               f"{'×'.join(map(str, out or ()))}：表中用实测值",
            en=f"the formula gives {'×'.join(map(str, predicted))} but the forward pass gave "
               f"{'×'.join(map(str, out or ()))}: the table shows the measured shape"))
    if info.params != real:
        row.measured = True
        row.notes.append(Text(
            zh=f"公式计得 {info.params:,} 个参数，模块实有 {real:,}：表中用实际数",
            en=f"the formula counts {info.params:,} parameters, the module holds {real:,}: "
               "the table shows the real count"))


def _totals(rows: list[LayerRow], model: Any, d: Describer, source: str,
            input_shapes: list[tuple[int, ...]], mult_adds: str, floor: bool) -> Summary:
    unique = {id(p): p for p in model.parameters()}  # the model's own count, ties once
    total = sum(d.numel(p) for p in unique.values())
    trainable = sum(d.numel(p) for p in unique.values() if d.requires_grad(p))
    if sum(r.params for r in rows) != total or sum(r.trainable for r in rows) != trainable:
        counted, counted_t = sum(r.params for r in rows), sum(r.trainable for r in rows)
        raise SummaryError(
            Text(f"内部核对失败：各行共计 {counted:,} 个参数（可训练 {counted_t:,}），"
                 f"模型却有 {total:,}（{trainable:,}）",
                 f"internal check failed: the rows count {counted:,} parameters "
                 f"({counted_t:,} trainable), the model has {total:,} ({trainable:,})"),
            hint=Text("请报告这个模型：nndl 不会显示错误的总数",
                      "please report this model: nndl shows no wrong total"))
    leaves = [r for r in rows if not r.container]
    bpv = 4
    s = Summary(input_shapes[0] if input_shapes else (), rows, total, trainable,
                sum(r.neurons for r in leaves), sum(r.mult_adds for r in leaves), total * bpv,
                sum(r.output_elements for r in leaves if r.output_shape) * bpv, bpv, floor,
                False, source)
    s.batch_included = True
    s.input_shapes = list(input_shapes)
    s.total_buffers = sum(math.prod(b.shape) for b in model.buffers())
    s.mult_adds_convention = mult_adds
    seen: dict[int, int] = {}
    for m in model.modules():
        for p in m.parameters(recurse=False):
            seen[id(p)] = seen.get(id(p), 0) + 1
    s.shared_params = sum(d.numel(unique[i]) for i, k in seen.items() if k > 1 and i in unique)
    return s


_VALUES_HINT = Text("forward() 的行为取决于输入的数值：请给出 input_data",
                   "forward() depends on the values of its input; pass input_data")


def check_shapes(rows_a: list[Call], rows_b: list[Call]) -> None:
    """--verify: the real forward's calls against the shape-only pass's, one by one."""
    if len(rows_a) != len(rows_b):
        raise SummaryError(Text(f"--verify：真实的前向传播调用了 {len(rows_b)} 次模块，只推算形状的"
                                f"那一次却是 {len(rows_a)} 次",
                                f"--verify: the real forward pass made {len(rows_b)} module calls, "
                                f"the shape-only pass {len(rows_a)}"), hint=_VALUES_HINT)
    for a, b in zip(rows_a, rows_b, strict=True):
        if a.module is not b.module or a.output != b.output:
            raise SummaryError(Text(f"--verify：模块 '{a.path}' 只推算形状时输出 {a.output}，真实"
                                    f"运行时却输出 {b.output}",
                                    f"--verify: module '{a.path}' gave {a.output} in the "
                                    f"shape-only pass but {b.output} in the real forward pass"),
                               hint=_VALUES_HINT)


__all__ = ["Call", "Describer", "Formula", "Tracer", "build", "check_shapes", "first_shape",
           "forward_error", "shapes_of"]
