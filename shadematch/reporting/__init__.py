"""The PDF shade report: Qt-free, so it runs headless (CLI, tests) and off the GUI thread.

Public API: :func:`build_report` (write a PDF), :func:`build_reports` (the client's and/or the
practitioner's copy, :func:`copy_paths` naming their files), :func:`render_report` (PDF bytes in memory and the
swatch placements), :class:`ReportOptions`, :class:`ReportCancelled`.
"""

from __future__ import annotations

from shadematch.reporting.builder import (
    RenderedReport,
    ReportCancelled,
    ReportOptions,
    build_report,
    build_reports,
    copy_paths,
    recipe,
    render_report,
)

__all__ = ["RenderedReport", "ReportCancelled", "ReportOptions", "build_report", "build_reports",
           "copy_paths", "recipe", "render_report"]
