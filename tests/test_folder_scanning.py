"""Camera-folder listing and the 'has this file stopped growing?' logic (Qt-free)."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shadematch.folder_scanning import (
    FileStamp,
    FolderError,
    FolderWatchState,
    describe_photo,
    exif_taken_time,
    is_photo_name,
    list_photos,
    snapshot_folder,
    supported_suffixes,
)


def _jpeg(path: Path, taken: str | None = None, colour=(120, 80, 60)) -> Path:
    image = Image.fromarray(np.full((16, 24, 3), colour, np.uint8))
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[36867] = taken
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def _set_mtime(path: Path, when: float) -> None:
    os.utime(path, (when, when))


def test_supported_suffixes_cover_the_common_formats():
    suffixes = supported_suffixes()
    for s in (".jpg", ".jpeg", ".png", ".tif", ".heic"):
        assert s in suffixes
    assert all(s == s.lower() and s.startswith(".") for s in suffixes)


def test_is_photo_name_skips_hidden_temporaries_and_other_files():
    assert is_photo_name("IMG_0001.JPG")
    assert not is_photo_name(".IMG_0001.JPG.tmp")
    assert not is_photo_name(".IMG_0001.jpg")
    assert not is_photo_name("notes.txt")
    assert not is_photo_name("session.shadematch")


def test_exif_date_time_original_is_read(tmp_path):
    path = _jpeg(tmp_path / "a.jpg", "2024:03:05 10:11:12")
    assert exif_taken_time(path) == datetime(2024, 3, 5, 10, 11, 12)
    entry = describe_photo(path)
    assert entry.taken_source == "exif"
    assert entry.taken_label() == "2024-03-05 10:11:12"


def test_without_exif_the_modification_time_is_used(tmp_path):
    path = tmp_path / "b.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
    when = datetime(2023, 1, 2, 3, 4, 5).timestamp()
    _set_mtime(path, when)
    entry = describe_photo(path)
    assert entry.taken_source == "mtime"
    assert entry.taken == datetime(2023, 1, 2, 3, 4, 5)


def test_garbage_file_has_no_exif_date(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    assert exif_taken_time(path) is None
    assert describe_photo(path).taken_source == "mtime"


def test_list_photos_newest_first_and_ignores_other_files(tmp_path):
    _jpeg(tmp_path / "old.jpg", "2020:01:01 08:00:00")
    _jpeg(tmp_path / "new.jpg", "2025:06:01 08:00:00")
    mid = tmp_path / "mid.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(mid)
    _set_mtime(mid, datetime(2022, 5, 5, 5, 5, 5).timestamp())
    (tmp_path / "readme.txt").write_text("x")
    (tmp_path / ".partial.jpg").write_bytes(b"x")
    (tmp_path / "sub.jpg").mkdir()  # a folder named like a photo is not a photo
    names = [e.name for e in list_photos(tmp_path)]
    assert names == ["new.jpg", "mid.png", "old.jpg"]


def test_list_photos_reports_progress_and_can_be_cancelled(tmp_path):
    for i in range(20):
        _jpeg(tmp_path / f"p{i:02d}.jpg")
    calls = []
    entries = list_photos(tmp_path, progress=lambda f, m="": calls.append(f))
    assert len(entries) == 20 and calls and all(0 <= f <= 1 for f in calls)
    assert list_photos(tmp_path, cancelled=lambda: True) == []


def test_missing_folder_and_file_give_clear_errors(tmp_path):
    with pytest.raises(FolderError, match="does not exist"):
        list_photos(tmp_path / "nope")
    file = _jpeg(tmp_path / "a.jpg")
    with pytest.raises(FolderError, match="not a folder"):
        snapshot_folder(file)


def test_snapshot_records_size_and_mtime(tmp_path):
    path = _jpeg(tmp_path / "a.jpg")
    snap = snapshot_folder(tmp_path)
    st = path.stat()
    assert snap == {path.absolute(): FileStamp(st.st_size, st.st_mtime_ns)}


class _Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_old_files_are_ready_at_first_sight_fresh_ones_must_settle():
    wall = _Clock(1_000_000.0)
    state = FolderWatchState(settle_seconds=0.5, wall_clock=wall)
    assert state.fresh
    old = Path("/f/old.jpg")
    fresh = Path("/f/fresh.jpg")
    snap = {old: FileStamp(100, int((wall.t - 60) * 1e9)),
            fresh: FileStamp(50, int(wall.t * 1e9))}
    delta = state.update(snap, now=10.0)
    assert not state.fresh
    assert delta.ready == [old]
    assert delta.pending == [fresh]
    assert state.has_pending()
    # unchanged but not yet long enough
    delta = state.update(snap, now=10.3)
    assert delta.ready == [] and delta.pending == [fresh]
    delta = state.update(snap, now=10.6)
    assert delta.ready == [fresh]
    assert not state.has_pending()
    # nothing new: empty delta, falsy
    assert not state.update(snap, now=11.0)


def test_a_growing_file_is_reported_only_once_it_stops_growing():
    state = FolderWatchState(settle_seconds=0.5, wall_clock=_Clock(0.0))
    assert not state.update({}, now=0.0)
    path = Path("/f/tether.jpg")
    t = 1.0
    for size in (0, 1000, 2000, 3000, 4000):  # grows every 0.25 s
        delta = state.update({path: FileStamp(size, int(t * 1e9))}, now=t)
        assert delta.ready == [] and delta.pending == [path]
        t += 0.25
    final = {path: FileStamp(4000, int((t - 0.25) * 1e9))}
    assert state.update(final, now=t).ready == []
    assert state.update(final, now=t + 0.3).ready == [path]
    assert state.known == final


def test_an_empty_file_is_never_ready():
    state = FolderWatchState(settle_seconds=0.1, wall_clock=_Clock(1e6))
    path = Path("/f/empty.jpg")
    snap = {path: FileStamp(0, 0)}
    for t in (0.0, 1.0, 2.0):
        assert state.update(snap, now=t).ready == []


def test_changed_and_removed_files_are_reported():
    state = FolderWatchState(settle_seconds=0.2, wall_clock=_Clock(1e6))
    a, b = Path("/f/a.jpg"), Path("/f/b.jpg")
    state.update({a: FileStamp(10, 1), b: FileStamp(20, 1)}, now=0.0)
    delta = state.update({a: FileStamp(15, 2)}, now=1.0)
    assert delta.removed == [b] and delta.pending == [a]
    delta = state.update({a: FileStamp(15, 2)}, now=1.5)
    assert delta.ready == [a]


def test_real_folder_growth_end_to_end(tmp_path):
    state = FolderWatchState(settle_seconds=0.3)
    assert state.update(snapshot_folder(tmp_path)).ready == []
    target = tmp_path / "IMG_1.jpg"
    with open(target, "wb") as handle:
        handle.write(b"\xff\xd8" + b"\0" * 1000)
        handle.flush()
        assert state.update(snapshot_folder(tmp_path)).pending == [target]
        time.sleep(0.1)
        handle.write(b"\0" * 1000)
    assert state.update(snapshot_folder(tmp_path)).ready == []
    time.sleep(0.35)
    assert state.update(snapshot_folder(tmp_path)).ready == [target]
