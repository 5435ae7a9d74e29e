"""Exercise variants with answer keys, for teachers (``nndl gen``).

The module is callable: ``nndl.gen(5, count=3, seed=42)`` is ``nndl.gen.generate(...)``.

>>> import nndl
>>> [v.id for v in nndl.gen(5, count=2, seed=42, difficulty="easy")]
['5-g1-s42-i0-easy', '5-g1-s42-i1-easy']
>>> from nndl.gen import generate, from_id
>>> v = generate(5, count=3, seed=42, difficulty="easy")[0]
>>> v.id
'5-g1-s42-i0-easy'
>>> from_id(v.id) == v.params
True

Each :class:`Variant` carries the exercise's ``Params`` (``nndl solve``'s parameter names),
the problem in both languages, the answer key under ``nndl solve``'s answer keys, and for
each key the wrong answers a named mistake of :mod:`nndl.check` gives. Every exercise of
the sheet (1–6) has a generator.
"""

import sys
import types

from nndl.gen.core import (
    DIFFICULTIES,
    GENERATED,
    GENERATOR,
    MAX_COUNT,
    GenError,
    Variant,
    VariantId,
    answer_text,
    from_id,
    generate,
    parse_id,
    variant,
)

__all__ = ["DIFFICULTIES", "GENERATED", "GENERATOR", "MAX_COUNT", "GenError", "Variant",
           "VariantId", "answer_text", "from_id", "generate", "parse_id", "variant"]


class _CallableModule(types.ModuleType):
    """``nndl.gen(N, count=, seed=, difficulty=)``: the variants as data (see :func:`generate`)."""

    def __call__(self, number: int, count: int = 10, seed: int = 0,
                 difficulty: str = "standard") -> list[Variant]:
        return generate(number, count=count, seed=seed, difficulty=difficulty)


sys.modules[__name__].__class__ = _CallableModule
