"""Expressions as computational graphs: a safe parser (no ``eval``) and a tracer that runs
the forward and backward pass through the engine and records every value, gradient and
chain-rule step, as a textbook figure shows them.

>>> from nndl.expr import trace
>>> t = trace("(x+y)^2*z", x=1, y=2, z=-6)
>>> [s.text for s in t.forward]
['q = x + y = 1 + 2 = 3', 'p = q² = 3² = 9', 'f = p·z = 9·(−6) = −54']
"""

from nndl.expr.errors import (
    ExprDomainError,
    ExprError,
    ExprSyntaxError,
    ExprValueError,
    UnknownFunctionError,
)
from nndl.expr.graph import BackwardStep, ForwardStep, GraphNode, GraphTrace, evaluate, trace
from nndl.expr.parser import (
    FUNCTIONS,
    KNOWN_FUNCTIONS,
    Node,
    Num,
    Op,
    Var,
    parse,
    to_sympy,
    variables,
)

__all__ = [
    "trace", "evaluate", "parse", "to_sympy", "variables", "GraphTrace", "GraphNode",
    "ForwardStep", "BackwardStep", "Node", "Num", "Var", "Op", "FUNCTIONS", "KNOWN_FUNCTIONS",
    "ExprError", "ExprSyntaxError", "UnknownFunctionError", "ExprValueError", "ExprDomainError",
]
