"""The text of description files beside the data (README, Markdown, HTML, PDF, DOCX): read, capped, never executed.

HTML keeps its visible text only (no scripts, no styles); PDF needs pypdf and DOCX needs python-docx (the
``documents`` extra): without them the file is skipped with a note.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from mlzero_jupyter.perception.files import sniff_text

#: Characters of document text kept per input, all documents together.
DOCUMENT_CHARS = 20_000
PDF_PAGES = 20
#: Larger PDF and DOCX files (or a DOCX whose text part unpacks larger) are not opened.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_EXTRA = "pip install 'mlzero-jupyter[documents]'"


@dataclass
class DocumentText:
    text: str = ""
    note: str = ""  # why nothing was read


def document_kind(path: Path, fmt: str) -> str | None:
    """'text', 'html', 'pdf' or 'docx' for a description file of that detected format, else None."""
    suffix = path.suffix.lower()
    if fmt == "document":
        return "html" if suffix in (".html", ".htm") else "text"
    if fmt == "pdf":
        return "pdf"
    if fmt == "zip" and suffix == ".docx":
        return "docx"
    return None


def read_document(path: Path, kind: str, head: bytes, limit: int = DOCUMENT_CHARS) -> DocumentText:
    """At most ``limit`` characters of the document's text; ``head`` holds its first bytes."""
    if kind in ("text", "html"):
        text = sniff_text(path, head[: limit * 4]).text
        return DocumentText((_visible_text(text) if kind == "html" else text)[:limit])
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        return DocumentText(note=f"{path.name} was not read: larger than {MAX_DOCUMENT_BYTES // 2 ** 20} MB")
    reader = _pdf_text if kind == "pdf" else _docx_text
    try:
        return reader(path, limit)
    except ImportError:
        package = "pypdf" if kind == "pdf" else "python-docx"
        return DocumentText(note=f"{path.name} was not read: {package} is not installed ({_EXTRA})")
    except Exception as error:  # damaged files raise whatever their parser raises
        return DocumentText(note=f"{path.name} was not read: {type(error).__name__}")


def _pdf_text(path: Path, limit: int) -> DocumentText:
    from pypdf import PdfReader

    parts: list[str] = []
    for page in PdfReader(path).pages[:PDF_PAGES]:
        parts.append(page.extract_text() or "")
        if sum(map(len, parts)) >= limit:
            break
    return DocumentText("\n".join(parts)[:limit])


def _docx_text(path: Path, limit: int) -> DocumentText:
    import docx

    with zipfile.ZipFile(path) as archive:
        unpacked = sum(i.file_size for i in archive.infolist() if i.filename.startswith("word/"))
    if unpacked > MAX_DOCUMENT_BYTES:
        return DocumentText(note=f"{path.name} was not read: its text unpacks to more than "
                                 f"{MAX_DOCUMENT_BYTES // 2 ** 20} MB")
    parts: list[str] = []
    for paragraph in docx.Document(str(path)).paragraphs:
        parts.append(paragraph.text)
        if sum(map(len, parts)) >= limit:
            break
    return DocumentText("\n".join(parts)[:limit])


class _Visible(HTMLParser):
    """Text a browser would show: scripts, styles and comments are dropped, never run."""

    _HIDDEN = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in self._HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in self._HIDDEN and self._hidden > 0

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def _visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)
