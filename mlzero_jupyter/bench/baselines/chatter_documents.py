"""Expert baseline: chatter_documents (each document's text, extracted by its format, as one text column;
AutoGluon's n-gram features). PDF through pypdf, DOCX through python-docx, HTML's visible text through the
standard library's parser, Markdown and plain text as they are."""

from html.parser import HTMLParser
from pathlib import Path

import docx
import pandas as pd
from pypdf import PdfReader

from mlzero_jupyter.bench.baselines.expert import arguments, class_folders, tabular


class PageText(HTMLParser):
    """The text between tags, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skipping = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skipping = False

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def extract(path: Path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".docx":
        return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
    if path.suffix == ".html":
        page = PageText()
        page.feed(path.read_text(encoding="utf-8"))
        return "\n".join(page.parts)
    return path.read_text(encoding="utf-8")


def texts(paths: list[Path]) -> pd.DataFrame:
    return pd.DataFrame({"document": [p.name for p in paths], "text": [extract(p) for p in paths]})


if __name__ == "__main__":
    folder, budget = arguments()
    train, test = class_folders(folder, "", "topic", texts)
    tabular(train, test, "topic", "document", "accuracy", budget)
