"""Bad input: one line saying what is wrong and what to do, exit code 2 from the CLI, no traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlzero_jupyter.cli import main
from mlzero_jupyter.errors import DataError
from mlzero_jupyter.perception import perceive


def _missing(root: Path) -> Path:
    return root / "nowhere"


def _empty_folder(root: Path) -> Path:
    (root / "data").mkdir()
    return root / "data"


def _garbage_csv(root: Path) -> Path:
    (root / "train.csv").write_bytes(bytes(range(256)) * 40)
    return root / "train.csv"


def _empty_csv(root: Path) -> Path:
    (root / "train.csv").write_bytes(b"")
    return root


def _blank_csv(root: Path) -> Path:
    (root / "train.csv").write_text("\n\n  \n")
    return root / "train.csv"


def _header_only(root: Path) -> Path:
    (root / "train.csv").write_text("id,age,label\n")
    return root


def _ragged(root: Path) -> Path:
    (root / "train.csv").write_text("id,age,label\n1,30,yes\n2,41,no,extra,fields\n3,25,yes\n")
    return root


def _broken_zip(root: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train.csv", "id,label\n" + "1,yes\n" * 1000)
    (root / "data.zip").write_bytes(buffer.getvalue()[:200])
    return root / "data.zip"


def _broken_tar_gz(root: Path) -> Path:
    (root / "data.tar.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 40)
    return root / "data.tar.gz"


def _no_target(root: Path) -> Path:
    rows = "\n".join(f"{i},user{i}@example.com,2024-01-{i % 28 + 1:02d}" for i in range(50))
    (root / "people.csv").write_text("person_id,email,joined\n" + rows + "\n")
    return root


def _no_data(root: Path) -> Path:
    (root / "notes.md").write_text("nothing to learn here\n")
    return root


def _unlabelled_images(root: Path) -> Path:
    from PIL import Image

    (root / "photos").mkdir()
    for i in range(3):
        Image.new("RGB", (4, 4)).save(root / "photos" / f"{i}.png")
    return root


def _old_xls(root: Path) -> Path:
    (root / "book.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    return root


BAD_INPUTS = {
    "missing path": (_missing, "no such file or folder: .*nowhere; check the path"),
    "empty folder": (_empty_folder, "data is empty; put the data files in it"),
    "binary garbage named .csv": (_garbage_csv, r"train\.csv is not a readable table \(binary content\); replace it"),
    "empty csv": (_empty_csv, r"train\.csv is empty; replace it with the real file or remove it"),
    "blank csv": (_blank_csv, r"train\.csv is empty; put a header line and data rows in it"),
    "header-only csv": (_header_only, r"train\.csv has a header but no rows; add the data rows"),
    "ragged rows": (_ragged, r"train\.csv has ragged rows: row 3 has 5 fields but the header has 3; fix the row"),
    "broken zip": (_broken_zip, r"data\.zip is a damaged archive .*; download or create it again"),
    "broken tar.gz": (_broken_tar_gz, r"data\.tar\.gz is a damaged archive .*; download or create it again"),
    "no plausible target": (_no_target, r"no column of people\.csv can be a target .*; add a label column or name it"),
    "no data files": (_no_data, r"no table, image folder or text folder found in .*; point at the folder"),
    "images without labels": (_unlabelled_images, r"found image_folder but no labels; put each class in its own"),
    "old xls": (_old_xls, r"book\.xls is an old \.xls workbook; save it as \.xlsx or \.csv"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gives_one_line_error(case, tmp_path, capsys):
    build, pattern = BAD_INPUTS[case]
    path = build(tmp_path)
    with pytest.raises(DataError, match=pattern) as error:
        perceive(path, work_dir=tmp_path / "work")
    assert "\n" not in str(error.value)
    assert main(["inspect", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"mlzero inspect: error: {error.value}"


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads files regardless of permissions")
    (tmp_path / "train.csv").write_text("a,b\n1,2\n")
    (tmp_path / "train.csv").chmod(0)
    with pytest.raises(DataError, match=r"cannot read train\.csv \(Permission denied\); check its permissions"):
        perceive(tmp_path)


def test_cli_subprocess_exit_code_and_no_traceback(tmp_path):
    _ragged(tmp_path)
    done = subprocess.run([sys.executable, "-m", "mlzero_jupyter.cli", "inspect", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("mlzero inspect: error: train.csv has ragged rows")
