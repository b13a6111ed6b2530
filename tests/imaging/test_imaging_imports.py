"""Importing shadematch.imaging stays light: no Qt, and the heavy decoders load on first use."""

from __future__ import annotations

import subprocess
import sys


def test_import_is_lazy_and_qt_free(child_env, tmp_path):
    code = (
        "import sys, shadematch.imaging, shadematch.imaging.icc_profiles\n"
        "import shadematch.imaging.raw_loading\n"
        "heavy = [m for m in ('PySide6', 'rawpy', 'pillow_heif', 'colour', 'tifffile',"
        " 'PIL.ImageCms') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env=child_env, check=True)
    assert result.stdout.strip() == "", result.stdout
