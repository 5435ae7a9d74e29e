"""``Module``, ``Parameter`` and ``Sequential``, with PyTorch's names and state_dict keys.

Every layer also knows, from an input shape alone, its output shape and parameter
count and how to explain them (:meth:`Module.describe`). The architecture summary
(:mod:`nndl.summary`) is built from exactly these methods, and the forward pass of
the same classes checks them (``summary(..., verify=True)``): one source of truth.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nndl.engine.tensor import Tensor, _to_arguments, float32
from nndl.errors import ShapeError
from nndl.text import Text


class LayerShapeError(ShapeError):
    """A layer cannot take the given input shape (kernel too big, stride does not divide...).

    The message says what failed with the formula and its numbers; the summary adds
    *where* (spec line, layer name) before it reaches the user.

    Args:
        message (str): what failed, with the formula and its numbers.
        hint (str, optional, keyword only): the fix, shown on a line of its own.
            Default: ``None``

    Examples::

        >>> nn.Conv2d(3, 6, 5, stride=2).describe((3, 32, 32))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        nndl.nn.module.LayerShapeError: Conv2d: the stride does not divide: W2 = H2 = (W1 − F + 2P)/S + 1 = (32 − 5 + 2·0)/2 + 1 = 14.5 is not a whole number
        Hint: an input of 31 gives ... stride=1 gives 27/1 + 1 = 28; ...
    """


# ---------------------------------------------------------------- meta device
_meta = threading.local()


@contextlib.contextmanager
def meta_device():
    """Build layers without allocating weights (as PyTorch's ``device="meta"``).

    Parameters become zero-stride read-only views with the right shape and dtype, so a
    VGG-sized model can be described in microseconds; it cannot be trained.

    Examples::

        >>> with nn.meta_device():
        ...     m = nn.Linear(25088, 4096)  # VGG-16's first fc layer, no 400 MB allocated
        >>> m.weight.shape, m.weight.is_meta
        ((4096, 25088), True)
        >>> m.describe((25088,)).params
        102764544
    """
    prev = getattr(_meta, "on", False)
    _meta.on = True
    try:
        yield
    finally:
        _meta.on = prev


def _is_meta(device: str | None) -> bool:
    return device == "meta" or (device is None and getattr(_meta, "on", False))


def empty(shape: tuple[int, ...], dtype=float32, device: str | None = None) -> np.ndarray:
    """Storage for a parameter or buffer; on the meta device it occupies no memory."""
    dtype = np.dtype(dtype or float32)
    if _is_meta(device):
        return np.broadcast_to(np.zeros((), dtype=dtype), shape)
    return np.empty(shape, dtype=dtype)


class Parameter(Tensor):
    """A tensor that a :class:`Module` registers as trainable (``requires_grad=True``), as
    ``torch.nn.Parameter``: assigning one to an attribute of a module adds it to
    ``parameters()`` and ``state_dict()``.

    Args:
        data (Tensor or array, optional): the values; a Tensor's array (or a float32
            array) is shared, not copied. Default: an empty float32 tensor
        requires_grad (bool, optional): whether backward computes its gradient (and so
            whether the optimisers change it). Default: ``True``

    Examples::

        >>> p = nn.Parameter(nndl.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
        >>> m = nn.Module()
        >>> m.scale = p
        >>> [name for name, _ in m.named_parameters()]
        ['scale']
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True):
        if data is None:
            data = np.empty((0,), dtype=float32)
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=requires_grad)

    @property
    def is_meta(self) -> bool:
        return self.data.size > 0 and 0 in self.data.strides and not self.data.flags.writeable

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


# ------------------------------------------------------------- explanations
def fmt(n: Any) -> str:
    """Numbers as the textbook prints them: thousands separated, floats without noise."""
    if isinstance(n, bool):
        return str(n)
    if isinstance(n, int | np.integer):
        return f"{int(n):,}"
    if isinstance(n, float | np.floating):
        f = float(n)
        return f"{int(f):,}" if f.is_integer() else f"{f:,.4g}"
    return str(n)


@dataclass
class Formula:
    """``name = expr = substituted = value``, e.g. ``W2 = (W1 − F + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55``.

    One line of a layer's explanation (:meth:`Module.describe`); ``str()`` leaves out a
    part that repeats the one before it.

    Args:
        name (str): what it computes, e.g. ``'W2 = H2'`` or ``'params'``.
        expr (str): the formula in the textbook's letters.
        substituted (str): the formula with the layer's numbers (``''`` when none).
        value: the result.

    Examples::

        >>> print(nn.Formula("params", "F·F·D1·K + K", "11·11·3·96 + 96", 34944))
        params = F·F·D1·K + K = 11·11·3·96 + 96 = 34,944
        >>> print(nn.Formula("D2", "K", "", 96))
        D2 = K = 96
    """

    name: str
    expr: str
    substituted: str
    value: Any

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str = "en") -> str:
        """The line in ``lang``: a word name (``params``) in that language, symbols as they are.

            >>> nn.Formula("params", "F·F·D1·K + K", "11·11·3·96 + 96", 34944).text("zh")
            '参数量 = F·F·D1·K + K = 11·11·3·96 + 96 = 34,944'
        """
        head, _, rest = self.name.partition(" ")
        name = _FORMULA_NAMES[head](lang) + (" " + rest if rest else "") if head in _FORMULA_NAMES \
            else self.name
        if lang == "zh" and rest == "(a table lookup)":
            name = _FORMULA_NAMES[head](lang) + "（查表）"
        parts = [name, self.expr]
        if self.substituted and self.substituted != self.expr:
            parts.append(self.substituted)
        value = fmt(self.value)
        if parts[-1].replace(",", "") != value.replace(",", ""):
            parts.append(value)
        return " = ".join(parts)


# the word names a Formula may carry; every other name is a symbol (W2, D2, L2, out)
_FORMULA_NAMES = {
    "neurons": Text("神经元数", "neurons"),
    "params": Text("参数量", "params"),
    "mult-adds": Text("乘加次数", "mult-adds"),
}


# A remark in both languages (a warning, an assumption the calculator made) is the one
# zh/en type, nndl.text.Text; ``Note`` stays as its name here for ``nndl.nn.Note``.
Note = Text


@dataclass
class ShapeInfo:
    """What a layer does to one input shape (PyTorch order, without the batch dimension).

    The result of :meth:`Module.describe`, and one row of ``nndl.summary``.

    Args:
        in_shape (tuple): the shape of one input sample, e.g. (D1, H1, W1).
        out_shape (tuple): the shape of one output sample.
        params (int): the number of parameters. Default: 0
        trainable (int): how many of them require a gradient. Default: 0
        mult_adds (int): multiply-adds per sample. Default: 0
        neurons (int): new units the textbook counts (conv, fc, pool). Default: 0
        formulas (list of Formula): how the numbers were computed. Default: none
        notes (list of Text): remarks in both languages (e.g. a size rounded down).
            Default: none

    Examples::

        >>> info = nn.Conv2d(3, 96, 11, stride=4).describe((3, 227, 227))  # AlexNet conv1
        >>> info.out_shape, info.params, info.neurons
        ((96, 55, 55), 34944, 290400)
        >>> print(info.formulas[0])
        W2 = H2 = (W1 − F + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55
    """

    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    params: int = 0
    trainable: int = 0
    mult_adds: int = 0
    neurons: int = 0  # new units the textbook counts (conv, fc, pool); 0 for activations
    formulas: list[Formula] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)


def shape_text(shape: tuple[int, ...]) -> str:
    """Textbook order W×H×D for an image (PyTorch stores C×H×W), N for a vector."""
    if len(shape) == 3:
        c, h, w = shape
        return f"{w}×{h}×{c}"
    return "×".join(str(n) for n in shape)


# ------------------------------------------------------------------- Module
class Module:
    """Base class of every layer and model, as ``torch.nn.Module``.

    Assigning a :class:`Parameter`, a :class:`Module` or (through
    :meth:`register_buffer`) an array to an attribute registers it, in order; that
    order gives ``state_dict()`` the same keys PyTorch produces.

    A subclass calls ``super().__init__()`` first, then assigns its layers and defines
    :meth:`forward`; calling the module runs ``forward`` and then the forward hooks.
    ``train()`` and ``eval()`` switch :class:`Dropout` and batch norm between their two
    behaviours. :meth:`describe` gives a layer's output shape and parameter count from
    an input shape alone, with the formulas (the layers of nndl.nn define it).

    Args:
        None.

    Examples::

        >>> class Net(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.conv = nn.Conv2d(1, 4, 3)
        ...         self.fc = nn.Linear(4 * 26 * 26, 10)
        ...
        ...     def forward(self, x):
        ...         return self.fc(self.conv(x).relu().flatten(1))
        >>> net = Net()
        >>> net(nndl.randn(2, 1, 28, 28)).shape
        (2, 10)
        >>> list(net.state_dict())
        ['conv.weight', 'conv.bias', 'fc.weight', 'fc.bias']
        >>> sum(p.numel() for p in net.parameters())
        27090
    """

    summary_name: str | None = None  # the textbook's name in a summary (Conv, FC, MaxPool ...)

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError("call super().__init__() before assigning attributes of a Module")
        if isinstance(value, Parameter | Module):
            for store in (self.__dict__, params, self._buffers, self._modules):
                store.pop(name, None)
            (params if isinstance(value, Parameter) else self._modules)[name] = value
        elif name in self._buffers:
            self._buffers[name] = value if value is None or isinstance(value, Tensor) else Tensor(value)
        elif name in params or name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} to '{name}', which holds a "
                                "parameter or module (assign an nn.Parameter, a Module or None)")
            (params if name in params else self._modules)[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            s = d.get(store)
            if s is not None and name in s:
                return s[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        self._buffers[name] = None if tensor is None else (
            tensor if isinstance(tensor, Tensor) else Tensor._wrap(np.asarray(tensor)))
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False) -> _HookHandle:
        """``hook(module, args, output)`` runs after every forward call, as in PyTorch; a
        result that is not ``None`` replaces the output. ``with_kwargs=True`` calls
        ``hook(module, args, kwargs, output)``; ``prepend=True`` runs it before the hooks
        already registered; ``always_call=True`` runs it even when forward raises."""
        return _add_hook(self._forward_hooks, hook, prepend,
                         (with_kwargs, always_call))

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> _HookHandle:
        """``hook(module, args)`` runs before every forward call, as in PyTorch; a result that
        is not ``None`` replaces the positional arguments (a single value is wrapped in a
        tuple). ``with_kwargs=True`` calls ``hook(module, args, kwargs)``, whose result, if
        any, is the pair ``(args, kwargs)``."""
        return _add_hook(self._forward_pre_hooks, hook, prepend, (with_kwargs, False))

    # ------------------------------------------------------------- calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        hooks = self.__dict__.get("_forward_hooks")
        pre = self.__dict__.get("_forward_pre_hooks")
        if not hooks and not pre:  # the common path: no hook, no cost
            return self.forward(*args, **kwargs)
        for hook, (with_kwargs, _) in list((pre or {}).values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        try:
            out = self.forward(*args, **kwargs)
        except BaseException:
            for hook, (with_kwargs, always) in list((hooks or {}).values()):
                if always:  # as PyTorch: told with output None, the error goes on
                    with contextlib.suppress(Exception):
                        hook(self, args, kwargs, None) if with_kwargs else hook(self, args, None)
            raise
        for hook, (with_kwargs, _) in list((hooks or {}).values()):
            result = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
            if result is not None:
                out = result
        return out

    # ------------------------------------------------------------ traversal
    def named_modules(self, memo: set | None = None, prefix: str = "") -> Iterator[tuple[str, Module]]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mp, m in mods:
            for name, p in m._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mp}.{name}" if mp else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mp, m in mods:
            for name, b in m._buffers.items():
                if b is not None:
                    yield (f"{mp}.{name}" if mp else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], None]) -> Module:
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> Module:
        object.__setattr__(self, "training", bool(mode))
        for m in self.children():
            m.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget accumulated gradients (``None`` by default, as PyTorch 2)."""
        for p in self.parameters():
            if set_to_none or p._grad is None:
                p._release_grad()
            else:
                p._grad[...] = 0

    # --------------------------------------------------------------- dtypes
    def to(self, *args: Any, dtype: Any = None, device: Any = None,
           non_blocking: bool = False) -> Module:
        """Convert floating-point parameters and buffers, in place (``model.double()``), as
        ``torch.nn.Module.to``: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
        ``to(tensor)``; nndl computes on the CPU, so the device "cpu" changes nothing."""
        dtype = _to_arguments(args, dtype, device)
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and p.data.dtype.kind == "f" and p.data.dtype != dtype:
                    p.data = p.data.astype(dtype)
                    p._grad = None if p._grad is None else p._grad.astype(dtype)
            for b in m._buffers.values():
                if b is not None and b.data.dtype.kind == "f":
                    b.data = b.data.astype(dtype)
        return self

    def double(self) -> Module:
        return self.to(np.float64)

    def cpu(self) -> Module:
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    # ----------------------------------------------------------- state dict
    def state_dict(self, prefix: str = "") -> OrderedDict[str, Tensor]:
        """Parameters then buffers of each module, depth first: PyTorch's keys and order."""
        out: OrderedDict[str, Tensor] = OrderedDict()
        self._save_to(out, prefix)
        return out

    def _save_to(self, out: dict, prefix: str) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m._save_to(out, prefix + name + ".")

    def load_state_dict(self, state_dict: dict, strict: bool = True):
        """Copy values in place (arrays, nndl or torch tensors); shapes must match exactly."""
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise ShapeError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}",
                hint="the two models must have the same architecture (same layer order and names)")
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if hasattr(value, "detach") and not isinstance(value, Tensor):  # torch.Tensor
                value = value.detach().cpu().numpy()
            value = value.data if isinstance(value, Tensor) else np.asarray(value)
            if tuple(value.shape) != tuple(target.shape):
                raise ShapeError(f"load_state_dict: '{key}' has shape {tuple(value.shape)} here "
                                 f"{tuple(target.shape)} in the model",
                                 hint="check the layer sizes (in/out channels, features)")
            owner = self._owner_of(key)
            if target.data.flags.writeable:
                target.data[...] = value  # in place: optimisers keep pointing at it
            else:  # a meta parameter gets real storage
                owner.data = np.array(value, dtype=target.data.dtype)
        return _IncompatibleKeys(missing, unexpected)

    def _owner_of(self, key: str) -> Tensor:
        *path, name = key.split(".")
        m: Module = self
        for p in path:
            m = m._modules[p]
        return m._parameters[name] if name in m._parameters else m._buffers[name]

    # ---------------------------------------------------------------- shapes
    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        """Output shape, parameter count and mult-adds for one sample of ``in_shape``,
        with the formulas that give them. Raises :class:`LayerShapeError` when the shape
        cannot work (``floor=True`` accepts a stride that does not divide, as PyTorch)."""
        raise LayerShapeError(f"{type(self).__name__} cannot describe its output shape",
                              hint="the calculator supports the layers of nndl.nn; "
                                   "run a forward pass instead")

    def _param_counts(self) -> tuple[int, int]:
        total = trainable = 0
        for p in self.parameters():
            n = int(np.prod(p.shape))
            total += n
            trainable += n if p.requires_grad else 0
        return total, trainable

    # ----------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        head = type(self).__name__ + "("
        if not lines:
            return head + ")"
        if len(lines) == 1 and not self._modules:
            return head + lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return list(super().__dir__()) + list(self._parameters) + list(self._modules) + list(self._buffers)


_hook_ids = itertools.count()  # one key per registration, never reused (as torch's handles)


def _add_hook(store: OrderedDict, hook: Callable, prepend: bool, flags: tuple[bool, bool]
              ) -> _HookHandle:
    key = next(_hook_ids)
    store[key] = (hook, flags)
    if prepend:
        store.move_to_end(key, last=False)
    return _HookHandle(store, key)


class _HookHandle:
    """What ``register_forward_hook`` returns: ``remove()`` (or leaving a ``with`` block)
    unregisters the hook; removing twice is harmless, as PyTorch's ``RemovableHandle``."""

    def __init__(self, store: dict, key: Any):
        self.store, self.key = store, key
        self.id = key

    def remove(self) -> None:
        self.store.pop(self.key, None)

    def __enter__(self) -> _HookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


@dataclass
class _IncompatibleKeys:
    missing_keys: list[str]
    unexpected_keys: list[str]


class Sequential(Module):
    """Modules applied one after the other; keys ``0``, ``1``, ... as in PyTorch.

    As ``torch.nn.Sequential``: the output of each module is the input of the next.
    ``nndl.summary`` explains a Sequential layer by layer from the layers' own
    :meth:`describe`.

    Args:
        *modules (Module): the layers in order, named ``'0'``, ``'1'``, ...; or one
            dict (e.g. an ``OrderedDict``) of name → module.

    Shape:
        - Input: whatever the first module takes
        - Output: whatever the last module gives

    Examples::

        >>> model = nn.Sequential(
        ...     nn.Conv2d(1, 20, 5),
        ...     nn.ReLU(),
        ...     nn.Conv2d(20, 64, 5),
        ...     nn.ReLU(),
        ... )
        >>> model(nndl.randn(1, 1, 28, 28)).shape
        (1, 64, 20, 20)
        >>> model[0]
        Conv2d(1, 20, kernel_size=(5, 5), stride=(1, 1))
        >>> len(model), list(model.state_dict())[:2]
        (4, ['0.weight', '0.bias'])
        >>> named = nn.Sequential({"conv1": nn.Conv2d(1, 20, 5), "relu1": nn.ReLU()})
        >>> named
        Sequential(
          (conv1): Conv2d(1, 20, kernel_size=(5, 5), stride=(1, 1))
          (relu1): ReLU()
        )
    """

    def __init__(self, *modules: Module):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self._modules)), module)
        return self

    def __getitem__(self, idx):
        if isinstance(idx, slice):  # keeps the original keys, as PyTorch
            return Sequential(dict(list(self._modules.items())[idx]))
        return list(self._modules.values())[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleList(Module):
    """Holds modules in a list, as ``torch.nn.ModuleList``: they are registered (their
    parameters appear in ``parameters()`` and ``state_dict()`` under ``0``, ``1``, ...),
    but unlike :class:`Sequential` the list has no ``forward`` of its own.

    Args:
        modules (iterable of Module, optional): the modules to add. Default: none

    Examples::

        >>> layers = nn.ModuleList([nn.Linear(10, 10) for _ in range(3)])
        >>> x = nndl.randn(4, 10)
        >>> for layer in layers:
        ...     x = layer(x).relu()
        >>> x.shape, len(layers)
        ((4, 10), 3)
        >>> list(layers.state_dict())[:2]
        ['0.weight', '0.bias']
    """

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def __getitem__(self, idx: int) -> Module:
        return list(self._modules.values())[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())
