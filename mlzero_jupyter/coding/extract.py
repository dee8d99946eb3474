"""Getting the script out of a model's reply: fenced or not, one block or several."""

from __future__ import annotations

import ast
import re

from mlzero_jupyter.errors import ProviderError

_FENCE = re.compile(r"^[ \t]*(```|~~~)[ \t]*([\w+.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_PYTHON_TAGS = {"", "python", "py", "python3", "ipython"}
_CODE_START = re.compile(r"^(import |from \S+ import |#|def |class |[A-Za-z_][\w.]*\s*=|if __name__|with |for |try:)")


def code_blocks(reply: str) -> list[tuple[str, str]]:
    """Every fenced block as (language tag, body), in order; an unclosed last fence runs to the end."""
    return [(m.group(2).lower(), m.group(3).rstrip() + "\n") for m in _FENCE.finditer(reply)]


def extract_code(reply: str) -> str:
    """The script in ``reply``.

    Python blocks (untagged included) count, shell or JSON blocks do not. One block: that one. Several: the
    main one when a single block is a complete script (it parses, imports, and holds most of the code);
    otherwise all blocks joined in order, as parts of one script. No fence: the reply from its first line
    that looks like code. Raises ProviderError when the reply holds no code at all.
    """
    blocks = [body for tag, body in code_blocks(reply) if tag in _PYTHON_TAGS and body.strip()]
    if len(blocks) == 1:
        return blocks[0]
    if blocks:
        main = _main_block(blocks)
        return main if main is not None else "\n".join(block.rstrip() + "\n" for block in blocks)
    lines = reply.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if _CODE_START.match(line)), None)
    if start is None:
        raise ProviderError("the model's reply contains no Python code")
    return "\n".join(lines[start:]).rstrip() + "\n"


def _main_block(blocks: list[str]) -> str | None:
    total = sum(len(b) for b in blocks)
    complete = [b for b in blocks if _parses(b) and re.search(r"^(import|from) ", b, re.MULTILINE)
                and len(b) >= 0.6 * total]
    return complete[0] if len(complete) == 1 else None


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True
