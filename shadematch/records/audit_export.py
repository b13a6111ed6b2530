"""The audit log as CSV (for an admin's export; the GUI viewer and the CLI write the same)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from shadematch.records.access import AUDIT_COLUMNS

CSV_HEADER = ("time (UTC)", "user", "action", "record", "detail")


def audit_csv(entries: Iterable[dict]) -> str:
    """``entries`` (from ``audit_log()``) as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for entry in entries:
        writer.writerow(["" if entry.get(c) is None else entry[c] for c in AUDIT_COLUMNS])
    return out.getvalue()
