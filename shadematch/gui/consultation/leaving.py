"""Leaving a photo with unsaved work: quitting, closing the photo, a new consultation.

:class:`LeavingPhoto` asks, without blocking, "Save to client… / Keep as session / Discard /
Cancel" when the open analysis holds unsaved work, and goes on (``then``) only once the work is
kept or knowingly discarded. Features that end the consultation (the window's Quit and close
button, File > Close photo, a "New consultation" button) call :meth:`confirm_leave_photo`;
:meth:`close_photo` is the whole "close the photo" command.

Switching to another photo needs no question: the photo being left keeps its analysis
(:meth:`SessionActions.start_new_analysis`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from shadematch.gui.common.services import WindowServices
from shadematch.gui.consultation.session_actions import SessionActions

log = logging.getLogger(__name__)

#: The answers of the question, as :meth:`LeavingPhoto.confirm_leave_photo` acts on them.
CHOICES = ("save_client", "keep", "discard", "cancel")


class LeavingPhoto(QObject):
    """Asks before unsaved work is left, then keeps or discards it.

    Parameters
    ----------
    services : the window services (workspace, status bar, info bar).
    session : the session actions (keeping the analysis, the autosave).
    save_to_client : starts File > Save to client… (None: that choice is not offered).
    """

    def __init__(self, services: WindowServices, session: SessionActions,
                 save_to_client: Callable[[], None] | None = None) -> None:
        super().__init__(services.main_widget())
        self.services, self.session = services, session
        self.workspace = services.workspace
        self._save_to_client = save_to_client
        #: The question being asked (a non-modal QMessageBox), or None.
        self.question: QMessageBox | None = None
        self._answered = False  # the work was just kept or discarded on the user's answer

    def needs_asking(self) -> bool:
        """True when leaving now would leave unsaved work behind."""
        return self.workspace.has_unsaved_work and not self.session.is_forgotten(self.workspace)

    def confirm_leave_photo(self, doing: str, then: Callable[[], None]) -> None:
        """Call ``then`` once the open analysis may be left (``doing``: "quit", "close the
        photo", "start a new consultation"); ask first when it holds unsaved work."""
        if not self.needs_asking():
            self._answered = False
            then()
            return
        if self.question is not None and self.question.isVisible():
            self.question.raise_()
            return
        from shadematch.photo_sessions import store_dir

        ws = self.workspace
        box = QMessageBox(self.services.main_widget())
        box.setObjectName("leavePhotoDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(f"{ws.photo_name or 'shadematch'} — unsaved work")
        box.setText(f"The analysis of {ws.photo_name or 'this photo'} is not saved.")
        box.setInformativeText(
            f"Before you {doing}: save it to the client's records, keep it as a session (in "
            f"{store_dir()}; reopening the photo or File > Recover work… brings it back), or "
            "discard it.")
        buttons = {}
        if self._save_to_client is not None:
            buttons["save_client"] = box.addButton("Save to client…",
                                                   QMessageBox.ButtonRole.AcceptRole)
        buttons["keep"] = box.addButton("Keep as session", QMessageBox.ButtonRole.AcceptRole)
        buttons["discard"] = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        buttons["cancel"] = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(buttons["keep"])
        box.setEscapeButton(buttons["cancel"])

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            choice = next((k for k, b in buttons.items() if b is clicked), "cancel")
            self.question = None
            self.act(choice, then)

        box.finished.connect(answered)
        self.question = box
        box.open()

    def act(self, choice: str, then: Callable[[], None]) -> None:
        """Do what the answer ``choice`` (one of :data:`CHOICES`) says, then ``then``."""
        ws, services = self.workspace, self.services
        if choice == "save_client" and self._save_to_client is not None:
            services.show_status("Save the visit, then try again.", 8000)
            self._save_to_client()
            return
        if choice == "keep":
            path = self.session.keep_current()
            if path is None:
                services.show_message(f"The analysis of {ws.photo_name} could not be kept: "
                                      "save it as a session (File > Save session as…).",
                                      error=True)
                return
            self.session.autosaver.discard()  # the kept session replaces the autosave
            ws.mark_saved()  # kept: nothing left to autosave (it comes back as unsaved work)
            services.show_message(f"The analysis of {ws.photo_name} is kept as a session in "
                                  f"{path.parent}.")
            services.show_status(f"Kept {ws.photo_name} as a session in {path.parent}", 8000)
            log.info("kept the analysis of %s in %s", ws.photo_name, path)
        elif choice == "discard":
            self.session.discard_current()  # knowingly dropped: neither autosaved nor kept
        else:
            services.show_status("Nothing closed.")
            return
        self._answered = True
        then()

    def close_photo(self) -> None:
        """File > Close photo: ask about unsaved work, then show no photo (the photo keeps
        its analysis unless it was discarded)."""
        self.confirm_leave_photo("close the photo", self._close_now)

    def _close_now(self) -> None:
        session = self.session
        if not self._answered:
            session.keep_current()  # saved work: the photo keeps it all the same
        self._answered = False
        session.autosaver.new_analysis()
        self.workspace.set_photo(None)
        self.services.refresh_title()
