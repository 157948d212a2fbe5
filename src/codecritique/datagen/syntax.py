"""Syntax checks with tree-sitter (the paper's Stage 2b tool) for Python and C++.

The grammars come from the ``tree-sitter-python`` and ``tree-sitter-cpp`` wheels (bundled, offline); one parser per
language and thread is made on first use. :func:`syntax_error` returns None for code that parses without ERROR or
MISSING nodes, else a short description of the first one (``line 3: ERROR``).
"""

from __future__ import annotations

import threading
from typing import Any

_local = threading.local()


def _parser(language: str) -> Any:
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    if language not in parsers:
        from tree_sitter import Language, Parser

        if language == "python":
            import tree_sitter_python as grammar
        elif language == "cpp":
            import tree_sitter_cpp as grammar
        else:
            raise ValueError(f"no tree-sitter grammar for {language!r} (python, cpp)")
        parsers[language] = Parser(Language(grammar.language()))
    return parsers[language]


def syntax_error(code: str, language: str) -> str | None:
    tree = _parser(language).parse(code.encode("utf-8", "surrogateescape"))
    root = tree.root_node
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            kind = f"MISSING {node.type}" if node.is_missing else "ERROR"
            return f"line {node.start_point[0] + 1}: {kind}"
        if node.has_error:
            stack.extend(reversed(node.children))
    return "syntax error"
