"""The camera folder side panel: the photos of one folder, newest first, kept up to date.

All file work (listing, reading EXIF dates, decoding thumbnails) runs on the panel's
:class:`~shadematch.gui.common.workers.TaskRunner`; the GUI thread only turns results into list items.
The folder is watched with ``QFileSystemWatcher`` plus a light poll (network drives and some
tethering tools do not send change notifications); a new photo appears once it has stopped growing
(:class:`shadematch.folder_scanning.FolderWatchState`).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shadematch.folder_scanning import (
    FileStamp,
    FolderWatchState,
    PhotoEntry,
    PhotoVanishedError,
    describe_photo,
    snapshot_folder,
)
from shadematch.gui.common.settings import Settings
from shadematch.gui.common.theme import ERROR_COLOUR, GREYS, grey
from shadematch.gui.common.workers import TaskRunner, failure_text
from shadematch.imaging.thumbnail_cache import Thumbnail, ThumbnailCache

log = logging.getLogger(__name__)

PATH_ROLE = Qt.ItemDataRole.UserRole
ERROR_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2   # "loading", "ok", "error"
LINES_ROLE = Qt.ItemDataRole.UserRole + 3   # the full "name\nday\nclock" before eliding

_FRAME_NUMBER = re.compile(r"\d+")
ELLIPSIS = "\u2026"


def elide_keeping_frame(name: str, fits: Callable[[str], bool]) -> str:
    """``name`` shortened so that ``fits`` accepts it, keeping its frame number and extension.

    Camera files differ by their frame number ("IMG_0101_retouched.jpg"), so plain middle
    eliding ("IMG_010…ed.jpg") hides what tells them apart. This keeps everything up to the end of
    the first run of digits, then an ellipsis, then as much of the end as fits
    ("IMG_0101…hed.jpg"). When even that is too wide the prefix before the number goes first
    ("…0101…jpg"); a name without digits is elided in the middle.
    """
    if fits(name):
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    frame = _FRAME_NUMBER.search(stem)
    if frame is None:
        for keep in range(len(name) - 1, 0, -1):
            head, tail = name[:(keep + 1) // 2], name[len(name) - keep // 2:]
            if fits(head + ELLIPSIS + tail):
                return head + ELLIPSIS + tail
        return ELLIPSIS
    head, rest = stem[:frame.end()], stem[frame.end():]
    for keep in range(len(rest) - 1, -1, -1):
        candidate = head + ELLIPSIS + rest[len(rest) - keep:] + suffix
        if fits(candidate):
            return candidate
    digits = frame.group()
    for candidate in (ELLIPSIS + digits + ELLIPSIS + suffix, ELLIPSIS + digits + ELLIPSIS):
        if fits(candidate):
            return candidate
    return ELLIPSIS + digits


# --- worker-side functions (no Qt widgets; run on the pool) -----------------------------------
def _timed_snapshot(folder: Path, **_ignored) -> tuple[dict[Path, FileStamp], float]:
    snap = snapshot_folder(folder)
    return snap, time.monotonic()


def _timed_listing(folder: Path, cancelled=None, **_ignored):
    """Snapshot plus the EXIF/mtime date of every photo in it (the first view of a folder)."""
    snap = snapshot_folder(folder, cancelled=cancelled)
    now = time.monotonic()
    entries = {}
    for path, stamp in snap.items():
        if cancelled is not None and cancelled():
            break
        entries[path] = describe_photo(path, stamp)
    return snap, now, entries


def _load_item(path: Path, stamp: FileStamp, cache: ThumbnailCache, entry: PhotoEntry | None,
               cancelled=None, **_ignored) -> tuple[PhotoEntry, Thumbnail]:
    if entry is None:
        entry = describe_photo(path, stamp)
    return entry, cache.get(path, cancelled=cancelled)


# --- pixmaps ------------------------------------------------------------------------------------
def _placeholder(size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(grey(GREYS["alternate_base"]))
    return pixmap


def _error_pixmap(size: int) -> QPixmap:
    """A grey tile with a red round '!' badge: the file is there but cannot be read."""
    pixmap = _placeholder(size)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    diameter = size * 0.42
    x = (size - diameter) / 2
    painter.setBrush(ERROR_COLOUR)
    painter.setPen(QPen(QColor(255, 255, 255), max(1.0, size / 48)))
    painter.drawEllipse(int(x), int(x), int(diameter), int(diameter))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(diameter * 0.7))
    painter.setFont(font)
    painter.drawText(int(x), int(x), int(diameter), int(diameter),
                     Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    return pixmap


def _thumbnail_pixmap(thumb: Thumbnail, size: int) -> QPixmap:
    """The thumbnail centred on a square neutral tile (so every row lines up)."""
    rgb = thumb.rgb
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()
    tile = _placeholder(size)
    scaled = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    painter = QPainter(tile)
    painter.drawImage((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    painter.end()
    return tile


class _HintList(QListWidget):
    """A list that says what to do when it is empty."""

    hint = "Choose the folder your camera or tethering software saves to (Open folder…).\n\n" \
           "Photos appear here newest first, and new ones as soon as they arrive."
    hint_empty_folder = ("No photos in this folder yet.\n\nNew photos appear here as soon as "
                         "they have been copied or shot into it.")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if self.count():
            return
        painter = QPainter(self.viewport())
        painter.setPen(grey(GREYS["disabled_text"] + 30))
        rect = self.viewport().rect().adjusted(12, 12, -12, -12)
        painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap, self.hint)
        painter.end()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.elide_names()

    def name_width(self) -> int:
        """Pixels the name line of an item has beside its thumbnail."""
        return max(24, self.viewport().width() - self.iconSize().width() - 4 * self.spacing() - 16)

    def elide_names(self) -> None:
        """Re-fit every item's name line to the list's width (the full name is in its tooltip)."""
        for row in range(self.count()):
            self.elide_item(self.item(row))

    def elide_item(self, item: QListWidgetItem) -> None:
        lines = item.data(LINES_ROLE)
        if not lines:
            return
        name, _, rest = lines.partition("\n")
        metrics = self.fontMetrics()
        width = self.name_width()
        short = elide_keeping_frame(name, lambda text: metrics.horizontalAdvance(text) <= width)
        text = f"{short}\n{rest}" if rest else short
        if item.text() != text:
            item.setText(text)


class CameraFolderPanel(QWidget):
    """Side panel listing one folder's photos, newest first, with thumbnails.

    Parameters
    ----------
    settings : typed settings (last folder, recent folders, auto-open option).
    runner : task runner for the file work; by default the panel makes its own with two
        threads, so thumbnails never hold up the main window's photo decoding.
    cache : thumbnail cache (default: in the user data folder).
    poll_interval_ms : the light poll for network drives that send no change notifications
        (a listing of names, sizes and dates: a few milliseconds for hundreds of photos). With
        ``settle_seconds`` it bounds how soon a new photo shows when no notification comes:
        poll + settle + one 250 ms re-scan, about 1.6 s.
    settle_seconds : how long a new file must stop growing before it is read.

    Signals
    -------
    photo_activated(str) : the user opened a photo (double-click / Enter), or a new photo arrived
        while "open new photos automatically" is on.
    folder_changed(str) : a folder is now shown.
    """

    photo_activated = Signal(str)
    folder_changed = Signal(str)

    def __init__(self, settings: Settings, runner: TaskRunner | None = None,
                 cache: ThumbnailCache | None = None, poll_interval_ms: int = 750,
                 settle_seconds: float = 0.6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraFolderPanel")
        self.settings = settings
        self._own_runner = runner is None
        self.runner = runner if runner is not None else TaskRunner(self, max_threads=2)
        self.cache = cache if cache is not None else ThumbnailCache()
        self.settle_seconds = settle_seconds
        self._folder: Path | None = None
        self._generation = 0
        self._state = FolderWatchState(settle_seconds)
        self._entries: dict[Path, PhotoEntry] = {}
        self._items: dict[Path, QListWidgetItem] = {}
        self._jobs: list = []
        self._scan_busy = False
        self._listing_done = False
        self._icon_size = settings.thumbnail_size
        self._placeholder_icon = QIcon(_placeholder(self._icon_size * 2))
        self._error_icon = QIcon(_error_pixmap(self._icon_size * 2))

        self._build()

        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._on_directory_changed)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_interval_ms)
        self._poll.timeout.connect(self.rescan)
        self._soon = QTimer(self)  # debounced / quick re-scan while a file is settling
        self._soon.setSingleShot(True)
        self._soon.timeout.connect(self.rescan)

    # --- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        self.open_button = QPushButton("Open folder…", self)
        self.open_button.setToolTip("Choose the folder your camera or tethering software saves "
                                    "photos to (Ctrl+Shift+O)")
        self.open_button.clicked.connect(self.choose_folder)

        self.recent_button = QPushButton("Recent", self)
        self.recent_button.setToolTip("Folders opened recently")
        self.recent_button.setMenu(self.recent_folders_menu(self.recent_button))

        self.folder_label = QLabel("No folder chosen", self)
        self.folder_label.setProperty("role", "hint")
        self.folder_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.auto_open_box = QCheckBox("Open new photos automatically", self)
        self.auto_open_box.setToolTip("Tethered shooting: each new photo that arrives in the "
                                      "folder opens as soon as it is completely written.")
        self.auto_open_box.setChecked(self.settings.auto_open_newest)
        self.auto_open_box.toggled.connect(self._on_auto_open_toggled)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("cameraFolderMessage")
        self.message_label.setProperty("role", "inline-error")
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        self.list = _HintList(self)
        self.list.setObjectName("cameraFolderList")
        self.list.setViewMode(QListWidget.ViewMode.ListMode)
        self.list.setIconSize(QSize(self._icon_size, self._icon_size))
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSpacing(2)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setWordWrap(False)
        self.list.setToolTip("")
        self.list.itemActivated.connect(self._on_item_activated)

        self.count_label = QLabel("", self)
        self.count_label.setProperty("role", "hint")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.open_button)
        top.addWidget(self.recent_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.auto_open_box)
        layout.addWidget(self.message_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count_label)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self._icon_size + 190, 480)

    def recent_folders_menu(self, parent: QWidget | None = None) -> QMenu:
        """A menu of the recent folders, rebuilt each time it opens (also used by File menu)."""
        menu = QMenu("Recent folders", parent)
        menu.setObjectName("recentFoldersMenu")
        self.fill_recent_folders_menu(menu)
        return menu

    def fill_recent_folders_menu(self, menu: QMenu) -> None:
        """Keep ``menu`` listing the recent folders (rebuilt each time it opens)."""
        menu.aboutToShow.connect(lambda: self._fill_recent_menu(menu))
        self._fill_recent_menu(menu)

    def _fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        folders = self.settings.recent_folders
        if not folders:
            action = menu.addAction("No recent folders")
            action.setEnabled(False)
            return
        for folder in folders:
            action = menu.addAction(folder)
            action.triggered.connect(lambda _checked=False, f=folder: self.set_folder(f))
        menu.addSeparator()
        menu.addAction("Clear list", self._clear_recent)

    def _clear_recent(self) -> None:
        self.settings.recent_folders = []

    # --- public API --------------------------------------------------------------------------
    def folder(self) -> Path | None:
        """The folder shown, or None."""
        return self._folder

    def paths(self) -> list[Path]:
        """Photos shown, in display order (newest first)."""
        return [Path(self.list.item(i).data(PATH_ROLE)) for i in range(self.list.count())
                if not self.list.item(i).isHidden()]

    def item_state(self, path: str | os.PathLike) -> tuple[str, str | None] | None:
        """("loading" | "ok" | "error", error message or None) for a listed photo, else None."""
        item = self._items.get(Path(path).absolute())
        if item is None:
            return None
        return item.data(STATE_ROLE), item.data(ERROR_ROLE) or None

    def item(self, path: str | os.PathLike) -> QListWidgetItem | None:
        return self._items.get(Path(path).absolute())

    def mark_open(self, path: str | os.PathLike) -> None:
        """Select and scroll to ``path`` (the photo open in the window), if it is listed."""
        item = self._items.get(Path(path).expanduser().absolute())
        if item is None or item.isHidden():
            self.list.clearSelection()
            return
        self.list.setCurrentItem(item)
        self.list.scrollToItem(item)

    def is_busy(self) -> bool:
        """True while listing or thumbnail jobs are still running."""
        return bool(self._pending_jobs()) or self._scan_busy or not self._listing_done

    def choose_folder(self) -> None:
        """Ask for a folder and show it."""
        start = str(self._folder or self.settings.camera_folder or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Open camera folder", start)
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder: str | os.PathLike) -> None:
        """Show ``folder``: list it off-thread, watch it, remember it in the recent folders."""
        path = Path(folder).expanduser().absolute()
        self._cancel_jobs()
        self._generation += 1
        self._folder = path
        self._state = FolderWatchState(self.settle_seconds)
        self._entries.clear()
        self._items.clear()
        self.list.clear()
        self._listing_done = False
        self._scan_busy = False
        self._show_message(None)
        self.folder_label.setText(str(path))
        self.folder_label.setToolTip(str(path))
        self.list.hint = _HintList.hint_empty_folder
        self.list.viewport().update()
        self.count_label.setText("Reading folder…")
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        if path.is_dir():
            self._watcher.addPath(str(path))
        self.settings.last_folder = str(path)
        self.settings.add_recent_folder(path)
        generation = self._generation
        self._track(self.runner.submit(
            _timed_listing, folder=path, channel=f"camera-list-{id(self)}",
            on_done=lambda result: self._on_listing(generation, result),
            title=f"Reading the folder {path}", quiet=True,
            on_failure=lambda exc: self._on_scan_error(generation, exc)))
        self._poll.start()
        self.folder_changed.emit(str(path))

    def rescan(self) -> None:
        """Look at the folder again now (off-thread); new, changed and removed photos follow."""
        if self._folder is None or self._scan_busy or not self._listing_done:
            return
        self._scan_busy = True
        generation = self._generation
        self._track(self.runner.submit(
            _timed_snapshot, folder=self._folder, channel=f"camera-scan-{id(self)}",
            pass_progress=False,
            on_done=lambda result: self._on_snapshot(generation, result),
            title=f"Scanning the folder {self._folder}", quiet=True,
            on_failure=lambda exc: self._on_scan_error(generation, exc)))

    def shutdown(self, msecs: int = 10000) -> None:
        """Stop watching and wait for the panel's jobs (call before the window closes)."""
        self._poll.stop()
        self._soon.stop()
        self._cancel_jobs()
        if self._own_runner:
            self.runner.shutdown()
        else:
            for job in self._jobs:
                job.finished.wait(msecs / 1000)

    # --- results (GUI thread) ----------------------------------------------------------------
    def _on_listing(self, generation: int, result) -> None:
        if generation != self._generation:
            return
        snap, now, entries = result
        self._listing_done = True
        self._entries.update(entries)
        delta = self._state.update(snap, now)
        # newest first, so the thumbnails at the top of the list are made first
        ready = sorted(delta.ready, key=lambda p: entries[p].sort_key() if p in entries else (),
                       reverse=True)
        for path in ready:
            self._add_item(path, snap[path], entries.get(path), initial=True)
        self._after_scan()

    def _on_snapshot(self, generation: int, result) -> None:
        if generation != self._generation:
            return
        self._scan_busy = False
        if self.message_label.isVisible():  # the folder is back
            self._show_message(None)
            self.list.hint = _HintList.hint_empty_folder
        snap, now = result
        if self._folder is not None and not self._watcher.directories():
            self._watcher.addPath(str(self._folder))  # the folder came back
        initial = self._state.fresh  # the folder (re)appeared: its photos are not arrivals
        delta = self._state.update(snap, now)
        for path in delta.removed:
            self._remove_item(path)
        for path in delta.ready:
            self._entries.pop(path, None)
            self._add_item(path, snap[path], None, initial=initial)
        self._after_scan()

    def _on_scan_error(self, generation: int, exc: BaseException) -> None:
        """Any failure of a scan (the runner logged it), said above the list."""
        if generation != self._generation:
            return
        self._scan_busy = False
        self._listing_done = True
        self._show_message(failure_text(exc, "The folder could not be read"))
        for path in list(self._items):
            self._remove_item(path)
        self.list.hint = ""  # the message above says what is wrong
        self.list.viewport().update()
        self._state = FolderWatchState(self.settle_seconds)
        self._update_count()

    def _after_scan(self) -> None:
        self._update_count()
        if self._state.has_pending():
            self._soon.start(250)

    def _add_item(self, path: Path, stamp: FileStamp, entry: PhotoEntry | None,
                  initial: bool) -> None:
        item = self._items.get(path)
        if item is None:
            item = QListWidgetItem(self._placeholder_icon, path.name)
            item.setData(PATH_ROLE, str(path))
            item.setData(STATE_ROLE, "loading")
            item.setData(ERROR_ROLE, "")  # never None: PySide6 mis-counts None in item data
            item.setSizeHint(QSize(self._icon_size + 8, self._icon_size + 8))
            if entry is not None:
                self._place(item, entry)
            else:
                item.setHidden(True)  # shown once its date is known (it may sort anywhere)
                self.list.addItem(item)
            self._items[path] = item
        else:
            item.setData(STATE_ROLE, "loading")
        generation = self._generation
        self._track(self.runner.submit(
            _load_item, path=path, stamp=stamp, cache=self.cache, entry=entry,
            channel=f"thumb-{id(self)}-{path}",
            on_done=lambda result: self._on_item_loaded(generation, path, result, initial),
            title=f"Describing {path}", quiet=True,
            on_failure=lambda exc: self._on_item_failed(generation, path, exc)))

    def _place(self, item: QListWidgetItem, entry: PhotoEntry) -> None:
        """Insert (or move) ``item`` where ``entry`` belongs, newest first."""
        path = entry.path
        self._entries[path] = entry
        row = self.list.row(item)
        if row >= 0:
            self.list.takeItem(row)
        key = entry.sort_key()
        position = self._dated_count()
        last = self._entries.get(Path(self.list.item(position - 1).data(PATH_ROLE))) \
            if position else None
        if last is None or last.sort_key() < key:  # not simply the oldest: find its place
            for i in range(position):
                other = self._entries.get(Path(self.list.item(i).data(PATH_ROLE)))
                if other is not None and other.sort_key() < key:
                    position = i
                    break
        self.list.insertItem(position, item)
        day, _, clock = entry.taken_label().partition(" ")
        item.setData(LINES_ROLE, f"{entry.name}\n{day}\n{clock}")
        self.list.elide_item(item)
        source = "taken (EXIF)" if entry.taken_source == "exif" else "file modified"
        item.setData(Qt.ItemDataRole.ToolTipRole, f"{path}\n{entry.taken_label()} ({source})")
        item.setHidden(False)

    def _dated_count(self) -> int:
        """Rows at the top that are placed by date (undated new arrivals wait hidden below)."""
        count = self.list.count()
        while count and self.list.item(count - 1).isHidden():
            count -= 1
        return count

    def _on_item_loaded(self, generation: int, path: Path, result, initial: bool) -> None:
        if generation != self._generation:
            return
        item = self._items.get(path)
        if item is None:
            return
        entry, thumb = result
        if self._entries.get(path) is not entry:
            self._place(item, entry)
        if thumb.ok:
            item.setIcon(QIcon(_thumbnail_pixmap(thumb, self._icon_size * 2)))
            item.setData(STATE_ROLE, "ok")
            item.setData(ERROR_ROLE, "")  # never None: PySide6 mis-counts None in item data
        else:
            item.setIcon(self._error_icon)
            item.setData(STATE_ROLE, "error")
            item.setData(ERROR_ROLE, thumb.error)
            item.setData(Qt.ItemDataRole.ToolTipRole,
                         f"{path.name} cannot be opened:\n{thumb.error}")
        self._update_count()
        if not initial and thumb.ok and self.auto_open_box.isChecked():
            self.photo_activated.emit(str(path))  # the photo that just arrived

    def _on_item_failed(self, generation: int, path: Path, exc: BaseException) -> None:
        """Any failure to describe one photo (the runner logged it), shown on its item."""
        if generation != self._generation:
            return
        item = self._items.get(path)
        if item is None:
            return
        if isinstance(exc, PhotoVanishedError):
            self._remove_item(path)  # vanished between the scan and now
            return
        item.setIcon(self._error_icon)
        item.setData(STATE_ROLE, "error")
        text = failure_text(exc, f"{path.name} could not be described")
        item.setData(ERROR_ROLE, text)
        item.setData(Qt.ItemDataRole.ToolTipRole, f"{path.name} cannot be opened:\n{text}")
        item.setHidden(False)

    def _remove_item(self, path: Path) -> None:
        item = self._items.pop(path, None)
        self._entries.pop(path, None)
        if item is not None:
            self.list.takeItem(self.list.row(item))
        self._update_count()

    # --- slots -------------------------------------------------------------------------------
    @Slot(str)
    def _on_directory_changed(self, _path: str) -> None:
        self._soon.start(150)  # coalesce bursts of notifications into one scan

    @Slot(QListWidgetItem)
    def _on_item_activated(self, item: QListWidgetItem) -> None:
        self.photo_activated.emit(item.data(PATH_ROLE))

    @Slot(bool)
    def _on_auto_open_toggled(self, checked: bool) -> None:
        self.settings.auto_open_newest = checked

    # --- helpers -----------------------------------------------------------------------------
    def _show_message(self, text: str | None) -> None:
        self.message_label.setText(text or "")
        self.message_label.setVisible(bool(text))

    def _update_count(self) -> None:
        if self._folder is None:
            self.count_label.setText("")
            return
        shown = len(self._items)
        bad = sum(1 for item in self._items.values() if item.data(STATE_ROLE) == "error")
        text = f"{shown} photo{'s' if shown != 1 else ''}"
        if bad:
            text += f", {bad} unreadable"
        if shown == 0 and self._listing_done and not self.message_label.isVisible():
            text = "No photos in this folder yet"
        self.count_label.setText(text)

    def _track(self, job) -> None:
        self._jobs = [j for j in self._jobs if not j.finished.is_set()]
        self._jobs.append(job)

    def _pending_jobs(self) -> list:
        return [j for j in self._jobs if not j.finished.is_set()]

    def _cancel_jobs(self) -> None:
        for job in self._jobs:
            job.cancel()
        self._jobs = [j for j in self._jobs if not j.finished.is_set()]
