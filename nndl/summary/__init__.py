"""The architecture calculator: ``nndl.summary(model_or_spec, input_size=None, verify=False,
floor=False, *, input_data=None, dtypes=None, mult_adds="nndl")`` gives per-layer shapes,
neurons, parameters, mult-adds and the formulas behind them, for a text spec, an nndl
model or a PyTorch model.

A spec is a chain, computed from the formulas (:mod:`nndl.summary.core`); any model is
followed through its own forward pass with forward hooks (:mod:`nndl.summary.trace`;
PyTorch models shape-only on the meta device, :mod:`nndl.summary.torch_bridge`), its
layers explained by nndl's layers and :mod:`nndl.summary.formulas`.

``nndl.summary`` is both this package and the function: calling the module calls
:func:`summary`.
"""

from __future__ import annotations

import sys
import types

from nndl.summary.core import spec_model, summary
from nndl.summary.render import print_table, to_json, to_markdown
from nndl.summary.rows import LayerRow, Summary, SummaryError, parse_input_size
from nndl.summary.spec import SpecError, parse

__all__ = ["summary", "Summary", "LayerRow", "SummaryError", "SpecError", "parse",
           "parse_input_size", "spec_model", "print_table", "to_json", "to_markdown"]


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs) -> Summary:
        return summary(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
