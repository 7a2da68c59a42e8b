"""What a model reads of an item: a text's text, or a code item's code without its docstrings.

Docstrings are taken out of code before it is embedded: HumanEval-style code carries its own
docstring, and comparing a docstring with code that contains it would measure nothing.
"""

from __future__ import annotations

import ast
import logging

import pandas as pd

log = logging.getLogger(__name__)

_DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def strip_docstrings(code: str) -> str:
    """Python code with every module, class and function docstring removed.

    Code that does not parse is returned unchanged (it is still worth embedding).

    >>> strip_docstrings('def f():\\n    "Add one."\\n    return 1\\n')
    'def f():\\n    return 1'
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        log.debug("code does not parse; embedded with its docstrings")
        return code
    for node in ast.walk(tree):
        if not isinstance(node, _DOCUMENTED) or not node.body:
            continue
        first = node.body[0]
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def item_texts(
    text_catalog: pd.DataFrame, code_catalog: pd.DataFrame, keep_docstrings: bool = False
) -> dict[str, str]:
    """Item id → the text a model reads, for every text and code item."""
    texts = dict(zip(text_catalog["item_id"], text_catalog["text"], strict=True))
    codes = code_catalog["code"] if keep_docstrings else code_catalog["code"].map(strip_docstrings)
    texts.update(zip(code_catalog["item_id"], codes, strict=True))
    return texts
