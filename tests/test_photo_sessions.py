"""The per-photo session store: keyed by content hash, atomic, listed, removable (Qt-free)."""

from __future__ import annotations

import numpy as np
import pytest

from shadematch.edit_history import PicksState
from shadematch.errors import SessionError
from shadematch.photo_sessions import (
    find_kept,
    keep_analysis,
    kept_path,
    kept_was_unsaved,
    list_kept,
    remove_kept,
    store_dir,
)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "data"))


def _analysis(name: str = "IMG_0007.jpg", seed: int = 0):
    from shadematch.imaging.photo import Photo
    from shadematch.workspace import Workspace

    rgb = np.empty((60, 80, 3), dtype=np.float64)
    rgb[:, :40] = (62, 48, 40)       # dark brown hair
    rgb[:, 40:] = (205, 160, 135)    # light skin
    rgb += np.random.default_rng(seed).normal(0, 2.0, rgb.shape)
    ws = Workspace()
    ws.set_photo(Photo.from_array(np.clip(rgb, 0, 255).astype(np.uint8), name=name))
    ws.add_region("rect", {"x": 5, "y": 5, "w": 30, "h": 30}, "hair")
    ws.set_notes("keep me")
    return ws


def test_keep_find_list_remove(tmp_path):
    ws = _analysis()
    sha = ws.photo.sha256
    path = keep_analysis(ws.to_dict(), ws.settings(), unsaved=True)
    assert path == store_dir() / f"{sha}.shadematch" and path.parent.parent == tmp_path / "data"
    assert not list(path.parent.glob("*.tmp*"))          # written atomically, nothing left over
    record = find_kept(sha)
    assert record["notes"] == "keep me" and kept_was_unsaved(record)
    assert [(e.photo_name, e.regions) for e in list_kept()] == [("IMG_0007.jpg", 1)]
    keep_analysis(ws.to_dict(), ws.settings(), unsaved=False)   # kept again: replaced, not added
    assert len(list_kept()) == 1 and not kept_was_unsaved(find_kept(sha))
    remove_kept(sha)
    assert find_kept(sha) is None and list_kept() == []
    remove_kept(sha)  # already gone: no error


def test_damaged_or_unnamed_entries_are_ignored_and_hashes_are_checked():
    ws = _analysis(seed=1)
    sha = ws.photo.sha256
    store_dir().joinpath(f"{sha}.shadematch").write_text("{ not json", encoding="utf-8")
    assert find_kept(sha) is None and list_kept() == []
    with pytest.raises(SessionError, match="no content hash"):
        kept_path("../../etc/passwd")
    assert find_kept("") is None


def test_the_shade_choice_is_an_undo_step():
    from shadematch.palettes import load_palette

    ws = _analysis(seed=2)
    assert not ws.clear_choice()       # nothing chosen: nothing to clear, no undo step
    ws.set_palette(load_palette())
    ws.add_region("rect", {"x": 45, "y": 5, "w": 30, "h": 30}, "skin")
    assert ws.ranking
    first = ws.ranking[0].entry.id
    ws.choose(first)
    assert ws.undo_label() == "Choose shade"
    assert isinstance(ws._history._undo[-1].after, PicksState)
    assert ws.clear_choice() and ws.picks["primary"] is None
    assert ws.undo() and ws.picks["primary"]["entry_id"] == first
    assert ws.undo() and ws.picks["primary"] is None and len(ws.regions) == 2
    assert ws.redo() and ws.picks["primary"]["entry_id"] == first
    ws.choose(first)                   # the same choice again: no new step
    assert ws.undo_label() == "Choose shade" and ws.can_redo()
