"""Terminal tables of one line per row: every column but the last is printed whole, the last one (a task, a
summary) is shortened to what is left of the line; the columns named in ``shrink`` (a metric) give up cells first
when the last one would not fit otherwise. The same at 80 columns, in a wide terminal and when piped."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.control import strip_control_codes
from rich.text import Text

#: Spaces between two columns.
GAP = 2
#: The last column is left out when fewer cells than this remain for it (five characters and an ellipsis: at 80
#: columns the longest run ids, a status, a metric cut to its header, a score and "attempts" leave six or seven).
MIN_LAST_WIDTH = 6


def score_text(score: float | None) -> str:
    """A score as the tables show it (five significant digits), or an empty cell."""
    return "" if score is None else f"{score:.5g}"


def one_line(text: str) -> str:
    """The text on one line: whitespace runs (newlines included) become one space, control characters go."""
    return " ".join(strip_control_codes(text).split())


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int,
                right: Sequence[int] = (), shrink: Sequence[int] = ()) -> list[Text]:
    """The header and one line per row; the columns numbered in ``right`` are aligned right. The last column is
    shortened (with an ellipsis) to what is left of the line; when fewer than MIN_LAST_WIDTH cells are left, the
    columns numbered in ``shrink`` are shortened first (never below their header) to make room, and the last column
    is left out when that is not enough. The other columns are never cut, even when they alone are wider than
    ``width``."""
    cells = [[one_line(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(Text(cell).cell_len for cell in column) for column in zip(*cells)]
    room = width - sum(widths[:-1]) - GAP * (len(widths) - 1)
    needed = min(widths[-1], MIN_LAST_WIDTH) - room
    spare = {number: widths[number] - Text(cells[0][number]).cell_len for number in shrink}
    if 0 < needed <= sum(spare.values()):
        for number, cells_spare in spare.items():
            cut = min(needed, cells_spare)
            widths[number], room, needed = widths[number] - cut, room + cut, needed - cut
    if room < min(widths[-1], MIN_LAST_WIDTH):
        cells, widths = [row[:-1] for row in cells], widths[:-1]
    else:
        widths[-1] = min(widths[-1], room)

    def line(row: list[str]) -> Text:
        pieces = []
        for number, (cell, cell_width) in enumerate(zip(row, widths)):
            piece = Text(cell)
            piece.truncate(cell_width, overflow="ellipsis")  # only the last and the shrinkable columns are cut
            piece.align("right" if number in right else "left", cell_width)
            pieces.append(piece)
        text = Text(" " * GAP).join(pieces)
        text.rstrip()
        return text

    header, *body = [line(row) for row in cells]
    header.stylize("bold")
    return [header, *body]


def print_table(console: Console, headers: Sequence[str], rows: Sequence[Sequence[str]],
                right: Sequence[int] = (), shrink: Sequence[int] = ()) -> None:
    """Print the table at the console's width (80, or ``COLUMNS``, when piped), never wrapping a row."""
    console.print(Text("\n").join(table_lines(headers, rows, console.width, right, shrink)), soft_wrap=True,
                  highlight=False)
