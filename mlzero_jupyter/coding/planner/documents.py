"""Documents in text folders, mixed formats in one folder: PDF (pypdf), DOCX (python-docx), HTML (the standard
library's parser, visible text only), Markdown and plain text (read as they are).

The script imports only the extractors the folder's formats need; a missing one stops it with one line naming the
``documents`` extra. A file that cannot be read (a damaged PDF) is skipped with a warning and counted: left out of
training, predicted from an empty text. Images of documents are images: the image family takes them (no OCR).
"""

from __future__ import annotations

import inspect
from pathlib import Path

from mlzero_jupyter.coding.planner.labelled_folders import LabelledSource
from mlzero_jupyter.coding.planner.source import literal
from mlzero_jupyter.perception import documents
from mlzero_jupyter.perception.files import read_head
from mlzero_jupyter.perception.folders import TEXT_EXTENSIONS
from mlzero_jupyter.perception.spec import FileInfo, TaskSpec

HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
#: Characters of each sampled document the planner reads to decide how to tokenise the text.
SAMPLE_CHARS = 2000
#: Named in the script's message without an install command (the code policy blocks scripts that install).
EXTRA = "install the documents extra, mlzero-jupyter[documents]"

_LIST = '''
DOCUMENT_EXTENSIONS = {extensions}


def list_documents(folder: Path) -> list[Path]:
    """Every document under ``folder`` (by its extension), in a stable order."""
    return sorted(path for path in folder.rglob("*") if path.is_file() and path.suffix.lower() in DOCUMENT_EXTENSIONS)

'''

_IMPORT = '''
try:  # {what} (the documents extra)
    {statement}
except ImportError:
    raise SystemExit("{package} is not installed and the documents include {kind} files: "
                     "{extra}")

'''

_READ = '''

def read_document(path: Path) -> str | None:
    """A document's text by its format; None, with a warning, when the file cannot be read (a damaged PDF)."""
    suffix = path.suffix.lower()
    try:
{branches}
    except Exception as error:  # a damaged file raises whatever its parser raises
        print(f"WARNING: skipped {{path.name}}: it cannot be read ({{type(error).__name__}}: {{error}})")
        return None
    return text.strip()


def read_texts(frame: pd.DataFrame, what: str) -> pd.Series:
    """The text of every document in ``frame["path"]`` (None where unreadable), and a count of those skipped."""
    texts = pd.Series([read_document(path) for path in frame["path"]], index=frame.index, dtype=object)
    skipped = int(texts.isna().sum())
    empty = int((texts == "").sum())
    print(f"{{what}}: {{len(texts) - skipped}} of {{len(texts)}} documents read, {{skipped}} unreadable and skipped")
    if empty:
        print(f"WARNING: {{empty}} {{what}} hold no text (scanned pages are images: the image family reads them)")
    return texts
'''

_BRANCHES = {
    "pdf": ('suffix == ".pdf"', 'text = "\\n".join(page.extract_text() or "" for page in PdfReader(path).pages)'),
    "docx": ('suffix == ".docx"',
             'text = "\\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)'),
    "html": (f"suffix in ({', '.join(literal(e) for e in HTML_EXTENSIONS)})",
             'text = _visible_text(path.read_text(encoding="utf-8", errors="replace"))'),
}
_PLAIN = 'text = path.read_text(encoding="utf-8", errors="replace")  # plain text and Markdown, as they are'


def formats(task: TaskSpec, folders: LabelledSource) -> set[str]:
    """The document formats in the task's text folders: pdf, docx, html, text."""
    found = set()
    for info in (folders.train, folders.test):
        if info is not None:
            found |= {_format(p) for p in task.absolute(info).rglob("*") if p.suffix.lower() in TEXT_EXTENSIONS}
    return found


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    return "html" if suffix in HTML_EXTENSIONS else suffix[1:] if suffix in (".pdf", ".docx") else "text"


def modules(kinds: set[str]) -> list[str]:
    """The script's plain imports for these formats (the extras' imports are guarded in ``helpers``)."""
    return ["from html.parser import HTMLParser"] if "html" in kinds else []


def helpers(kinds: set[str]) -> str:
    """The script's functions that list and read the documents of these formats."""
    parts = [_LIST.format(extensions=literal(sorted(TEXT_EXTENSIONS)).replace("[", "{").replace("]", "}"))]
    if "pdf" in kinds:
        parts.append(_IMPORT.format(what="PDF text: pypdf", statement="from pypdf import PdfReader",
                                    package="pypdf", kind="PDF", extra=EXTRA))
    if "docx" in kinds:
        parts.append(_IMPORT.format(what="DOCX text: python-docx", statement="import docx",
                                    package="python-docx", kind="DOCX", extra=EXTRA))
    if "html" in kinds:  # perception's own reader of visible HTML text, so the script sees what perception saw
        parts.append("\n# HTML: the visible text only, read by the parser perception uses\n"
                     + inspect.getsource(documents._Visible) + "\n\n" + inspect.getsource(documents._visible_text))
    branches = [(condition, line) for kind, (condition, line) in _BRANCHES.items() if kind in kinds]
    lines = [f"        {'if' if i == 0 else 'elif'} {condition}:\n            {line}" for i, (condition, line)
             in enumerate(branches)]
    lines.append(f"        else:\n            {_PLAIN}" if branches else f"        {_PLAIN}")
    parts.append(_READ.format(branches="\n".join(lines)))
    return "".join(parts)


def prepare_lines(has_test: bool) -> str:
    """Lines that read every document into ``text``: unreadable training documents are left out, unreadable test
    documents predicted from an empty text."""
    lines = ["# One row per document: its text is the only feature. A document that cannot be read is left out of",
             "# training; one to predict is predicted from an empty text.",
             'train["text"] = read_texts(train, "labelled documents")',
             'train = train.dropna(subset=["text"]).reset_index(drop=True)',
             "if train.empty:",
             '    raise SystemExit("none of the labelled documents could be read; see the warnings above")']
    if has_test:
        lines.append('test["text"] = read_texts(test, "documents to predict").fillna("")')
    return "\n".join(lines) + "\n"


def sample_texts(task: TaskSpec, folder: FileInfo, count: int) -> list[str]:
    """The text of about ``count`` documents spread over ``folder``, read as the script will read them (the first
    ``SAMPLE_CHARS`` characters of each; unreadable ones are left out)."""
    paths = sorted(p for p in task.absolute(folder).rglob("*") if p.is_file() and p.suffix.lower() in TEXT_EXTENSIONS)
    texts = []
    for path in paths[:: max(1, len(paths) // count)][:count]:
        kind = _format(path)
        read = documents.read_document(path, kind, read_head(path, SAMPLE_CHARS * 4), SAMPLE_CHARS)
        texts.append(read.text)
    return [t for t in texts if t]
