"""Session files: save/reopen, atomic writes, damaged files, photo moved/changed, autosave."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PIL import Image

from shadematch.errors import SessionError
from shadematch.imaging.loading import load_photo
from shadematch.palettes import load_palette
from shadematch.sessions import (
    Autosaver,
    check_photo,
    file_sha256,
    list_recoverable,
    prune_autosaves,
    read_session,
    save_session,
)
from shadematch.workspace import Workspace


@pytest.fixture
def photo_file(tmp_path):
    rgb = np.zeros((80, 120, 3), dtype=np.uint8)
    rgb[:, :60] = (50, 38, 30)
    rgb[:, 60:] = (205, 160, 135)
    rgb += np.random.default_rng(0).integers(0, 4, rgb.shape, dtype=np.uint8)
    path = tmp_path / "client.png"
    Image.fromarray(rgb).save(path)
    return path


@pytest.fixture
def workspace(photo_file):
    ws = Workspace()
    ws.set_palette(load_palette())
    ws.set_photo(load_photo(photo_file))
    ws.add_region("rect", {"x": 5, "y": 5, "w": 40, "h": 60}, "hair")
    ws.add_region("ellipse", {"cx": 90, "cy": 40, "rx": 20, "ry": 25}, "skin")
    ws.choose(ws.ranking[0].entry.id)
    ws.set_notes("first consultation")
    return ws


def test_save_and_reopen_identically(tmp_path, workspace, photo_file):
    path = save_session(tmp_path / "visit", workspace.to_dict(), workspace.settings())
    assert path.suffix == ".shadematch"
    record = read_session(path)
    assert record["session"]["photo_sha256"] == file_sha256(photo_file)
    assert record["session"]["photo_path"] == str(photo_file)
    assert record["session"]["settings"]["formula"] == "ciede2000"
    assert check_photo(record).ok
    other = Workspace()
    other.from_analysis(record, photo=load_photo(photo_file))
    original, reopened = workspace.to_dict(), other.to_dict()
    for key in ("photo", "regions", "samples", "ranking", "picks", "notes", "matching",
                "contrast", "created"):
        assert reopened[key] == original[key], key


def test_no_temporary_files_left_and_overwrite_refused(tmp_path, workspace):
    path = save_session(tmp_path / "a.shadematch", workspace.to_dict())
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".png") == ["a.shadematch"]
    with pytest.raises(SessionError, match="already exists"):
        save_session(path, workspace.to_dict(), overwrite=False)


def test_unwritable_folder_is_a_clear_error(tmp_path, workspace):
    with pytest.raises(SessionError, match="could not be saved"):
        save_session(tmp_path / "no" / "such" / "folder" / "a.shadematch", workspace.to_dict())


@pytest.mark.parametrize("content, words", [
    (None, "does not exist"),
    ("{not json", "damaged"),
    ('{"format": "something-else"}', "not a shadematch session"),
    ('{"format": "shadematch-analysis", "format_version": 1, "session": '
     '{"format": "shadematch-session", "format_version": 99, "app_version": "9.0"}}', "newer"),
])
def test_bad_session_files(tmp_path, content, words):
    path = tmp_path / "bad.shadematch"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SessionError, match=words):
        read_session(path)


def test_photo_moved_or_changed_is_detected(tmp_path, workspace, photo_file):
    record = read_session(save_session(tmp_path / "s", workspace.to_dict()))
    moved = tmp_path / "moved.png"
    os.replace(photo_file, moved)
    check = check_photo(record)
    assert check.status == "missing" and "Locate" in check.message()
    assert check_photo(record, moved).ok  # located: same contents
    Image.fromarray(np.full((80, 120, 3), 128, np.uint8)).save(moved)
    changed = check_photo(record, moved)
    assert changed.status == "changed" and changed.actual_sha256 != changed.expected_sha256
    assert "changed" in changed.message()


def test_nan_values_are_written_as_null(tmp_path, workspace):
    record = workspace.to_dict()
    record["contrast"]["hair_skin_dL"] = float("nan")
    path = save_session(tmp_path / "n", record)
    assert json.loads(path.read_text())["contrast"]["hair_skin_dL"] is None


def test_autosave_due_after_delay_and_recoverable(tmp_path, workspace):
    now = [100.0]
    saver = Autosaver(tmp_path / "autosave", delay=3.0, clock=lambda: now[0])
    assert not saver.due()
    saver.mark_changed()
    now[0] += 1.0
    saver.mark_changed()  # further changes do not postpone the save
    assert not saver.due()
    now[0] += 2.0
    assert saver.due()
    path = saver.save(workspace.to_dict(), workspace.settings())
    assert not saver.pending and path.exists()
    entries = list_recoverable(tmp_path / "autosave")
    assert len(entries) == 1 and entries[0].regions == 2
    assert "client.png" in entries[0].describe()
    restored = Workspace()
    restored.from_analysis(read_session(entries[0].path), photo=workspace.photo)
    assert restored.to_dict()["regions"] == workspace.to_dict()["regions"]
    saver.discard()
    assert list_recoverable(tmp_path / "autosave") == []


def test_autosaves_are_pruned(tmp_path, workspace):
    folder = tmp_path / "autosave"
    saver = Autosaver(folder, keep=3)
    record = workspace.to_dict()
    for i in range(5):
        saver.new_analysis(f"k{i}")
        path = saver.save(record)
        os.utime(path, (1000 + i, 1000 + i))
    prune_autosaves(folder, keep=3)
    assert sorted(p.name for p in folder.iterdir()) == [
        "autosave-k2.shadematch", "autosave-k3.shadematch", "autosave-k4.shadematch"]
    (folder / "autosave-junk.shadematch").write_text("{broken")
    assert len(list_recoverable(folder)) == 3  # the broken one is skipped


def test_default_autosave_folder_is_in_user_data(tmp_path, monkeypatch, workspace):
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "data"))
    saver = Autosaver()
    path = saver.save(workspace.to_dict())
    assert path.parent == tmp_path / "data" / "autosave"


def test_a_session_of_a_newer_or_damaged_analysis_is_refused_naming_the_file(tmp_path):
    from pathlib import Path

    good = Path(__file__).parent / "data" / "records" / "gui_session.shadematch"
    record = json.loads(good.read_text("utf-8"))
    assert read_session(good)["ranking"]
    newer = tmp_path / "newer.shadematch"
    newer.write_text(json.dumps({**record, "format_version": 7}), "utf-8")
    with pytest.raises(SessionError, match="newer.shadematch.*newer shadematch"):
        read_session(newer)
    record["ranking"][0]["lab"] = [1, 2]
    damaged = tmp_path / "damaged.shadematch"
    damaged.write_text(json.dumps(record), "utf-8")
    with pytest.raises(SessionError, match="damaged.shadematch.*damaged"):
        read_session(damaged)
