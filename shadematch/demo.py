"""The first-run demo: a bundled (synthetic) shaved scalp with stubble and skin marked, calibrated
with the ColorChecker beside it, as a session.

Qt-free, so the desktop application (first run, Help > Open the demo), the command line and the
tests make the same session.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from shadematch.errors import ShadematchError
from shadematch.sessions import SESSION_SUFFIX

log = logging.getLogger(__name__)

DEMO_PHOTO = "demo/scalp.jpg"
DEMO_REGIONS = "demo/scalp.regions.json"
DEMO_SESSION = "scalp-demo"


def prepare_demo_session(folder: str | os.PathLike | None = None, palette=None,
                         formula: str | None = None, top: int | None = None) -> Path:
    """Write the first-run demo session (the bundled synthetic shaved scalp with its stubble and
    skin regions, calibrated with its ColorChecker, measured and ranked by healed appearance) into
    ``folder`` (default ``<user data>/demo``); return its path.

    ``palette``, ``formula`` and ``top`` are the choices the window will rank with (so opening
    the demo changes nothing and leaves no unsaved work behind). ``palette`` is a Palette, or a
    palette's name; None, or a name that is not installed, ranks the default palette, so the
    session always carries a ranking (a report made from it has one too).

    The session names the photo by absolute path and SHA-256, so it is made on the user's
    machine from the shipped photo and region list rather than shipped ready-made.

    Raises
    ------
    ShadematchError
        The demo files are missing from the installation or the session cannot be written.
    """
    from shadematch.errors import PaletteError
    from shadematch.imaging import load_photo
    from shadematch.palettes import load_palette
    from shadematch.resources import assets_dir, user_data_dir
    from shadematch.sessions import save_session
    from shadematch.workspace import Workspace

    photo_path = assets_dir() / DEMO_PHOTO
    regions_path = assets_dir() / DEMO_REGIONS
    try:
        demo = json.loads(regions_path.read_text("utf-8"))
        regions = demo["regions"]
    except (OSError, ValueError, KeyError) as exc:
        raise ShadematchError(f"The demo is missing from this installation ({regions_path}): "
                              "reinstall shadematch, or open your own photo.") from exc
    photo = load_photo(photo_path)
    if palette is None or isinstance(palette, str):
        try:
            palette = load_palette(palette or None)
        except PaletteError:  # the preferred palette is gone: the demo still shows a ranking
            log.warning("demo: palette %r not found, ranking the default palette", palette)
            palette = load_palette(None)
    workspace = Workspace(auto_measure=True)  # 2 MP: measuring takes a fraction of a second
    workspace.set_palette(palette)
    if formula:
        workspace.set_formula(formula)
    if top:
        workspace.set_top(top)
    workspace.set_photo(photo, regions=regions)
    if demo.get("chart_corners"):
        from shadematch.calibration import calibrate_from_chart

        workspace.set_calibration(calibrate_from_chart(photo, demo["chart_corners"],
                                                       photo_sha256=photo.sha256))
    target = Path(folder) if folder is not None else user_data_dir() / "demo"
    target.mkdir(parents=True, exist_ok=True)
    return save_session(target / f"{DEMO_SESSION}{SESSION_SUFFIX}", workspace.to_dict(),
                        workspace.settings())
