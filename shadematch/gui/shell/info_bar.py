"""The bar above the photo: a message with a few buttons (recovery, photo moved, errors)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton


class InfoBar(QFrame):
    """A message above the photo with a few buttons; "Dismiss" always closes it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("infoBar")
        self.setStyleSheet("#infoBar { background: rgb(70, 70, 70); border-bottom: 1px solid "
                           "rgb(40, 40, 40); }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self._buttons = QHBoxLayout()
        layout.addLayout(self._buttons)
        self.hide()

    def show_message(self, text: str, buttons=(), error: bool = False) -> None:
        """Show ``text`` with ``buttons`` ((label, callback) pairs) and a Dismiss button."""
        self.label.setText(text)
        self.label.setStyleSheet("color: rgb(255, 140, 120);" if error else "")
        while self._buttons.count():
            widget = self._buttons.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for label, callback in [*buttons, ("Dismiss", None)]:
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, cb=callback: (self.hide(), cb and cb()))
            self._buttons.addWidget(button)
        self.show()
