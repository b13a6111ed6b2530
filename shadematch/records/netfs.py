"""Is a folder on a network filesystem? SQLite must not be shared over one (its locking and
WAL do not work over NFS or SMB), so the SQLite store refuses such a folder and points to the
server mode.

Linux: the mount table (``/proc/mounts``), the longest mount point holding the folder. Windows:
a UNC path or a mapped network drive. macOS and others: ``mount`` output when it answers (best
effort; a folder that cannot be classified is taken as local).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shadematch.errors import RecordsError

MOUNTS_FILE = Path("/proc/mounts")
NETWORK_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "ncpfs", "coda", "ceph",
    "glusterfs", "fuse.glusterfs", "fuse.sshfs", "sshfs", "davfs", "fuse.davfs2", "9p",
    "fuse.rclone", "lustre", "gpfs", "ocfs2", "gfs2", "webdav",
})


class NetworkFilesystemError(RecordsError):
    """The SQLite records would be on a network filesystem (refused; use the server mode)."""


def _unescape(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _existing(path: Path) -> Path:
    """``path`` absolute with its symbolic links followed (as far as it exists)."""
    path = Path(os.path.abspath(path))
    try:
        return path.resolve()
    except OSError:
        return path


def fs_type_linux(path: Path, mounts_file: Path | None = None) -> str | None:
    """The filesystem type of the mount holding ``path`` (None when the table is unreadable)."""
    try:
        text = (mounts_file or MOUNTS_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    target = str(_existing(path))
    best, best_type = "", None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _unescape(fields[1]).rstrip("/") or "/"
        inside = target == point or target.startswith(point + "/") or point == "/"
        if inside and len(point) >= len(best):
            best, best_type = point, fields[2]
    return best_type


def _fs_type_other(path: Path) -> str | None:
    if sys.platform == "win32":
        text = str(Path(os.path.abspath(path)))
        if text.startswith("\\\\"):
            return "smb"
        try:
            import ctypes

            drive = text[:3]
            if ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # DRIVE_REMOTE
                return "smb"
        except (AttributeError, OSError):
            return None
        return None
    if sys.platform == "darwin":
        import subprocess

        try:
            out = subprocess.run(["df", "-T", str(_existing(path))], capture_output=True,
                                 text=True, timeout=5).stdout
            out += subprocess.run(["mount"], capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        target = str(_existing(path))
        best, best_type = "", None
        for line in out.splitlines():
            # "//user@server/share on /Volumes/share (smbfs, nodev, ...)"
            if " on " not in line or "(" not in line:
                continue
            point = line.split(" on ", 1)[1].split(" (", 1)[0]
            kind = line.rsplit("(", 1)[1].split(",")[0].strip(" )")
            if (target == point or target.startswith(point.rstrip("/") + "/")) \
                    and len(point) >= len(best):
                best, best_type = point, kind
        return best_type
    return None


def network_fs_type(path: Path) -> str | None:
    """The network filesystem type holding ``path`` ("nfs4", "cifs"...), or None if local."""
    kind = fs_type_linux(path) if sys.platform.startswith("linux") else _fs_type_other(path)
    if kind and (kind.lower() in NETWORK_TYPES or kind.lower().startswith(("nfs", "smb"))):
        return kind
    return None


def refuse_network_folder(folder: Path) -> None:
    """NetworkFilesystemError when ``folder`` is on a network filesystem."""
    kind = network_fs_type(folder)
    if kind:
        raise NetworkFilesystemError(
            f"The records folder {folder} is on a network filesystem ({kind}). SQLite records "
            f"must not be shared over a network drive (its locking does not work there, and "
            f"two workstations would damage them), so nothing was opened. Keep the data folder "
            f"on a local disk (SHADEMATCH_DATA_DIR), or share the records through a server: "
            f"set up PostgreSQL, copy these records with `shadematch records migrate-to URL`, "
            f"then set SHADEMATCH_DATABASE_URL (or Preferences > Records) on every "
            f"workstation. See docs/RECORDS.md (Server mode).")
