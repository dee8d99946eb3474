"""Walk the input with os.scandir: image and text folders (class sub-folders or flat), mask folders, loose files.

Large folders are counted, never opened file by file: a few images are sampled for their size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mlzero_jupyter.perception.files import IMAGE_EXTENSIONS, read_head, sniff_delimiter, sniff_text
from mlzero_jupyter.perception.profile import name_words
from mlzero_jupyter.perception.spec import FileInfo, FileRole

#: Documents a text folder may hold, mixed: plain text, Markdown, HTML, PDF and DOCX (the last two need the
#: ``documents`` extra to be read).
TEXT_EXTENSIONS = {".txt", ".text", ".md", ".markdown", ".rst", ".html", ".htm", ".xhtml", ".pdf", ".docx"}
MASK_WORDS = {"mask", "masks", "annotation", "annotations", "gt", "groundtruth", "segmentation", "seg", "labels",
              "label", "trimaps", "trimap"}
SPLIT_WORDS = {"train", "training", "test", "testing", "val", "valid", "validation", "dev", "images", "image", "imgs",
               "img", "masks", "mask", "data"}
IMAGES_SAMPLED = 3
#: Marks a working folder whose top-level links were made (and checked) by ``archives.resolve_input``.
LINKED_MARKER = ".mlzero-linked"


@dataclass
class Listing:
    """The direct content of one folder, by kind."""

    path: Path
    files: list[os.DirEntry] = field(default_factory=list)
    folders: list[os.DirEntry] = field(default_factory=list)

    def count(self, extensions: set[str]) -> int:
        return sum(1 for f in self.files if os.path.splitext(f.name)[1].lower() in extensions)

    def media_kind(self) -> str | None:
        """'image' or 'text' when (nearly) all files are of that kind and there are no sub-folders."""
        if self.folders or not self.files:
            return None
        for kind, extensions in (("image", IMAGE_EXTENSIONS), ("text", TEXT_EXTENSIONS)):
            if self.count(extensions) >= 0.9 * len(self.files):
                return kind
        return None


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)  # loose files to inspect one by one
    folders: list[FileInfo] = field(default_factory=list)  # image, mask and text folders


def list_folder(path: Path, roots: tuple[str, ...] = ()) -> Listing:
    """The folder's entries; with ``roots``, a symbolic link is followed only when it resolves inside one of them
    (a ``README.txt`` linking to ``~/.ssh/id_rsa`` is skipped, never read)."""
    listing = Listing(path)
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name.startswith((".", "__MACOSX", "__pycache__")):
                continue
            if roots and entry.is_symlink() and not _inside_any(os.path.realpath(entry.path), roots):
                continue
            if entry.is_dir():
                listing.folders.append(entry)
            elif entry.is_file():
                listing.files.append(entry)
    listing.files.sort(key=lambda e: e.name)
    listing.folders.sort(key=lambda e: e.name)
    return listing


def walk(root: Path) -> Walk:
    """Find media folders and loose files under ``root``, following no symbolic link out of it (nor, in a
    working folder of links made by ``archives.resolve_input``, out of the folders those links name)."""
    found = Walk()
    _visit(root, root, found, link_roots(root))
    pair_masks(found.folders, root)
    return found


def link_roots(root: Path) -> tuple[str, ...]:
    """The folders symbolic links under ``root`` may point into."""
    roots = [os.path.realpath(root)]
    if (root / LINKED_MARKER).exists():
        roots += [os.path.realpath(e.path) for e in os.scandir(root) if e.is_symlink()]
    return tuple(roots)


def _inside_any(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _visit(folder: Path, root: Path, found: Walk, roots: tuple[str, ...]) -> None:
    listing = list_folder(folder, roots)
    rel = folder.relative_to(root).as_posix()
    children = [list_folder(Path(f.path), roots) for f in listing.folders]
    kinds = {c.media_kind() for c in children}
    class_names = [c.path.name for c in children]
    if children and len(kinds) == 1 and None not in kinds and len(children) >= 2 \
            and not set(w for n in class_names for w in name_words(n)) & SPLIT_WORDS:
        kind = kinds.pop()
        found.folders.append(_media_info(rel, kind, [f for c in children for f in c.files], class_names))
        children = []
    else:
        kind = _flat_media_kind(listing)
        if kind:
            media = IMAGE_EXTENSIONS if kind == "image" else TEXT_EXTENSIONS
            entries = [f for f in listing.files if os.path.splitext(f.name)[1].lower() in media]
            found.folders.append(_media_info(rel, kind, entries, []))
            listing.files = [f for f in listing.files if f not in entries]
    found.files.extend(Path(f.path) for f in listing.files)
    for child in children:
        _visit(child.path, root, found, roots)


def _flat_media_kind(listing: Listing) -> str | None:
    images, texts = listing.count(IMAGE_EXTENSIONS), listing.count(TEXT_EXTENSIONS)
    if images >= 2 and images >= 0.5 * len(listing.files):
        return "image"
    if texts >= 3 and texts >= 0.8 * len(listing.files) and not _looks_like_tables(listing):
        return "text"
    return None


def _looks_like_tables(listing: Listing) -> bool:
    first = next((f for f in listing.files if f.name.lower().endswith(".txt")), None)
    if first is None:
        return False
    path = Path(first.path)
    return sniff_delimiter(sniff_text(path, read_head(path, 8192)).text) is not None


def _media_info(rel: str, kind: str, entries: list[os.DirEntry], classes: list[str]) -> FileInfo:
    role = FileRole.IMAGE_FOLDER if kind == "image" else FileRole.TEXT_CORPUS
    sampled = [entries[i * len(entries) // IMAGES_SAMPLED] for i in range(min(IMAGES_SAMPLED, len(entries)))]
    size = sum(e.stat().st_size for e in sampled) * len(entries) // max(len(sampled), 1)
    info = FileInfo(rel, role=role, format=f"{kind}_folder", size_bytes=size, file_count=len(entries),
                    classes=classes)
    info.note = _image_note(sampled) if kind == "image" else ("one folder per class" if classes else
                                                              "one file per document")
    return info


def _image_note(sampled: list[os.DirEntry]) -> str:
    try:
        from PIL import Image
    except ImportError:  # Pillow is optional: the folder is still usable, only its image size is unknown
        return ""
    shapes = []
    for entry in sampled:
        try:
            with Image.open(entry.path) as image:
                shapes.append(f"{image.width}x{image.height} {image.mode}")
        except OSError:
            shapes.append("unreadable")
    return "sampled images: " + ", ".join(sorted(set(shapes)))


def _stem(name: str) -> str:
    """'img_001_mask.png' -> 'img_001': the name an image and its mask share."""
    words = os.path.splitext(name)[0].split("_")
    while len(words) > 1 and words[-1].lower() in MASK_WORDS:
        words.pop()
    return "_".join(words)


def pair_masks(folders: list[FileInfo], root: Path) -> None:
    """Mark image folders named like masks, whose file names match another image folder's, as mask folders."""
    images = [f for f in folders if f.format == "image_folder" and not f.classes]
    stems = {f.path: {_stem(e.name) for e in list_folder(root / f.path).files} for f in images}
    for candidate in images:
        if not set(name_words(Path(candidate.path).name)) & MASK_WORDS:
            continue
        for other in images:
            if other is candidate or other.format != "image_folder":
                continue
            shared = len(stems[candidate.path] & stems[other.path])
            if shared >= 0.5 * len(stems[candidate.path]):
                candidate.format, candidate.role = "mask_folder", FileRole.MASK_FOLDER
                candidate.note = f"masks for {other.path} ({shared} matching names); {candidate.note}"
                other.note = f"images with masks in {candidate.path}; {other.note}"
                break
