"""A coder that returns prepared code, in order: the test seam for the agent loop and its front ends."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mlzero_jupyter.coding.base import CodeDraft, CodingContext

Script = str | Callable[[CodingContext], str]


class ScriptedCoder:
    """Attempt n gets ``scripts[n-1]`` (the last one repeats); a script may be a function of the context.

    Every context it was given is kept in ``contexts``, so tests can assert what a coder would have seen.
    """

    name = "scripted"

    def __init__(self, scripts: Sequence[Script], summaries: Sequence[str] | None = None) -> None:
        if not scripts:
            raise ValueError("ScriptedCoder needs at least one script")
        self.scripts = list(scripts)
        self.summaries = list(summaries or [])
        self.contexts: list[CodingContext] = []

    def write(self, context: CodingContext) -> CodeDraft:
        self.contexts.append(context)
        index = min(len(self.contexts), len(self.scripts)) - 1
        script = self.scripts[index]
        code = script(context) if callable(script) else script
        summary = self.summaries[index] if index < len(self.summaries) else f"scripted attempt {context.attempt}"
        return CodeDraft(code=code, summary=summary)
