"""Format detection by content (magic bytes, then text sniffing) with the extension as a tie-breaker."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from mlzero_jupyter.errors import DataError

#: Bytes read from the start of a file to detect its format, encoding and delimiter.
SNIFF_BYTES = 256 * 1024

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
TABLE_EXTENSIONS = {".csv", ".tsv", ".tab", ".psv", ".dat", ".data", ".parquet", ".pq", ".feather", ".arrow",
                    ".xlsx", ".xlsm", ".xls", ".json", ".jsonl", ".ndjson", ".sqlite", ".sqlite3", ".db"}
#: The csv module's field limit while perception reads (a long text cell is ordinary data).
CSV_FIELD_LIMIT = 2**31 - 1
DELIMITERS = [",", ";", "\t", "|"]

_MAGIC = [
    (b"SQLite format 3\x00", "sqlite"),
    (b"PAR1", "parquet"),
    (b"ARROW1", "feather"),
    (b"FEA1", "feather"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"BM", "image"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ", "xz"),
    (b"\xd0\xcf\x11\xe0", "xls"),
    (b"%PDF", "pdf"),
]


@dataclass
class TextSniff:
    """What the start of a text file looks like."""

    encoding: str
    text: str  # the decoded sample (complete lines only, unless the file is shorter)
    complete: bool  # the sample is the whole file


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError as error:
        raise DataError(f"cannot read {path.name} ({error.strerror}); check its permissions") from error


def detect_format(path: Path, head: bytes) -> str:
    """csv/tsv/txt, parquet, feather, excel, xls, json, jsonl, sqlite, image, zip, tar, gzip, document, binary."""
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "excel" if suffix in (".xlsx", ".xlsm") or b"xl/" in head[:4096] else "zip"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if not head:
        return "empty"
    if looks_binary(head):
        return "binary"
    return _text_format(path, head)


def looks_binary(head: bytes) -> bool:
    """True for bytes that are not text in any encoding we read (UTF-16 has NULs but a recognisable pattern)."""
    if _utf16_codec(head):
        return False
    sample = head[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(sample) * 0.05


def _utf16_codec(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.7 and even.count(0) < len(even) * 0.1:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.7 and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be"
    return None


def _text_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    stripped = sniff_text(path, head).text.lstrip()
    if suffix in (".jsonl", ".ndjson") or (stripped.startswith("{") and _is_json_lines(stripped)):
        return "jsonl"
    if suffix == ".json" or stripped.startswith("["):
        return "json"
    if suffix in (".md", ".rst", ".html", ".htm"):
        return "document"
    if sniff_delimiter(stripped) is not None or suffix in (".csv", ".tsv"):  # a .csv may have one column
        return "tsv" if suffix == ".tsv" else "txt" if suffix == ".txt" else "csv"
    return "document"


def _is_json_lines(text: str) -> bool:
    lines = [line for line in text.splitlines()[:5] if line.strip()]
    return len(lines) >= 1 and all(line.strip().startswith("{") and line.strip().endswith("}") for line in lines)


def sniff_text(path: Path, head: bytes) -> TextSniff:
    """Decode the start of a text file: BOMs, UTF-16 without BOM, UTF-8, then charset-normalizer's best guess."""
    complete = len(head) < SNIFF_BYTES
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = _utf16_codec(head) or _utf8_or_guess(head)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head, final=complete)
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return TextSniff(encoding=encoding, text=text, complete=complete)


def _utf8_or_guess(head: bytes) -> str:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(head[:65536]).best()
    guess = best.encoding if best is not None else "latin_1"
    western = {"latin_1", "cp1252", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850", "ascii"}
    return "latin-1" if guess in western else guess


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    """The rows of ``text`` read as CSV, fields of any length (the csv module refuses fields over 128 KB unless
    told otherwise; the limit is raised for the whole process, which only ever widens what it accepts)."""
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def sniff_delimiter(text: str) -> str | None:
    """The delimiter giving the most consistent multi-field rows in the first lines, or None for prose."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    if not lines:
        return None
    best, best_score = None, 0.0
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv_rows("\n".join(lines), delimiter)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = consistent * min(counts[0], 50)
        if consistent >= 0.6 and score > best_score:
            best, best_score = delimiter, score
    return best
