"""Documents in text folders, or listed in a table (a column of paths relative to the table's folder), mixed
formats together: PDF (pypdf), DOCX (python-docx), HTML (the standard
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
from mlzero_jupyter.perception.document_paths import resolve
from mlzero_jupyter.perception.files import read_head
from mlzero_jupyter.perception.folders import TEXT_EXTENSIONS
from mlzero_jupyter.perception.tables import read_table
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

_LISTED = '''

def listed_paths(frame: pd.DataFrame, table_file: Path) -> pd.Series:
    """Where each document ``frame`` lists in DOCUMENT_COLUMN is: beside the table, else under DATA_DIR (where
    perception looked). A document in neither keeps its path beside the table: read_document skips it."""
    def find(name: str) -> Path:
        for folder in (table_file.parent, DATA_DIR):
            if (folder / name).is_file():
                return folder / name
        return table_file.parent / name

    return frame[DOCUMENT_COLUMN].astype(str).map(find)

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


def read_texts(paths: pd.Series, what: str) -> pd.Series:
    """The text of every document in ``paths`` (None where unreadable), and a count of those skipped."""
    texts = pd.Series([read_document(path) for path in paths], index=paths.index, dtype=object)
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


def formats(task: TaskSpec, folders: LabelledSource | None, column: str | None = None) -> set[str]:
    """The document formats in the task's text folders, or listed in ``column`` of its tables: pdf, docx, html,
    text."""
    if folders is None:
        names = [n for info in (task.train_file, task.test_file) for n in listed_names(task, info, column)]
        return {_format(Path(n)) for n in names if Path(n).suffix.lower() in TEXT_EXTENSIONS}
    found = set()
    for info in (folders.train, folders.test):
        if info is not None:
            found |= {_format(p) for p in task.absolute(info).rglob("*") if p.suffix.lower() in TEXT_EXTENSIONS}
    return found


def listed_names(task: TaskSpec, info: FileInfo | None, column: str) -> list[str]:
    """The document paths ``column`` of the table ``info`` lists, as written."""
    if info is None or column not in info.column_names:
        return []
    return [str(v) for v in read_table(task.absolute(info), info)[column].dropna()]


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    return "html" if suffix in HTML_EXTENSIONS else suffix[1:] if suffix in (".pdf", ".docx") else "text"


def modules(kinds: set[str]) -> list[str]:
    """The script's plain imports for these formats (the extras' imports are guarded in ``helpers``)."""
    return ["from html.parser import HTMLParser"] if "html" in kinds else []


def helpers(kinds: set[str], listed: bool = False) -> str:
    """The script's functions that list (in folders) or find (``listed`` in a table) and read the documents of
    these formats."""
    parts = [_LISTED if listed else
             _LIST.format(extensions=literal(sorted(TEXT_EXTENSIONS)).replace("[", "{").replace("]", "}"))]
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


def prepare_lines(has_test: bool, column: str | None = None) -> str:
    """Lines that read every document (in ``train["path"]``, or listed in ``column``) into ``text``: unreadable
    training documents are left out, unreadable test documents predicted from an empty text."""
    if column is None:
        lines = ["# One row per document: its text is the only feature. A document that cannot be read is left out of",
                 "# training; one to predict is predicted from an empty text."]
        paths = {frame: f'{frame}["path"]' for frame in ("train", "test")}
    else:
        lines = ["# Each row names a document file in DOCUMENT_COLUMN: its text, read by the file's format, is the",
                 '# "text" feature. A document that cannot be read (damaged, or not there) is left out of training;',
                 "# one to predict is predicted from an empty text."]
        paths = {"train": "listed_paths(train, TRAIN_FILE)", "test": "listed_paths(test, TEST_FILE)"}
    lines += [f'train["text"] = read_texts({paths["train"]}, "labelled documents")',
              'train = train.dropna(subset=["text"]).reset_index(drop=True)',
              "if train.empty:",
              '    raise SystemExit("none of the labelled documents could be read; see the warnings above")']
    if has_test:
        lines.append(f'test["text"] = read_texts({paths["test"]}, "documents to predict").fillna("")')
    return "\n".join(lines) + "\n"


def sample_texts(task: TaskSpec, folder: FileInfo, count: int, column: str | None = None) -> list[str]:
    """The text of about ``count`` documents spread over ``folder`` (or listed in ``column`` of that table), read as
    the script will read them (the first ``SAMPLE_CHARS`` characters of each; unreadable ones are left out)."""
    if column is None:
        paths = sorted(p for p in task.absolute(folder).rglob("*")
                       if p.is_file() and p.suffix.lower() in TEXT_EXTENSIONS)
    else:
        found = (resolve(Path(task.work_path), folder.path, name) for name in listed_names(task, folder, column))
        paths = [p for p in found if p is not None and p.suffix.lower() in TEXT_EXTENSIONS]
    texts = []
    for path in paths[:: max(1, len(paths) // count)][:count]:
        kind = _format(path)
        read = documents.read_document(path, kind, read_head(path, SAMPLE_CHARS * 4), SAMPLE_CHARS)
        texts.append(read.text)
    return [t for t in texts if t]
