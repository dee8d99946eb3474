"""`mlzero knowledge list|search`: the tools and snippets of the knowledge base, and what retrieval returns."""

from __future__ import annotations

import argparse

HELP = "List the knowledge base, or search it as the agent would."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="tools (importable here or not) and their snippets")
    listing.add_argument("--path", action="append", default=[], help="an extra knowledge folder (repeatable)")
    search = actions.add_parser("search", help="the snippets retrieval returns for a query")
    search.add_argument("query", help="words to search for, e.g. 'forecast known covariates'")
    search.add_argument("--task", help="a data folder: perceive it and rank with task-aware boosts")
    search.add_argument("--description", help="the goal in a sentence, used with --task")
    search.add_argument("--tool", help="the selected tool, e.g. autogluon.tabular (boosts its snippets)")
    search.add_argument("--budget", type=int, default=3000, help="token budget (default 3000)")
    search.add_argument("--show", action="store_true", help="print the snippets' text")
    search.add_argument("--path", action="append", default=[], help="an extra knowledge folder (repeatable)")


def run(args: argparse.Namespace) -> int:
    return _list(args) if args.action == "list" else _search(args)


def _list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from mlzero_jupyter.memory.environment import detect_environment
    from mlzero_jupyter.memory.knowledge import load_knowledge

    knowledge = load_knowledge(args.path)
    environment = detect_environment(check_hub=False)
    table = Table("tool", "importable", "problem types", "snippets", "folder")
    for tool in knowledge.tools.values():
        table.add_row(tool.name, "yes" if environment.can_import(tool.import_name) else "no",
                      ", ".join(tool.problem_types), str(len(knowledge.snippets_of(tool.name))), tool.folder)
    console = Console(width=max(Console().width, 140))
    console.print(table)
    for tool in knowledge.tools.values():
        console.print(f"[bold]{tool.name}[/bold]")
        for snippet in knowledge.snippets_of(tool.name):
            console.print(f"  {snippet.title}  ({snippet.tokens} tokens)", highlight=False)
    return 0


def _search(args: argparse.Namespace) -> int:
    from mlzero_jupyter.errors import UserInputError
    from mlzero_jupyter.memory.knowledge import load_knowledge
    from mlzero_jupyter.memory.semantic import retrieve

    if args.budget <= 0:
        raise UserInputError("--budget must be a positive number of tokens")
    task = None
    if args.task:
        from mlzero_jupyter.perception import perceive

        task = perceive(args.task, args.description)
        print(f"task: {task.problem_type.value} on {task.modality.value} data, target {task.target.value!r}")
    snippets = retrieve(task, args.query, budget_tokens=args.budget, tool=args.tool,
                        knowledge=load_knowledge(args.path))
    if not snippets:
        print("no snippet matches")
        return 0
    for snippet in snippets:
        print(f"{snippet.score:7.3f}  {snippet.tokens:5d} tokens  [{snippet.tool}] {snippet.title}")
        if args.show:
            print(f"\n{snippet.text}\n")
    print(f"{sum(s.tokens for s in snippets)} of {args.budget} tokens")
    return 0
