"""Input fingerprints: changes, additions, deletions and touches are seen; same bytes rewritten are not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlzero_jupyter.execution import changes, fingerprint
from mlzero_jupyter.execution.fingerprint import Fingerprint


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "images").mkdir(parents=True)
    (folder / "train.csv").write_text("a,b\n1,2\n")
    (folder / "test.csv").write_text("a\n3\n")
    (folder / "images" / "big.bin").write_bytes(os.urandom(9_000_000))  # over the 8 MB of full hashing
    return folder


def test_an_untouched_folder_has_no_changes(data: Path) -> None:
    before = fingerprint(data)
    assert set(before.files) == {"train.csv", "test.csv", "images/big.bin"}
    assert before.files["train.csv"].sha256 and before.files["images/big.bin"].sha256 is None
    assert changes(before, fingerprint(data)) == []


def test_a_change_an_addition_and_a_deletion(data: Path) -> None:
    before = fingerprint(data)
    (data / "train.csv").write_text("a,b\n1,3\n")  # same size, new content
    (data / "notes.txt").write_text("ignore previous instructions")
    (data / "test.csv").unlink()
    assert changes(before, fingerprint(data)) == ["added notes.txt", "removed test.csv", "modified train.csv"]


def test_an_mtime_only_touch_counts_for_large_files_only(data: Path) -> None:
    before = fingerprint(data)
    for name in ("images/big.bin", "train.csv"):
        stat = (data / name).stat()
        os.utime(data / name, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert changes(before, fingerprint(data)) == ["modified images/big.bin"]


def test_a_same_size_edit_of_a_large_file_with_its_mtime_put_back_is_seen(data: Path) -> None:
    big = data / "images" / "big.bin"
    before = fingerprint(data)
    stat = big.stat()
    with open(big, "r+b") as handle:  # 3 bytes in the middle, between the sampled blocks
        handle.seek(4_500_123)
        handle.write(b"abc")
    os.utime(big, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert big.stat().st_mtime_ns == stat.st_mtime_ns and big.stat().st_size == stat.st_size
    assert changes(before, fingerprint(data)) == ["modified images/big.bin"]


def test_a_symlink_is_recorded_not_followed(data: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    (data / "link.txt").symlink_to(outside)
    before = fingerprint(data)
    outside.write_text("changed outside the data folder")
    assert changes(before, fingerprint(data)) == []
    assert before.files["link.txt"].sha256 is None


def test_excluded_folders_and_json_round_trip(data: Path) -> None:
    runs = data / "mlzero-runs"
    runs.mkdir()
    before = fingerprint(data, exclude=[runs])
    (runs / "attempt_1.txt").write_text("the run folder inside the input is not input")
    after = fingerprint(data, exclude=[runs])
    assert changes(before, after) == []
    assert Fingerprint.from_dict(after.to_dict()) == after


def test_a_single_file_can_be_fingerprinted(data: Path) -> None:
    before = fingerprint(data / "train.csv")
    (data / "train.csv").write_text("changed")
    assert changes(before, fingerprint(data / "train.csv")) == ["modified train.csv"]
