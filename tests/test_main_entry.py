"""``shadematch`` without a sub-command: a mistyped command, a missing path and a missing screen
each get one clear line and a non-zero exit, before any window (or Qt's abort)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from shadematch.__main__ import no_screen_message
from shadematch.cli import COMMAND_WORDS, missing_path_message

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="only Linux and the BSDs can lack a screen")


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    # a GUI that started by mistake would run until the timeout: the test then fails, not hangs
    return subprocess.run([sys.executable, "-m", "shadematch", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=60)


def _free_display_number() -> int:
    for number in range(90, 200):
        path = f"/tmp/.X11-unix/X{number}"
        for address in ("\0" + path, path):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                try:
                    sock.connect(address)
                    break
                except OSError:
                    continue
        else:
            return number
    pytest.skip("no free X display number")


# -- mistyped commands and missing paths ---------------------------------------------------------
def test_a_bare_word_that_is_neither_command_nor_file_lists_the_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = missing_path_message("nosuchcommand")
    assert "'nosuchcommand' is not a command" in message
    for word in ("match", "report", "palettes", "clients"):
        assert word in message
    assert "did you mean" not in message
    assert "did you mean `shadematch match`" in missing_path_message("mach")
    assert "did you mean `shadematch report`" in missing_path_message("reprot")


def test_a_missing_path_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in ("client.jpg", str(tmp_path / "photos" / "IMG_1.JPG"), "camera/"):
        message = missing_path_message(path)
        assert message.startswith(f"shadematch: {path}: no such photo, folder or session")


def test_an_existing_path_is_fine_whatever_its_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "match-notes").mkdir()
    (tmp_path / "photo").write_bytes(b"")
    assert missing_path_message("match-notes") is None
    assert missing_path_message("photo") is None
    assert missing_path_message(str(tmp_path)) is None


@pytest.mark.parametrize(("args", "expected"), [
    (["nosuchcommand"], "'nosuchcommand' is not a command"),
    (["mach", "x.jpg"], "did you mean `shadematch match`"),
    (["/no/such/folder/photo.jpg"], "/no/such/folder/photo.jpg: no such photo"),
    (["-style", "fusion", "gone.shadematch"], "gone.shadematch: no such photo"),
])
def test_the_command_says_so_instead_of_starting_the_window(child_env, tmp_path, args, expected):
    env = dict(child_env, QT_QPA_PLATFORM="offscreen", SHADEMATCH_DATA_DIR=str(tmp_path / "d"))
    done = _run(args, env, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "d" / "logs").exists()  # the GUI never started (it logs at once)


def test_every_command_word_is_still_a_command(child_env, tmp_path):
    """The check for mistyped commands must not shadow a real one."""
    for word in sorted(w for w in COMMAND_WORDS if not w.startswith("-")):
        done = _run([word, "--help"], dict(child_env, QT_QPA_PLATFORM="offscreen"), tmp_path)
        assert done.returncode == 0, (word, done.stderr)
        assert "not a command" not in done.stderr


def test_help_says_how_to_start_the_window(child_env, tmp_path):
    done = _run(["--help"], child_env, tmp_path)
    assert done.returncode == 0
    assert "[PHOTO|FOLDER|SESSION]" in done.stdout and "desktop" in done.stdout


# -- no screen -----------------------------------------------------------------------------------
@linux_only
def test_no_screen_message_names_the_missing_screen_and_the_command_line():
    message = no_screen_message([], environ={})
    assert message.startswith("shadematch: there is no screen here (DISPLAY is not set)")
    assert "shadematch match PHOTO" in message and "\n" not in message
    assert no_screen_message([], environ={"QT_QPA_PLATFORM": "offscreen"}) is None
    assert no_screen_message(["-platform", "offscreen"], environ={}) is None
    assert no_screen_message(["--platform=minimal"], environ={}) is None
    assert no_screen_message([], environ={"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert no_screen_message([], environ={"QT_QPA_PLATFORM": "xcb"}) is not None


@linux_only
def test_a_display_nobody_answers_on_is_no_screen():
    number = _free_display_number()
    message = no_screen_message([], environ={"DISPLAY": f":{number}"})
    assert message.startswith(f"shadematch: no screen answers at DISPLAY=:{number}")


@linux_only
def test_a_display_that_answers_is_a_screen(tmp_path):
    number = _free_display_number()
    path = f"/tmp/.X11-unix/X{number}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("\0" + path)  # an abstract socket, as Xorg and Xvfb listen on
        server.listen(1)
        assert no_screen_message([], environ={"DISPLAY": f":{number}"}) is None
        assert no_screen_message([], environ={"DISPLAY": f":{number}.0"}) is None


@linux_only
def test_without_a_screen_the_app_prints_one_line_and_exits_1(child_env, tmp_path):
    env = {k: v for k, v in child_env.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["SHADEMATCH_DATA_DIR"] = str(tmp_path / "d")
    done = _run([], env, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # not Qt's abort (134)
    assert done.stderr.strip().splitlines() == [no_screen_message([], environ={})]
    assert "xcb" not in done.stderr and done.stdout == ""
    # the command line still works there
    done = _run(["palettes"], env, tmp_path)
    assert done.returncode == 0 and "carbon-black-dilution-modelled" in done.stdout
