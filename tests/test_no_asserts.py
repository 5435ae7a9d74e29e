"""Library code raises nndl errors, never ``assert`` (project issue 13 §2).

An ``assert`` vanishes under ``python -O`` and, when it fires, shows a bare
AssertionError without what failed or how to fix it. User errors are
:class:`nndl.errors.NNDLError` subclasses with a hint; internal consistency checks
raise ``NNDLError("internal: ... please report this")``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nndl

PACKAGE = Path(nndl.__file__).parent


def test_library_code_has_no_assert_statements() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50  # the whole package is scanned
    found = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                  for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert not found, ("assert statements in library code (raise an nndl error instead): "
                       + ", ".join(found))
