"""End the application cleanly on SIGTERM (logout, shutdown, ``kill``), SIGHUP and SIGINT.

Python runs a signal handler only when the interpreter gets control, and inside Qt's event loop
it may not for a long time (or ever, with no Python slot called). So the C-level handler writes
the signal's number to a socket (:func:`signal.set_wakeup_fd`); a :class:`QSocketNotifier` on
the other end wakes the event loop and a short slot lets Python run the handler, which schedules
the clean quit on the event loop: the window closes as from File > Quit (unsaved work autosaved,
untouched work leaves nothing behind, the open session remembered for the next start).

A second signal while quitting ends the process at once (the default action).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

log = logging.getLogger(__name__)

QUIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                     if hasattr(signal, name))


class QuitOnSignals(QObject):
    """While installed, ``signals`` call ``quit`` on the GUI thread (once).

    Parameters
    ----------
    quit : what a clean quit does (e.g. close the main window and quit the application).
    signals : the signals to handle (default SIGTERM, SIGHUP and SIGINT where they exist).
    parent : the QObject that owns this one.

    Call :meth:`uninstall` to restore the previous handlers (tests; the end of ``run_gui``).
    Must be created on the main thread (Python only sets signal handlers there).
    """

    def __init__(self, quit: Callable[[], None], signals=QUIT_SIGNALS, parent=None) -> None:
        super().__init__(parent)
        self._quit = quit
        self.quitting = False
        self.received: list[int] = []
        self._reader, self._writer = socket.socketpair()
        for sock in (self._reader, self._writer):
            sock.setblocking(False)
        self._previous_wakeup = signal.set_wakeup_fd(self._writer.fileno(),
                                                     warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._wake)
        self._previous = {sig: signal.signal(sig, self._handle) for sig in signals}

    def _wake(self, *_args) -> None:
        # Reaching Python is the point: the handler runs once this slot's bytecode runs.
        try:
            while self._reader.recv(64):
                pass
        except (BlockingIOError, InterruptedError, OSError):
            pass

    def _handle(self, signum: int, _frame) -> None:
        self.received.append(signum)
        if self.quitting:  # asked twice: do what the signal does by default
            log.warning("signal %s again while quitting: stopping now", signum)
            self.uninstall()
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        self.quitting = True
        log.info("signal %s: quitting as from File > Quit", signum)
        QTimer.singleShot(0, self._quit)  # on the event loop, not inside the handler

    def uninstall(self) -> None:
        """Put back the handlers and the wake-up descriptor that were there before."""
        for sig, previous in self._previous.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        self._previous = {}
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
            signal.set_wakeup_fd(self._previous_wakeup)
            self._reader.close()
            self._writer.close()
