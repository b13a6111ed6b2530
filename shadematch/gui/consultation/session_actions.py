"""Session handling for the main window: open, save, autosave, recovery, the moved-photo prompt.

:class:`SessionActions` is owned by :class:`~shadematch.gui.shell.main_window.MainWindow` (as
``window.session``); the window's public session methods (``open_session``,
``save_session_to``, ``restore_analysis``, ``offer_recovery``...) delegate to it. Reading and
writing session files, checking and decoding their photos all run on the window's
:class:`~shadematch.gui.common.workers.TaskRunner`; the file format and the autosave rules are the
core's (:mod:`shadematch.sessions`).

The two questions a session may ask (what to do about a moved or changed photo, where it is now)
are asked through a :class:`PhotoQuestions` (the window's ``ask_photo_problem`` and
``locate_photo``), so that a test can answer them by patching the window.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from shadematch.errors import ShadematchError
from shadematch.gui.common.services import WindowServices
from shadematch.gui.consultation.photo_loading import PhotoLoading

log = logging.getLogger(__name__)

AUTOSAVE_TICK_MS = 1000
SESSION_FILTER = "shadematch sessions (*.shadematch)"
MISSING_PHOTO_NOTE = "The photo is missing: the saved measurements are shown."


def photo_filter() -> str:
    """The file dialog filter for photos and sessions (photos alone are its second entry)."""
    from shadematch.imaging.loading import SUPPORTED_SUFFIXES

    patterns = " ".join(sorted(f"*{s}" for s in SUPPORTED_SUFFIXES))
    return f"Photos and sessions ({patterns} *.shadematch);;Photos ({patterns});;{SESSION_FILTER}"


def session_photo(record: dict, path: str | None = None, progress=None, cancelled=None):
    """Worker: check the session's photo (moved? changed?) and decode it when it is there."""
    from shadematch.gui.photo.photo_decoding import decode_for_display
    from shadematch.sessions import check_photo

    check = check_photo(record, path)
    if check.status in ("ok", "changed"):
        photo, display = decode_for_display(str(check.path), progress, cancelled)
        return check, photo, display
    return check, None, None


class PhotoQuestions(Protocol):
    """Who answers the questions about a session's photo (the window; a test patches it)."""

    def ask_photo_problem(self, check) -> str:
        """What to do about a moved or changed photo: "locate", "anyway" or "cancel"."""
        ...

    def locate_photo(self, check) -> str | None:
        """Where the session's photo is now; None when the user cancels."""
        ...


class SessionActions(QObject):
    """Open, save and autosave the window's analysis; offer recovery of unsaved work.

    Parameters
    ----------
    services : the window services (workspace, runner, status bar, info bar, title).
    photos : the photo being opened (a session supersedes it) and the photo view.
    questions : who answers the questions about a moved or changed photo (default: the
        dialogs of :meth:`ask_photo_problem` and :meth:`locate_photo`).
    """

    def __init__(self, services: WindowServices, photos: PhotoLoading,
                 questions: PhotoQuestions | None = None) -> None:
        super().__init__(services.main_widget())
        from shadematch.sessions import Autosaver

        self.services = services
        self.photos = photos
        self.questions: PhotoQuestions = questions if questions is not None else self
        self.workspace = services.workspace
        self.autosaver = Autosaver()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_TICK_MS)
        self.autosave_timer.timeout.connect(self._autosave_tick)
        self._forgotten: set[str] = set()  # photos of erased clients: never written again
        self._discarded_sha = ""  # the photo whose work the user discarded (until edited again)

    # -- autosave ----------------------------------------------------------------------------------
    def content_changed(self, *_args) -> None:
        """Something worth keeping changed: autosave it soon."""
        if self.workspace.modified:
            self.autosaver.mark_changed()

    def start_new_analysis(self) -> str:
        """A new photo replaces the analysis: the photo being left keeps its analysis.

        The analysis is kept in the per-photo store (:mod:`shadematch.photo_sessions`), which
        reopening the photo picks up again; when it cannot be kept, unsaved work stays in its
        autosave. Returns what the info bar should say ("" when nothing was kept).
        """
        ws = self.workspace
        note = ""
        kept = self.keep_current()
        if kept is not None:
            self.autosaver.discard()  # the kept analysis replaces it (listed in Recover work)
            note = (f"The analysis of {ws.photo_name} is kept: reopening {ws.photo_name} "
                    "brings it back (also in File > Recover work…).")
        else:
            if self.autosaver.pending:
                self._write_autosave(sync=True)
            if not ws.has_unsaved_work:
                self.autosaver.discard()
        self.autosaver.new_analysis()
        return note

    def worth_keeping(self) -> bool:
        """Whether the open photo's analysis holds something to keep for it (regions, picks,
        notes, or unsaved work) and may be kept (its client was not erased)."""
        ws = self.workspace
        if ws.photo is None or self.is_forgotten(ws):
            return False
        if self._discarded_sha and ws.photo.sha256 == self._discarded_sha and not ws.modified:
            return False
        return bool(ws.has_unsaved_work or ws.regions or any(ws.picks.values())
                    or str(ws.notes or "").strip())

    def keep_current(self) -> Path | None:
        """Keep the open photo's analysis in the per-photo store now; None when there is
        nothing to keep or it could not be written (logged)."""
        from shadematch.photo_sessions import keep_analysis

        ws = self.workspace
        if not self.worth_keeping():
            return None
        ws.end_edit()
        try:
            return keep_analysis(ws.to_dict(), ws.settings(), unsaved=ws.modified)
        except ShadematchError as exc:
            log.warning("the analysis of %s was not kept: %s", ws.photo_name, exc)
            return None

    def discard_current(self) -> None:
        """The user discards the open analysis: its autosave goes, and it is not kept when the
        photo is left (unless it is edited again)."""
        ws = self.workspace
        self.autosaver.discard()
        self._discarded_sha = ws.photo.sha256 if ws.photo is not None else ""
        ws.mark_saved()  # nothing unsaved any more: neither autosaved nor asked about again

    # -- erased clients ----------------------------------------------------------------------------
    def forget_photos(self, photo_shas) -> None:
        """A client was erased: their photos' kept analyses and autosaves go, and the open
        analysis (when it is of one of those photos) is never written again."""
        from shadematch.photo_sessions import remove_kept

        shas = {str(s) for s in photo_shas if s}
        self._forgotten |= shas
        for sha in shas:
            remove_kept(sha)
        if self.is_forgotten(self.workspace):
            self.autosaver.discard()

    def is_forgotten(self, ws) -> bool:
        sha = str(getattr(ws.photo, "sha256", "") or "") if ws.photo is not None else ""
        return bool(sha) and sha in self._forgotten

    def _autosave_tick(self) -> None:
        if self.autosaver.due() and not self.workspace.editing:
            self._write_autosave(sync=False)

    def _write_autosave(self, sync: bool) -> None:
        ws = self.workspace
        if not ws.has_unsaved_work or self.is_forgotten(ws):
            # Only what the user changed is kept: an untouched demo, a photo with nothing
            # marked or a session opened and left as it was would come back as "unsaved work".
            self.autosaver.take()
            return
        try:
            record, settings = ws.to_dict(), ws.settings()
        except ShadematchError as exc:
            log.warning("autosave skipped: %s", exc)
            return
        path = self.autosaver.take()
        if sync:
            self.autosaver.write(path, record, settings, self.autosaver.keep)
        else:
            self.services.runner.submit(
                self.autosaver.write, channel="autosave", pass_progress=False, path=path,
                analysis=record, settings=settings, keep=self.autosaver.keep,
                title="Autosaving", quiet=True)  # logged; the next tick tries again

    def flush_on_close(self) -> None:
        """The window closes (workers already stopped): keep unsaved work, or drop the autosave."""
        if self.workspace.has_unsaved_work:
            try:
                self._write_autosave(sync=True)  # recoverable at the next start
            except (OSError, ShadematchError) as exc:
                log.error("final autosave failed: %s", exc)
        else:
            self.autosaver.discard()

    # -- saving ------------------------------------------------------------------------------------
    def save_session(self) -> None:
        """Save to the session's file, or ask where when it has none yet."""
        if self.workspace.session_path:
            self.save_session_to(self.workspace.session_path)
        else:
            self.save_session_as()

    def save_session_as(self) -> None:
        """Ask where to save the session, then save it."""
        ws, services = self.workspace, self.services
        if ws.photo is None and not ws.regions:
            services.show_status("Nothing to save yet: open a photo and mark regions first.")
            return
        from shadematch.resources import reports_dir

        # In the reports folder of the user's documents, not the camera folder of the photo.
        stem = Path(ws.photo.path).stem if ws.photo is not None else "session"
        folder = reports_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            folder = Path.home()
        suggested = str(folder / f"{stem}.shadematch")
        path, _ = QFileDialog.getSaveFileName(services.main_widget(), "Save session", suggested,
                                              SESSION_FILTER)
        if path:
            self.save_session_to(path)

    def save_session_to(self, path: str | Path) -> None:
        """Write the session off the GUI thread; the workspace is marked saved when it lands."""
        from shadematch.sessions import save_session

        ws, services = self.workspace, self.services
        ws.end_edit()
        record, settings = ws.to_dict(), ws.settings()
        version = ws.regions_version

        def done(written: Path) -> None:
            ws.mark_saved(str(written))
            if ws.regions_version == version:
                self.autosaver.discard()
            services.refresh_title()
            services.show_status(f"Saved {written.name}")

        services.runner.submit(save_session, channel="save", pass_progress=False, path=path,
                               analysis=record, settings=settings, on_done=done,
                               title="Saving the session")

    # -- opening -----------------------------------------------------------------------------------
    def open_session(self, path: str | Path, autosave: bool = False) -> None:
        """Read a session (off the GUI thread), check its photo, and restore it."""
        from shadematch.sessions import read_session

        services = self.services
        path = str(path)
        services.show_status(f"Opening {Path(path).name}…", 0)
        services.runner.submit(read_session, channel="session", pass_progress=False, path=path,
                               on_done=lambda record: self._session_read(path, record, autosave),
                               title=f"Opening {Path(path).name}")

    def _session_read(self, path: str, record: dict, autosave: bool, photo_path=None) -> None:
        photos = self.photos
        photos.drop_loading(show_current=True)  # a photo still loading is superseded
        photos.progress.setValue(0)
        photos.progress.show()
        self.services.runner.submit(
            session_photo, channel="photo", record=record, path=photo_path,
            on_progress=photos.load_progress,
            on_done=lambda result: self._session_photo(path, record, autosave, result),
            title="Opening the session's photo", on_failure=lambda _exc: photos.progress.hide())

    def _session_photo(self, path: str, record: dict, autosave: bool, result) -> None:
        check, photo, display = result
        self.photos.progress.hide()
        if not check.ok:
            choice = self.questions.ask_photo_problem(check)
            if choice == "locate":
                located = self.questions.locate_photo(check)
                if located:
                    self._session_read(path, record, autosave, photo_path=located)
                return
            if choice != "anyway":
                self.services.show_status("Session not opened.")
                return
        self._restore_session(path, record, autosave, photo, display)

    def _restore_session(self, path: str, record: dict, autosave: bool, photo, display) -> None:
        services = self.services
        try:
            services.restore_analysis(record, photo, display, session_path=path,
                                      autosave=autosave)
        except ShadematchError as exc:
            services.show_error(f"Opening {Path(path).name}", exc)
            return
        log.info("opened the session %s", path)
        services.show_status(f"Opened {Path(path).name}")

    def restore_analysis(self, record: dict, photo=None, display=None, *,
                         session_path: str | Path | None = None, autosave: bool = False,
                         missing_photo_note: str = MISSING_PHOTO_NOTE) -> list[str]:
        """Replace the open analysis with a saved one (see ``MainWindow.restore_analysis``)."""
        ws, services = self.workspace, self.services
        self.photos.drop_loading(show_current=False)  # it would replace the restored work
        kept_note = self.start_new_analysis()
        self.photos.show_restored(display)
        notes = ws.from_analysis(record, photo=photo)
        if autosave and session_path is not None:
            self.autosaver.adopt(str(session_path))
            ws.mark_modified()
        else:
            self.autosaver.take()  # restoring is not an edit: nothing to autosave yet
            if session_path is not None:
                ws.mark_saved(str(session_path))
            else:
                ws.session_path = None
        if photo is None:
            notes.insert(0, missing_photo_note)  # photo_changed has emptied the photo view
        if kept_note:
            notes.append(kept_note)
        services.refresh_title()
        self.photos.update_photo_label()
        if notes:
            services.show_message("\n".join(notes))
        return notes

    def restore_kept(self, record: dict, photo, display) -> None:
        """A reopened photo brings back the analysis it kept (regions, calibration, choice)."""
        from shadematch.photo_sessions import kept_was_unsaved

        ws = self.workspace
        unsaved = kept_was_unsaved(record)
        try:
            notes = self.restore_analysis(record, photo, display)
        except ShadematchError as exc:
            self.services.show_error(f"Restoring the analysis of {photo.name}", exc)
            return
        if unsaved:
            ws.mark_modified()
        count = len(ws.regions)
        noun = "region" if count == 1 else "regions"
        message = f"{photo.name}: its analysis is back ({count} {noun})."
        self.services.show_message("\n".join([*notes, message]))
        self.services.refresh_title()
        self.services.show_status(f"Opened {photo.name} with its kept analysis", 8000)

    def show_recover_work(self):
        """File > Recover work…: every autosave and kept analysis, to open or delete."""
        from shadematch.gui.consultation.recover_work import RecoverWorkDialog

        dialog = RecoverWorkDialog(lambda path: self.open_session(path, autosave=True),
                                   skip=self.autosaver.path, parent=self.services.main_widget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.recover_dialog = dialog
        return dialog

    # -- questions ---------------------------------------------------------------------------------
    def ask_photo_problem(self, check) -> str:
        """Ask what to do about a moved or changed photo: "locate", "anyway" or "cancel"."""
        box = QMessageBox(self.services.main_widget())
        box.setObjectName("photoProblemDialog")
        box.setIcon(QMessageBox.Warning)
        box.setWindowTitle("shadematch — the session's photo")
        box.setText("The photo of this session has moved or changed."
                    if check.status != "changed" else "The photo has changed since the session "
                    "was saved.")
        box.setInformativeText(check.message())
        locate = box.addButton("Locate…", QMessageBox.AcceptRole)
        anyway = box.addButton("Open anyway", QMessageBox.DestructiveRole)
        box.addButton(QMessageBox.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "locate" if clicked is locate else "anyway" if clicked is anyway else "cancel"

    def locate_photo(self, check) -> str | None:
        """Ask where the session's photo is now; None when the user cancels."""
        start = str(check.path.parent) if check.path and check.path.parent.is_dir() else ""
        path, _ = QFileDialog.getOpenFileName(self.services.main_widget(), "Locate the session's photo", start,
                                              photo_filter().split(";;")[1])
        return path or None

    def offer_recovery(self) -> None:
        """When unsaved work was left behind (a crash), offer to recover it (non-blocking).

        One banner at a time, newest first: discarding it offers the next one; recovering it
        (or dismissing the banner) leaves the older ones for the next start. Autosaves that hold
        nothing to recover (no regions, notes, picks or calibration: left by older versions) are
        removed instead of offered.
        """
        from shadematch.sessions import discard_autosave, list_recoverable

        entries = []
        for entry in list_recoverable():
            if entry.path == self.autosaver.path:
                continue
            if not entry.has_work:
                log.info("autosave %s holds no work: removed", entry.path.name)
                discard_autosave(entry.path)
                continue
            entries.append(entry)
        if not entries:
            return
        entry = entries[0]
        more = f" ({len(entries) - 1} older after this one)" if len(entries) > 1 else ""

        def discard() -> None:
            discard_autosave(entry.path)
            QTimer.singleShot(0, self.offer_recovery)  # the next one, once this bar has closed

        self.services.show_message(
            f"Unsaved work can be recovered: {entry.describe()}{more}.",
            (("Recover", lambda: self.open_session(entry.path, autosave=True)),
             ("Discard", discard)))
