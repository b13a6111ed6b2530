"""The user data folder holds client data: owner-only, like the records inside it (issue 16)."""

from __future__ import annotations

import os

from shadematch.resources import log_dir, user_data_dir, user_palettes_dir


def test_a_new_data_folder_and_its_folders_are_owner_only(tmp_path, monkeypatch):
    folder = tmp_path / "new-data"
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(folder))
    old = os.umask(0o022)               # the usual umask: 0755 folders unless asked otherwise
    try:
        for path in (user_data_dir(), log_dir(), user_palettes_dir()):
            assert (path.stat().st_mode & 0o777) == 0o700, path
    finally:
        os.umask(old)


def test_folders_made_readable_by_others_are_tightened_never_widened(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(folder))
    logs = user_data_dir() / "logs"
    logs.mkdir(mode=0o755)
    os.chmod(logs, 0o755)
    assert (log_dir().stat().st_mode & 0o777) == 0o700
    palettes = folder / "palettes"
    palettes.mkdir()
    os.chmod(palettes, 0o500)          # the owner made it read-only: it stays so
    assert (user_palettes_dir().stat().st_mode & 0o777) == 0o500
    os.chmod(palettes, 0o700)


def test_an_existing_folder_named_by_the_environment_keeps_its_permissions(tmp_path,
                                                                          monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(shared))
    assert (user_data_dir().stat().st_mode & 0o777) == 0o755


def test_autosaves_thumbnails_and_the_log_are_owner_only_in_an_existing_folder(tmp_path,
                                                                              monkeypatch):
    """(issue 16) Inside a SHADEMATCH_DATA_DIR that exists with 0755, the folders of client data
    and the log file are still owner-only."""
    import logging
    import os
    import stat

    data = tmp_path / "portable"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "autosave").mkdir(mode=0o755)
    os.chmod(data / "autosave", 0o755)
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(data))
    from shadematch.imaging.thumbnail_cache import ThumbnailCache
    from shadematch.sessions import autosave_dir

    def mode(path):
        return stat.S_IMODE(os.stat(path).st_mode)

    assert mode(autosave_dir()) == 0o700              # tightened
    assert mode(ThumbnailCache().folder) == 0o700
    from shadematch.gui.common.error_reporting import setup_logging

    root = logging.getLogger()
    before = list(root.handlers)
    log = setup_logging()
    try:
        assert mode(log) == 0o600 and mode(log.parent) == 0o700
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
