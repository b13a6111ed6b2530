"""The client records in the main window: a Clients dock and File > Save to client….

The dock lists clients (search as you type; screening flags in red), shows the selected client's
details and visit timeline with thumbnails, opens a past visit (its analysis is restored into the
workspace, with the photo copy kept in the store), and for a returning client compares today's
samples with earlier visits (dE00, direction words, the pigment, dilution and batch used then).

Every store call runs off the GUI thread on the window's
:class:`~shadematch.gui.common.workers.TaskRunner`; widgets never touch SQLite or files. Installed by
:func:`shadematch.gui.shell.composition.compose` with the window services.
"""

from __future__ import annotations

import html
import logging
import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from shadematch.errors import ShadematchError, UnknownClientError
from shadematch.gui.clients.client_dialog import (
    FLAG_STYLE,
    ClientDialog,
    SaveVisitDialog,
    delete_client_box,
)
from shadematch.gui.common.services import WindowServices
from shadematch.gui.common.theme import ERROR_COLOUR
from shadematch.vocabulary import shade_label

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 200
TOUCH_UP_DELAY_MS = 300
THUMB_SIZE = 72
CLIENT_ID_ROLE = Qt.UserRole
VISIT_ID_ROLE = Qt.UserRole + 1
# The client fields the front desk sees and may change (the records leave the others out).
FRONT_DESK_FIELDS = ("name", "dob", "contact")


# -- worker functions (run on the TaskRunner; no widgets here) -----------------------------------
def list_clients(records: ClientRecords, text: str):
    return records.store().search_clients(text)


def client_timeline(records: ClientRecords, client_id: int):
    """The client, their visits and each visit's thumbnail (a QImage, made off the GUI thread)."""
    store = records.store()
    client = store.get_client(client_id)
    visits = store.visits(client_id)
    thumbs = {}
    for visit in visits:
        photo = visit.photo
        if photo is not None and photo.thumbnail_path is not None:
            image = QImage(str(photo.thumbnail_path))
            if not image.isNull():
                thumbs[visit.id] = image.scaled(THUMB_SIZE, THUMB_SIZE, Qt.KeepAspectRatio,
                                                Qt.SmoothTransformation)
    return client, visits, thumbs


def save_client(records: ClientRecords, client_id: int | None, details: dict, answers: dict,
                consent: bool, expected=None) -> int:
    """Add or update a client; a screening is recorded only when the answers changed.

    ``expected``: the client as the edit started from; when it was changed elsewhere since,
    EditConflict is raised before anything is saved."""
    from shadematch.records.models import normalise_screening

    store = records.store()
    if client_id is None:
        client_id = store.add_client(**details)
        previous = None
    else:
        previous = store.get_client(client_id).screening
        store.update_client(client_id, expected=expected, **details)
    clean = normalise_screening(answers)
    answered = any(item.get("answer") or item.get("note") or item.get("patch_test_date")
                   for item in clean.values())
    if (previous is None and answered) or (previous is not None and previous.answers != clean):
        store.set_screening(client_id, clean)
    if consent:
        store.record_consent(client_id)
    return client_id


class KeptForLater:
    """A visit save kept on this workstation because the records server was unreachable."""

    def __init__(self, token: str, reason: str) -> None:
        self.token = token
        self.reason = reason


def save_visit(records: ClientRecords, client_id: int, analysis: dict, photo_path: str | None,
               fields: dict) -> int | KeptForLater:
    """Save the visit; when the server cannot be reached, keep it (analysis, fields, a copy of
    the photo) in the pending saves, to be stored by :func:`flush_pending` later."""
    import uuid

    from shadematch.records.backends.errors import ServerUnavailable
    from shadematch.records.pending import PendingSaves

    token = uuid.uuid4().hex  # the same save, whether it is stored now or later
    try:
        return records.store().save_visit(client_id, analysis, photo_path, save_token=token,
                                          **fields)
    except ServerUnavailable as exc:
        PendingSaves.for_data_dir(records.data_dir).add(client_id, analysis, photo_path,
                                                        save_token=token, **fields)
        return KeptForLater(token, str(exc))


def flush_pending(records: ClientRecords) -> tuple[dict, int]:
    """Store the kept visit saves; returns ({token: visit id} stored, how many are left)."""
    from shadematch.records.pending import PendingSaves

    pending = PendingSaves.for_data_dir(records.data_dir)
    if not len(pending):
        return {}, 0
    done = pending.flush(records.store())
    return done, len(pending)


def load_visit(records: ClientRecords, visit_id: int):
    """The visit, and its photo copy decoded for display (None when the copy is missing)."""
    from shadematch.gui.photo.photo_decoding import decode_for_display

    visit = records.store().get_visit(visit_id)
    stored = visit.photo.stored_path if visit.photo is not None else None
    if stored is not None and Path(stored).is_file():
        photo, display = decode_for_display(str(stored))
        return visit, replace(photo, display_name=visit_photo_name(visit)), display
    return visit, None, None


def visit_photo_name(visit) -> str | None:
    """The visit photo's own file name: the original file's, or the one its analysis recorded;
    never the store copy's hash name."""
    original = visit.photo.original_path if visit.photo is not None else None
    if original:
        return Path(original).name
    photo = visit.analysis.get("photo") if isinstance(visit.analysis, dict) else None
    name = photo.get("name") if isinstance(photo, dict) else None
    return str(name) if name else None


def erase_client(records: ClientRecords, client_id: int) -> dict:
    """Erase the client and their visits, photo copies and thumbnails (``delete_client``).

    The counts also carry ``"photo_shas"``: the content hashes of the client's photos (read
    before the erasure), so that the window forgets its own copies of their analyses.
    """
    store = records.store()
    shas = sorted({v.photo.sha256 for v in store.visits(client_id)
                   if v.photo is not None and v.photo.sha256})
    counts = dict(store.delete_client(client_id))
    counts["photo_shas"] = shas
    return counts


def export_client_folder(records: ClientRecords, client_id: int, parent: str) -> Path:
    """Export the client into a new folder inside ``parent`` (a free name is chosen)."""
    import re
    from datetime import date

    store = records.store()
    client = store.get_client(client_id)
    slug = re.sub(r"[^\w-]+", "-", client.name, flags=re.UNICODE).strip("-_")[:40]
    stem = f"shadematch-client-{client_id}" + (f"-{slug}" if slug else "") + \
        f"-{date.today().isoformat()}"
    base = Path(parent).expanduser()
    out, n = base / stem, 2
    while out.exists():
        out, n = base / f"{stem}-{n}", n + 1
    return store.export_client(client_id, out)


def set_report_path(records: ClientRecords, visit_id: int, report_path: str):
    return records.store().update_visit(visit_id, report_path=report_path)


def touch_up(records: ClientRecords, client_id: int, samples: dict, created: str | None):
    """The touch-up comparison, leaving out the visit that stored this very analysis."""
    store = records.store()
    same = {v.id for v in store.visits(client_id)
            if created and v.analysis.get("created") == created}
    return [row for row in store.touch_up_comparison(client_id, samples)
            if row["visit_id"] not in same]


# -- the view --------------------------------------------------------------------------------------
class ClientsView(QWidget):
    """Search, client list, the selected client's header, visit timeline and touch-up panel."""

    client_selected = Signal(object)     # client id or None

    def __init__(self, records: ClientRecords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clientsView")
        self.records = records
        self.client = None
        self.shown: list = []  # the clients the list shows now
        self.visits: list = []
        self.message = QLabel("", self)
        self.message.setObjectName("clientMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(FLAG_STYLE)
        self.message.hide()
        self.search = QLineEdit(self)
        self.search.setObjectName("clientSearch")
        self.search.setPlaceholderText("Search clients (name, contact, #id)")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("clientList")
        self.new_button = QPushButton("&New client…", self)
        self.new_button.setObjectName("newClientButton")
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.setObjectName("editClientButton")
        self.save_button = QPushButton("Save &to client…", self)
        self.save_button.setObjectName("saveToClientButton")
        self.export_button = QPushButton("E&xport…", self)
        self.export_button.setObjectName("exportClientButton")
        self.export_button.setToolTip("Copy the client, their visits and photo copies to a new "
                                      "folder (to move them to another computer, or to keep)")
        self.delete_button = QPushButton("&Delete…", self)
        self.delete_button.setObjectName("deleteClientButton")
        self.delete_button.setToolTip("Erase the client with their visits, photo copies and "
                                      "thumbnails (asks first)")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.save_button):
            buttons.addWidget(button)
        more = QHBoxLayout()
        more.addStretch(1)
        for button in (self.export_button, self.delete_button):
            more.addWidget(button)
        self.header = QLabel("", self)
        self.header.setObjectName("clientHeader")
        self.header.setWordWrap(True)
        self.flags = QLabel("", self)
        self.flags.setObjectName("clientFlags")
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet(FLAG_STYLE)
        self.timeline = QListWidget(self)
        self.timeline.setObjectName("visitTimeline")
        self.timeline.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.timeline.setToolTip("Double-click a visit to open its analysis")
        self.open_button = QPushButton("&Open visit", self)
        self.open_button.setObjectName("openVisitButton")
        self.touch_up = QLabel("", self)
        self.touch_up.setObjectName("touchUpView")
        self.touch_up.setWordWrap(True)
        self.touch_up.setTextFormat(Qt.RichText)
        self.touch_up.setAlignment(Qt.AlignTop | Qt.AlignLeft)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.search)
        top_layout.addWidget(self.list, 1)
        top_layout.addLayout(buttons)
        top_layout.addLayout(more)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.header)
        bottom_layout.addWidget(self.flags)
        bottom_layout.addWidget(self.timeline, 2)
        bottom_layout.addWidget(self.open_button)
        bottom_layout.addWidget(self.touch_up, 1)
        splitter = QSplitter(Qt.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.list.currentItemChanged.connect(lambda item, _old: self._select(item))
        self.list.itemDoubleClicked.connect(lambda _item: records.edit_client())
        self.new_button.clicked.connect(records.new_client)
        self.edit_button.clicked.connect(records.edit_client)
        self.save_button.clicked.connect(records.save_to_client)
        self.export_button.clicked.connect(records.export_client)
        self.delete_button.clicked.connect(records.delete_client)
        self.timeline.itemDoubleClicked.connect(lambda item: records.open_visit(
            item.data(VISIT_ID_ROLE)))
        self.open_button.clicked.connect(self._open_current)
        self._update_buttons()

    # -- what the widgets show -----------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def refresh(self) -> None:
        self.records.submit(list_clients, "records-list", self.show_clients,
                            text=self.search.text())

    def show_clients(self, clients, select: int | None = None) -> None:
        self.shown = list(clients)
        keep = select if select is not None else (self.client.id if self.client else None)
        self.list.blockSignals(True)
        self.list.clear()
        current = None
        for client in clients:
            text = client.name + (f"  (born {client.dob})" if client.dob else "")
            text += f"  · {client.visit_count} visit{'s' if client.visit_count != 1 else ''}"
            flags = client.flags()
            if flags:
                text = "⚠ " + text + "  — " + ", ".join(f.replace("_", " ") for f in flags)
            item = QListWidgetItem(text)
            item.setData(CLIENT_ID_ROLE, client.id)
            if flags:
                item.setForeground(ERROR_COLOUR)
                item.setToolTip("Screening: " + "; ".join(client.flag_labels()))
            self.list.addItem(item)
            if client.id == keep:
                current = item
        self.list.blockSignals(False)
        if current is not None:
            self.list.setCurrentItem(current)
            self._select(current)
        elif self.client is not None:
            self._select(None)

    def _select(self, item: QListWidgetItem | None) -> None:
        client_id = item.data(CLIENT_ID_ROLE) if item is not None else None
        if client_id is None:
            self.client, self.visits = None, []
            self.header.setText("")
            self.flags.setText("")
            self.timeline.clear()
            self.touch_up.setText("")
            self._update_buttons()
            self.client_selected.emit(None)
            return
        if self.records.is_erased(client_id):
            self._select(None)
            return
        self.records.submit(client_timeline, "records-timeline", self.show_timeline,
                            client_id=client_id)

    def clear_selection(self) -> None:
        """Show no client (after the selected one was erased)."""
        self.list.blockSignals(True)
        self.list.setCurrentItem(None)
        self.list.blockSignals(False)
        self._select(None)

    def show_timeline(self, result) -> None:
        client, visits, thumbs = result
        if self.records.is_erased(client.id):
            return  # a timeline asked for before the client was erased
        self.client, self.visits = client, visits
        age = client.age()
        consent = (f"consent {client.consent_at[:10]}" if client.consent_at
                   else f"<span style='color:{ERROR_COLOUR.name()}'>no consent recorded</span>")
        details = [f"<b>{html.escape(client.name)}</b> #{client.id}"]
        if client.dob:
            details.append(f"born {client.dob}" + (f" (age {age})" if age is not None else ""))
        if client.hair_loss_pattern:
            details.append(html.escape(client.hair_loss_pattern))
        details.append(consent)
        self.header.setText(" · ".join(details))
        labels = client.flag_labels()
        self.flags.setText("⚠ " + "; ".join(labels) if labels else "")
        self.timeline.clear()
        for visit in reversed(visits):  # newest first
            used = [shade_label(visit.chosen_name or visit.chosen_entry_id, visit.dilution)]
            if visit.batch:
                used.append(f"batch {visit.batch}")
            if visit.report_path:
                used.append("report")
            item = QListWidgetItem(f"{visit.label} — {visit.visit_date[:10]}\n" + " · ".join(used))
            item.setData(VISIT_ID_ROLE, visit.id)
            tips = [visit.notes or "", f"Report: {visit.report_path}" if visit.report_path else ""]
            if any(tips):
                item.setToolTip("\n".join(t for t in tips if t))
            image = thumbs.get(visit.id)
            if image is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
            self.timeline.addItem(item)
        self._update_buttons()
        self.client_selected.emit(client.id)

    def show_touch_up(self, rows: list[dict]) -> None:
        if not rows:
            self.touch_up.setText("")
            return
        lines = ["<b>Touch-up: today compared with earlier visits</b>",
                 "<table cellspacing='4'>"]
        for row in rows:
            used = " · ".join(html.escape(str(v)) for v in (
                shade_label(row["chosen_name"] or row["chosen_entry_id"], row["dilution"], ""),
                f"batch {row['batch']}" if row["batch"] else None) if v)
            words = ", ".join(row["direction"]) or "about the same"
            lines.append(
                f"<tr><td>{html.escape(row['label'])} {row['visit_date'][:10]}</td>"
                f"<td>{row['class']}</td><td>ΔE00 {row['delta_e']:.1f}</td>"
                f"<td>now {words}</td><td>{used or '—'}</td></tr>")
        lines.append("</table>")
        self.touch_up.setText("".join(lines))

    def _open_current(self) -> None:
        item = self.timeline.currentItem()
        if item is None:
            self.show_message("Select a visit in the timeline to open it.")
            return
        self.records.open_visit(item.data(VISIT_ID_ROLE))

    def _update_buttons(self) -> None:
        has_client = self.client is not None
        self.edit_button.setEnabled(has_client)
        self.save_button.setEnabled(has_client)
        self.export_button.setEnabled(has_client)
        self.delete_button.setEnabled(has_client)
        self.open_button.setEnabled(bool(self.visits))

    def next_session(self) -> int:
        numbers = [v.session_number or 0 for v in self.visits if v.kind == "session"]
        return max(numbers, default=0) + 1


class ClientRecords(QObject):
    """Installs the Clients dock and File > Save to client… on a main window; owns the store.

    Once the store is open, a :class:`~shadematch.records.changes.ChangeWatcher` (its own
    thread: LISTEN/NOTIFY on PostgreSQL, polling on SQLite) refreshes the list and the selected
    client when another workstation, window or the command line saves.

    Parameters
    ----------
    services : the window services (workspace, runner, actions, docks, status bar, restoring a
        saved analysis).
    data_dir : where the records live (default: the user's data folder).
    """

    # Emitted from the watcher's thread; Qt queues it to the GUI thread.
    records_changed = Signal(int)
    watch_unreachable = Signal(str)
    # How often the watcher polls (SQLite) or waits for a notification (PostgreSQL), seconds.
    watch_interval = 2.0
    # How often visit saves kept while the server was unreachable are tried again, seconds.
    retry_seconds = 15.0
    #: A client was erased: (client id, content hashes of their photos); the window's own
    #: copies of those photos' analyses (autosave, kept analysis) must go and stay gone.
    client_erased = Signal(int, list)

    def __init__(self, services: WindowServices, data_dir: Path | None = None) -> None:
        super().__init__(services.main_widget())
        self._watcher = None
        self._watch_problem = ""
        self.records_changed.connect(self._changed_elsewhere)
        self.watch_unreachable.connect(self._watch_failed)
        self.services = services
        self.data_dir = data_dir
        self._store = None
        self._store_lock = threading.Lock()
        self.view = ClientsView(self)
        self.dock = services.add_dock(self.view, "Clients", Qt.DockWidgetArea.RightDockWidgetArea,
                                      "clientsDock", tab_with="matchingDock")
        self.action = services.actions.bind("save_to_client", self.save_to_client)
        services.actions.bind("audit_log", self.show_audit_log)
        services.actions.bind("users", self.show_users)
        from shadematch.gui.clients.lock_screen import ClientLock

        # Sign-in at start when the records have named users; idle lock; File > Lock.
        self.access_lock = ClientLock(self)
        # Kept visit saves (the server was unreachable) are tried again every retry_seconds.
        self._retrying = False
        self._retry = QTimer(self)
        self._retry.setInterval(int(self.retry_seconds * 1000))
        self._retry.timeout.connect(self.retry_pending)
        self._touch_timer = QTimer(self)
        self._touch_timer.setSingleShot(True)
        self._touch_timer.setInterval(TOUCH_UP_DELAY_MS)
        self._touch_timer.timeout.connect(self.refresh_touch_up)
        services.workspace.events.samples_changed.connect(self._samples_changed)
        self.view.client_selected.connect(lambda _id: self.refresh_touch_up())
        self._closed = False
        self._loaded = False
        # Clients erased (or being erased) in this window: late timeline or touch-up work for
        # them is dropped instead of reporting the missing client over the confirmation.
        self._erased: set[int] = set()
        self.last_export: Path | None = None
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        services.main_widget().installEventFilter(self)
        # The store is opened the first time the Clients panel is shown, not at start-up.
        self.dock.visibilityChanged.connect(self._dock_visible)

    def selected_client_name(self) -> str:
        """The name of the client selected in the Clients panel ("" when none is)."""
        client = self.view.client
        return str(client.name or "") if client is not None else ""

    def _dock_visible(self, visible: bool) -> None:
        if visible and not self._loaded:
            self._loaded = True
            self.view.refresh()
            self.retry_pending()  # visits kept when the server was away (an earlier run)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt name
        if watched is self.services.main_widget() and event.type() == QEvent.Type.Close:
            self._closed = True  # no new store calls; the window waits for running ones
            self._stop_watching()
        return False

    # -- the store, opened on first use (off the GUI thread) ------------------------------------
    def store(self):
        with self._store_lock:
            if self._closed:
                from shadematch.errors import RecordsError

                raise RecordsError("The window is closing; the client records are closed.")
            if self._store is None:
                from shadematch.records import open_store

                self._store = open_store(self.data_dir)
                self._watch(self._store)
            return self._store

    def _watch(self, store) -> None:
        """Start watching the records for changes (called off the GUI thread, on opening)."""
        from shadematch.records.changes import ChangeWatcher

        def emit(signal, value) -> None:
            if self._closed:
                return
            try:
                signal.emit(value)
            except RuntimeError:  # the window went away meanwhile
                log.debug("client records: change seen after the window closed")

        self._watcher = ChangeWatcher(
            store, lambda token: emit(self.records_changed, int(token)),
            interval=self.watch_interval,
            on_error=lambda exc: emit(self.watch_unreachable, str(exc))).start()

    def _stop_watching(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop(timeout=0)  # a daemon thread; it ends at its next wake-up

    def _changed_elsewhere(self, _token: int) -> None:
        """The records changed: show the list (and the selected client) anew when what they
        show differs; our own saves already refreshed them, so those change nothing."""
        if self._closed or not self._loaded or self.access_lock.locked:
            return
        self._watch_problem = ""

        def show(clients) -> None:
            if clients != self.view.shown:
                self.view.show_clients(clients)

        self.submit(list_clients, "records-list", show, text=self.view.search.text())

    def _watch_failed(self, text: str) -> None:
        if self._closed or text == self._watch_problem:
            return
        self._watch_problem = text  # said once, not every interval
        self.view.show_message(text)
        self.services.show_status(text, 8000)

    def close(self) -> None:
        """Close the store (at quit; also safe to call twice)."""
        self._closed = True
        self._stop_watching()
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def submit(self, fn, channel: str, on_done, on_expected=None, **kwargs) -> None:
        if self._closed:
            return
        self.services.runner.submit(fn, channel=channel, pass_progress=False, records=self,
                                    on_done=lambda result: (self.view.show_message(
                                        self.store_warnings()), on_done(result)),
                                    title="Client records",
                                    on_expected=on_expected or self._failed, **kwargs)

    def store_warnings(self) -> str:
        """What the store said on opening (read-only records, a daily backup not taken)."""
        store = self._store
        return " ".join(store.warnings) if store is not None else ""

    def is_erased(self, client_id: int | None) -> bool:
        """True for a client erased (or being erased) from this window."""
        return client_id is not None and int(client_id) in self._erased

    def _failed(self, exc: ShadematchError) -> None:
        """An expected problem of the records (unexpected ones go to the window's dialog)."""
        if isinstance(exc, UnknownClientError):
            if self.is_erased(exc.client_id):
                log.debug("client records: dropped late work for erased client #%s",
                          exc.client_id)
                return
            # Erased elsewhere (another window or the command line): say so in GUI terms.
            text = (f"Client #{exc.client_id} is no longer in the records (deleted elsewhere); "
                    f"the list has been refreshed.")
            self._erased.add(exc.client_id)
            if self.view.client is not None and self.view.client.id == exc.client_id:
                self.view.clear_selection()
            self.services.show_status(text, 8000)
            self.view.show_message(text)
            self.submit(list_clients, "records-list",
                        lambda clients: (self.view.show_clients(clients),
                                         self.view.show_message(text)),
                        text=self.view.search.text())
            return
        # Expected problems (under 18, damaged database, bad date) are shown inline.
        self.view.show_message(str(exc))
        self.services.show_status(str(exc), 8000)

    # -- actions --------------------------------------------------------------------------------
    def new_client(self) -> None:
        dialog = ClientDialog(self.services.main_widget())
        self._offer_by_role(dialog)
        dialog.accepted.connect(lambda: self._save_client(None, dialog))
        self.view.dialog = dialog
        dialog.open()

    def edit_client(self) -> None:
        if self.view.client is None:
            self.view.show_message("Select a client first.")
            return
        self._edit(self.view.client)

    def _edit(self, client) -> None:
        dialog = ClientDialog(self.services.main_widget(), client)
        self._offer_by_role(dialog)
        dialog.accepted.connect(lambda: self._save_client(client.id, dialog, client))
        self.view.dialog = dialog
        dialog.open()

    def _offer_by_role(self, dialog: ClientDialog) -> None:
        """The front desk sees contact details and consent, never the screening."""
        if self._front_desk():
            dialog.screening_box.hide()
            for field in (dialog.pattern, dialog.notes):  # not shown to (nor saved by) them
                field.hide()
                label = dialog.findChild(QFormLayout).labelForField(field)
                if label is not None:
                    label.hide()

    def _front_desk(self) -> bool:
        user = self.access_lock.user
        return user is not None and user.role == "front_desk"

    def _save_client(self, client_id: int | None, dialog: ClientDialog, original=None) -> None:
        self._save_details(client_id, dialog.details(), dialog.screening_answers(),
                           dialog.consent_now, original)

    def _save_details(self, client_id: int | None, details: dict, answers: dict,
                      consent: bool, original) -> None:
        from shadematch.records.backends.errors import EditConflict

        if self._front_desk():  # fields the records leave out for them stay as they are
            details = {k: v for k, v in details.items() if k in FRONT_DESK_FIELDS}

        def saved(new_id: int) -> None:
            self.services.show_status("Client saved")
            self.submit(list_clients, "records-list",
                        lambda clients: self.view.show_clients(clients, select=new_id),
                        text=self.view.search.text())

        def refused(exc: ShadematchError) -> None:
            if isinstance(exc, EditConflict) and original is not None:
                self._conflict(exc, original, details, answers, consent)
            else:
                self._failed(exc)

        self.submit(save_client, "records-save-client", saved, on_expected=refused,
                    client_id=client_id, details=details, answers=answers, consent=consent,
                    expected=original)

    def _conflict(self, exc, original, details: dict, answers: dict, consent: bool) -> None:
        """The client was changed elsewhere: show old/theirs/yours; merge, reload or cancel."""
        from shadematch.gui.clients.edit_conflict_dialog import (
            MERGE,
            RELOAD,
            EditConflictDialog,
        )

        current = exc.current
        dialog = EditConflictDialog(self.services.main_widget(), exc, original, details)
        self.view.dialog = dialog

        def chosen(_result: int) -> None:
            if dialog.choice == MERGE:
                self._save_details(current.id, dialog.merged(), answers, consent, current)
            elif dialog.choice == RELOAD:
                self.submit(list_clients, "records-list",
                            lambda clients: self.view.show_clients(clients, select=current.id),
                            text=self.view.search.text())
                self._edit(current)
            else:
                text = f"Your changes to {current.name} were not saved."
                self.view.show_message(text)
                self.services.show_status(text, 8000)

        dialog.finished.connect(chosen)
        dialog.open()

    def save_to_client(self) -> None:
        client, ws = self.view.client, self.services.workspace
        if client is None:
            self.view.show_message("Select the client in the Clients panel first (or add one "
                                   "with New client…).")
            self.dock.raise_()
            return
        if ws.photo is None and not ws.samples:
            self.view.show_message("Open a photo and measure its regions before saving a visit.")
            return
        if client.is_minor():
            self.view.show_message(f"{client.name} is under 18: only a consultation can be "
                                   f"saved, not a treatment session.")
        dialog = SaveVisitDialog(self.services.main_widget(), client, ws.picks.get("primary"),
                                 self.view.next_session())
        dialog.accepted.connect(lambda: self._save_visit(client.id, dialog.visit_fields()))
        self.view.dialog = dialog
        dialog.open()

    def _save_visit(self, client_id: int, fields: dict) -> None:
        ws = self.services.workspace
        ws.end_edit()
        analysis = ws.to_dict()
        photo_path = str(ws.photo.path) if ws.photo is not None else None

        created = analysis.get("created")

        def saved(visit_id: int | KeptForLater) -> None:
            if isinstance(visit_id, KeptForLater):
                self._kept_for_later(visit_id)
                return
            if ws.created == created:  # still the analysis that was saved
                ws.link_visit(visit_id, client_id)
            self.services.show_status(f"Saved to the client's records (visit #{visit_id})")
            self.submit(client_timeline, "records-timeline", self.view.show_timeline,
                        client_id=client_id)
            self.view.refresh()

        self.submit(save_visit, "records-save-visit", saved, client_id=client_id,
                    analysis=analysis, photo_path=photo_path, fields=fields)

    # -- the records server away: visits kept here, saved when it is back -------------------
    def _kept_for_later(self, kept: KeptForLater) -> None:
        text = ("The records server is unreachable; the visit is kept on this workstation and "
                "will be saved as soon as the server is back (retrying in the background).")
        log.warning("visit save kept for later (%s): %s", kept.token, kept.reason)
        self.view.show_message(text)
        self.services.show_status(text, 15000)
        self._retry.start()

    def retry_pending(self) -> None:
        """Try the kept visit saves again (the retry timer; also safe to call any time)."""
        from shadematch.records.backends.errors import ServerUnavailable

        if self._retrying:
            return  # one attempt at a time (a new job would cancel the running one)

        def failed(exc: ShadematchError) -> None:
            self._retrying = False
            if isinstance(exc, ServerUnavailable):
                if not self._retry.isActive():
                    self._retry.start()
                return
            self._retry.stop()  # an erased client, say: said once, the save stays kept
            self._failed(exc)

        self._retrying = True
        self.submit(flush_pending, "records-pending", self._flushed, on_expected=failed,
                    on_failure=lambda _exc: setattr(self, "_retrying", False))

    def _flushed(self, result) -> None:
        self._retrying = False
        done, left = result
        if not left:
            self._retry.stop()
        if done:
            count = len(done)
            text = (f"The records server is back: {count} kept visit"
                    f"{'s were' if count != 1 else ' was'} saved"
                    + (f"; {left} still waiting." if left else "."))
            self.view.show_message(text)
            self.services.show_status(text, 15000)
            self.view.refresh()

    def delete_client(self) -> None:
        """Ask (naming the client and what is erased), then erase them off the GUI thread."""
        client = self.view.client
        if client is None:
            self.view.show_message("Select a client first.")
            return
        box, erase = delete_client_box(self.services.main_widget(), client)
        box.finished.connect(lambda _result: box.clickedButton() is erase
                             and self._erase(client))
        self.view.dialog = box
        box.open()

    def _erase(self, client) -> None:
        self._erased.add(client.id)
        self._touch_timer.stop()
        for channel in ("records-timeline", "records-touch-up"):
            self.services.runner.cancel_channel(channel)

        ws = self.services.workspace

        def erased(counts: dict) -> None:
            visits, photos = counts.get("visits", 0), counts.get("photos", 0)
            shas = set(counts.get("photo_shas") or ())
            if ws.saved_visit is not None and ws.saved_visit.client_id == client.id \
                    and ws.photo is not None:
                shas.add(ws.photo.sha256)  # the open analysis is one of the erased visits
            ws.unlink_client(client.id)
            self.client_erased.emit(client.id, sorted(shas))
            text = (f"Deleted {client.name}: {visits} visit{'s' if visits != 1 else ''} and "
                    f"{photos} photo cop{'ies' if photos != 1 else 'y'} erased.")
            if self.view.client is not None and self.view.client.id == client.id:
                self.view.clear_selection()
            self.services.show_status(text, 8000)
            self.view.refresh()

        self.services.show_status(f"Deleting {client.name}…", 0)
        self.submit(erase_client, "records-delete", erased, client_id=client.id)

    def show_users(self) -> None:
        """File > Users…: list, add, change or disable named users (admin)."""
        from shadematch.gui.clients.users_dialog import UsersDialog

        dialog = UsersDialog(self, self.services.main_widget())
        self.view.dialog = dialog
        dialog.finished.connect(lambda _r: self.access_lock.check())  # first user: lock
        dialog.open()
        dialog.refresh()

    def show_audit_log(self) -> None:
        """File > Audit log…: the admin's viewer (the records refuse other roles, in one line)."""
        from shadematch.gui.clients.audit_dialog import AuditLogDialog

        dialog = AuditLogDialog(self, self.services.main_widget())
        self.view.dialog = dialog
        dialog.open()
        dialog.refresh()

    def choose_export_folder(self, client) -> str | None:
        """Ask for the folder to export into (a new folder is made inside it); None: cancelled."""
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(
            self.services.main_widget(), f"Export {client.name} into folder", str(Path.home()))
        return folder or None

    def export_client(self) -> None:
        """Export the selected client to a new folder, off the GUI thread."""
        client = self.view.client
        if client is None:
            self.view.show_message("Select a client first.")
            return
        parent = self.choose_export_folder(client)
        if not parent:
            return

        def exported(path: Path) -> None:
            self.last_export = Path(path)
            self.services.show_status(f"Exported {client.name} to {path}", 15000)

        self.services.show_status(f"Exporting {client.name}…", 0)
        self.submit(export_client_folder, "records-export", exported, client_id=client.id,
                    parent=str(parent))

    def report_exported(self, path: str) -> None:
        """A PDF report of the analysis just saved to a client is linked to that visit."""
        visit = self.services.workspace.saved_visit  # the workspace's link, reset on a new analysis
        if visit is None:
            return
        visit_id, client_id = visit.visit_id, visit.client_id

        def linked(_visit) -> None:
            if self.view.client is not None and self.view.client.id == client_id:
                self.submit(client_timeline, "records-timeline", self.view.show_timeline,
                            client_id=client_id)

        self.submit(set_report_path, "records-report", linked, visit_id=visit_id,
                    report_path=str(path))

    def open_visit(self, visit_id: int | None) -> None:
        if visit_id is None:
            return
        self.services.show_status("Opening the visit…", 0)
        self.submit(load_visit, "records-open-visit", self._visit_loaded, visit_id=visit_id)

    def _visit_loaded(self, result) -> None:
        visit, photo, display = result
        try:
            self.services.restore_analysis(
                visit.analysis, photo, display,
                missing_photo_note="The visit's photo copy is missing: the saved measurements "
                                   "are shown.")
        except ShadematchError as exc:
            self.view.show_message(f"The visit could not be opened: {exc}")
            return
        self.services.workspace.link_visit(visit.id, visit.client_id)
        self.services.show_status(f"Opened {visit.label} of {visit.visit_date[:10]}")

    def _samples_changed(self) -> None:
        self._touch_timer.start()

    def refresh_touch_up(self) -> None:
        client = self.view.client
        samples = {cls: [float(v) for v in sample.Lab]
                   for cls, sample in self.services.workspace.samples.items()
                   if getattr(sample, "Lab", None) is not None}
        if client is None or self.is_erased(client.id) or not samples or not self.view.visits:
            self.view.show_touch_up([])
            return
        client_id = client.id

        def show(rows: list[dict]) -> None:
            if not self.is_erased(client_id):
                self.view.show_touch_up(rows)

        self.submit(touch_up, "records-touch-up", show, client_id=client_id,
                    samples=samples, created=self.services.workspace.created)
