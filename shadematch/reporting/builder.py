"""Build the PDF shade report from an analysis record (docs/ANALYSIS_FORMAT.md) and the photo.

:func:`render_report` lays the report out in memory (:mod:`shadematch.reporting.layout`);
:func:`build_report` checks the destination first, then writes the PDF atomically.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from shadematch.errors import ReportError
from shadematch.reporting.formatting import recipe
from shadematch.reporting.layout import ReportLayout
from shadematch.reporting.options import RenderedReport, ReportCancelled, ReportOptions

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]

__all__ = ["RenderedReport", "ReportCancelled", "ReportOptions", "build_report",
           "build_reports", "check_destination", "copy_paths", "recipe", "render_report"]

BOTH = "both"


def copy_paths(out_path: Path, copy: str) -> dict[str, Path]:
    """{copy: file} for ``copy`` "client", "practitioner" or "both".

    One copy is written to ``out_path`` itself; both go beside it as "<name> client.pdf" and
    "<name> practitioner.pdf".
    """
    from shadematch.reporting.options import COPIES

    out_path = Path(out_path).expanduser()
    if copy == BOTH:
        return {c: out_path.with_name(f"{out_path.stem} {c}{out_path.suffix or '.pdf'}")
                for c in COPIES}
    if copy not in COPIES:
        raise ReportError(f"unknown report copy {copy!r}: choose client, practitioner or both")
    return {copy: out_path}


def build_reports(analysis: dict, photo_rgb: np.ndarray | None, out_path: Path,
                  options: ReportOptions, copy: str, *, overwrite: bool = False,
                  progress: ProgressFn | None = None,
                  cancelled: CancelledFn | None = None) -> list[Path]:
    """Write the ``copy`` ("client", "practitioner" or "both") of the report; the files written.

    Every destination is checked before anything is written (see :func:`copy_paths`).
    """
    from dataclasses import replace

    paths = copy_paths(out_path, copy)
    for path in paths.values():
        check_destination(path, overwrite)
    written = []
    for i, (name, path) in enumerate(paths.items()):
        def part(fraction: float, message: str, i: int = i) -> None:
            if progress is not None:
                progress((i + fraction) / len(paths), message)

        written.append(build_report(analysis, photo_rgb, path, replace(options, copy=name),
                                    overwrite=overwrite, progress=part, cancelled=cancelled))
    return written


def render_report(analysis: dict, photo_rgb: np.ndarray | None, options: ReportOptions | None = None,
                  *, progress: ProgressFn | None = None,
                  cancelled: CancelledFn | None = None) -> RenderedReport:
    """Render the report in memory (no file written); see :func:`build_report`.

    Returns
    -------
    RenderedReport
        The PDF bytes, page count and the placement of every colour swatch.
    """
    if not isinstance(analysis, dict):
        raise ReportError("the report needs an analysis record (a dict, see "
                          "docs/ANALYSIS_FORMAT.md): measure the photo first")
    if analysis.get("format") not in (None, "shadematch-analysis"):
        raise ReportError(f"this is not a shadematch analysis (format {analysis.get('format')!r})"
                          ": open a .shadematch session or measure the photo again")
    return ReportLayout(analysis, photo_rgb, options or ReportOptions(), progress,
                        cancelled).render()


def check_destination(out_path: Path, overwrite: bool) -> None:
    folder = out_path.parent
    if out_path.is_dir():
        raise ReportError(f"{out_path} is a folder: give a file name ending in .pdf")
    if out_path.exists() and not overwrite:
        raise ReportError(f"{out_path.name} already exists: use --force to replace it")
    if not folder.is_dir():
        raise ReportError(f"the folder {folder} does not exist: create it or choose another "
                          "folder for the report")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReportError(f"cannot write to the folder {folder} (permission denied): choose "
                          "another folder for the report")


def build_report(analysis: dict, photo_rgb: np.ndarray | None, out_path: Path,
                 options: ReportOptions | None = None, *, overwrite: bool = False,
                 progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None) -> Path:
    """Write the PDF shade report for one analysis.

    Parameters
    ----------
    analysis : the analysis record (docs/ANALYSIS_FORMAT.md), e.g. ``Analysis.to_dict()``.
    photo_rgb : ndarray (H, W, 3), uint8 (0..255) or uint16 (0..65535) sRGB, as displayed; the
        regions of ``analysis`` are in its pixel coordinates. None when the photo is no longer
        available (a session reopened without it): the report says so in its place.
    out_path : the PDF file to write.
    options : client, practitioner, clinic details; aftercare page; how many matches to list.
    overwrite : replace an existing file (otherwise an existing file is an error).
    progress : optional ``progress(fraction 0..1, message)``.
    cancelled : optional ``cancelled() -> bool``; when it turns True nothing is written.

    Returns
    -------
    Path
        ``out_path``, written atomically (temporary file, then rename).

    Raises
    ------
    ReportError
        The file exists and ``overwrite`` is False, the folder is missing or not writable, the
        logo cannot be read, the record is malformed, or the report was cancelled
        (:class:`ReportCancelled`). Nothing is left behind on any failure.
    """
    from shadematch.atomic_files import write_atomic

    out_path = Path(out_path).expanduser()
    check_destination(out_path, overwrite)
    rendered = render_report(analysis, photo_rgb, options, progress=progress,
                             cancelled=cancelled)
    if cancelled is not None and cancelled():
        raise ReportCancelled("the report was cancelled: nothing was written")
    try:
        write_atomic(out_path, lambda handle: handle.write(rendered.pdf), overwrite=overwrite)
    except FileExistsError as exc:
        raise ReportError(f"{out_path.name} already exists: use --force to replace it") from exc
    except PermissionError as exc:
        raise ReportError(f"cannot write {out_path} (permission denied): choose another "
                          "folder for the report") from exc
    except OSError as exc:
        raise ReportError(f"could not write {out_path} ({exc.strerror or exc}): check the disk "
                          "has space and the folder is writable, or choose another folder") from exc
    if progress is not None:
        progress(1.0, "Report written")
    log.info("report written: %s (%d bytes, %d pages)", out_path, len(rendered.pdf),
             rendered.pages)
    return out_path
