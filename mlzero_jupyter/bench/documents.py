"""Text written as real documents for the suite: PDF (fpdf2: Helvetica for Latin-1 text, else the DejaVu font
matplotlib ships, embedded, so any Unicode line is kept), DOCX (python-docx), HTML, Markdown and plain text; one
paragraph per line of the text."""

from __future__ import annotations

import html
from pathlib import Path

#: The formats a document can be written in, by extension.
FORMATS = (".pdf", ".docx", ".html", ".md", ".txt")
PAGE_TEMPLATE = ('<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Conversation</title>\n'
                 "<style>p {{ margin: 0 0 0.5em; }}</style></head>\n<body>\n{body}\n</body>\n</html>\n")


def write_document(path: Path, text: str) -> None:
    """``text`` as a document of the format ``path``'s extension names (one of ``FORMATS``)."""
    lines = [line for line in text.splitlines() if line.strip()]
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        _pdf(path, lines)
    elif suffix == ".docx":
        _docx(path, lines)
    elif suffix == ".html":
        body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
        path.write_text(PAGE_TEMPLATE.format(body=body), encoding="utf-8")
    elif suffix == ".md":
        path.write_text("# Conversation\n\n" + "".join(f"- {line}\n" for line in lines), encoding="utf-8")
    elif suffix == ".txt":
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        raise ValueError(f"cannot write a {suffix} document; formats: {', '.join(FORMATS)}")


def _pdf(path: Path, lines: list[str]) -> None:
    import matplotlib
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    if all(ord(character) < 256 for line in lines for character in line):
        pdf.set_font("Helvetica", size=11)  # a core font: nothing to embed, ten times faster to write
    else:
        pdf.add_font("DejaVu", fname=str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"))
        pdf.set_font("DejaVu", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def _docx(path: Path, lines: list[str]) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Conversation", level=1)
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
