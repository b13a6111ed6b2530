"""What the C image libraries write to fd 2 goes to the log, not before the CLI's one line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from imaging_helpers import write_linear_dng
from PIL import Image

from shadematch.imaging import native_stderr

LOGGER = "shadematch.imaging.native"


def _photo(tmp_path, compression):
    pixels = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    path = tmp_path / f"{compression}.tif"
    Image.fromarray(pixels).save(path, compression=compression)
    return path


@pytest.fixture
def damaged_lzw_tiff(tmp_path):
    """An LZW TIFF whose compressed strips are scrambled: libtiff itself (not Pillow) prints
    "Using code not yet in table" to fd 2 while decoding it."""
    data = bytearray(_photo(tmp_path, "tiff_lzw").read_bytes())
    for i in range(200, 2000, 7):
        data[i] ^= 0x5A
    path = tmp_path / "damaged_lzw.tif"
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def cut_deflate_tiff(tmp_path):
    """A deflate TIFF missing its middle: tifffile logs "invalid offset to first page"."""
    data = _photo(tmp_path, "tiff_adobe_deflate").read_bytes()
    path = tmp_path / "cut_deflate.tif"
    path.write_bytes(data[: len(data) // 2] + data[-400:])
    return path


@pytest.fixture
def cut_dng(tmp_path):
    """A camera RAW (DNG) cut short: LibRaw prints "cut.dng: Unexpected end of file" to fd 2."""
    pytest.importorskip("rawpy")
    whole = write_linear_dng(tmp_path / "whole.dng", np.full((48, 64, 3), 0.18)).read_bytes()
    path = tmp_path / "cut.dng"
    path.write_bytes(whole[: int(len(whole) * 0.6)])
    return path


@pytest.fixture
def capture_on():
    before = native_stderr.enabled()
    native_stderr.enable()
    yield
    native_stderr.enable(before)


@pytest.mark.parametrize("photo", ["damaged_lzw_tiff", "cut_deflate_tiff", "cut_dng"])
def test_cli_prints_only_its_one_line_for_a_damaged_photo(photo, request, child_env, tmp_path):
    path = request.getfixturevalue(photo)
    proc = subprocess.run([sys.executable, "-m", "shadematch", "match", str(path),
                           "--skin", "0,0,10,10"], capture_output=True, text=True, timeout=120,
                          env=child_env, cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"shadematch: error: {path.name} could not be read")


def test_the_libtiff_message_is_real_and_reaches_the_log(damaged_lzw_tiff, capture_on, capfd,
                                                          caplog):
    from shadematch.errors import ImageLoadError
    from shadematch.imaging import load_photo

    caplog.set_level(logging.INFO, logger=LOGGER)
    with pytest.raises(ImageLoadError):
        load_photo(damaged_lzw_tiff)
    assert capfd.readouterr().err == ""
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(logged) == 1
    assert "damaged_lzw.tif" in logged[0] and "not yet in table" in logged[0]


def test_the_libraw_message_is_real_and_reaches_the_log(cut_dng, capture_on, capfd, caplog):
    from shadematch.errors import ImageLoadError
    from shadematch.imaging import load_photo

    caplog.set_level(logging.INFO, logger=LOGGER)
    with pytest.raises(ImageLoadError):
        load_photo(cut_dng)
    assert capfd.readouterr().err == ""
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(logged) == 1 and "Unexpected end of file" in logged[0]


def test_without_enable_fd_2_is_left_alone(capfd, caplog):
    assert not native_stderr.enabled()
    caplog.set_level(logging.INFO, logger=LOGGER)
    with native_stderr.capture("a.tif"):
        os.write(2, b"from C\n")
    assert capfd.readouterr().err == "from C\n"
    assert not [r for r in caplog.records if r.name == LOGGER]


def test_fd_2_is_restored_after_an_error_in_the_block(capture_on, capfd, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    with pytest.raises(RuntimeError), native_stderr.capture("b.tif"):
        os.write(2, b"decoder said something\n")
        raise RuntimeError("decode failed")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
    assert "decoder said something" in caplog.records[-1].getMessage()


def test_overlapping_captures_in_threads_share_one_redirection(capture_on, capfd, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with native_stderr.capture("first.tif"):
            first_in.set()
            second_in.wait(10)
            os.write(2, b"first message\n")
        first_out.set()

    def second():
        first_in.wait(10)
        with native_stderr.capture("second.tif"):
            second_in.set()
            first_out.wait(10)  # the first left: fd 2 must still be captured for this one
            os.write(2, b"second message\n")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    os.write(2, b"after both\n")
    assert capfd.readouterr().err == "after both\n"
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(logged) == 1
    assert "first.tif, second.tif" in logged[0]
    assert "first message" in logged[0] and "second message" in logged[0]


def test_cli_main_in_process_captures_only_for_the_command(damaged_lzw_tiff, capfd):
    from shadematch.cli import main

    handlers = list(logging.getLogger().handlers)
    assert main(["match", str(damaged_lzw_tiff), "--skin", "0,0,10,10"]) == 1
    err = capfd.readouterr().err
    assert err.startswith("shadematch: error: damaged_lzw.tif") and err.count("\n") == 1, err
    assert not native_stderr.enabled()
    assert logging.getLogger().handlers == handlers
