"""UI preferences, each declared once with its key, type and default (QSettings underneath).

Only interface state and preferences live here (window geometry, splitters, folders, default
formula...). Client data never does: it belongs in the records store.

Usage::

    settings = Settings()                 # the application's store (see :meth:`Settings.open`)
    settings.default_formula              # -> "ciede2000" until changed
    settings.number_of_matches = 12
    settings.add_recent_folder("/photos/today")

With ``SHADEMATCH_DATA_DIR`` set (tests, portable installs) the settings are an INI file in that
folder, so nothing touches the user's real preferences.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")

MAX_RECENT_FOLDERS = 10
SETTINGS_FILE_NAME = "settings.ini"


@dataclass(frozen=True)
class Option(Generic[T]):
    """One declared setting: QSettings key, Python type, default and a line of documentation."""

    key: str
    type: type
    default: T
    doc: str = ""
    validate: Callable[[Any], bool] | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        object.__setattr__(self, "name", name)

    def __get__(self, obj: Settings | None, owner: type | None = None) -> T | Option[T]:
        if obj is None:
            return self
        return obj.get(self)

    def __set__(self, obj: Settings, value: T) -> None:
        obj.set(self, value)


class Settings:
    """Typed access to the application's QSettings.

    Parameters
    ----------
    qsettings : the store to use; default :meth:`open`'s choice.
    """

    # --- window ------------------------------------------------------------------------------
    geometry = Option("window/geometry", QByteArray, QByteArray(),
                      "QWidget.saveGeometry() of the main window")
    window_state = Option("window/state", QByteArray, QByteArray(),
                          "QMainWindow.saveState(): docks and toolbars")
    # --- camera folder -----------------------------------------------------------------------
    last_folder = Option("camera/last_folder", str, "", "folder last shown in the camera panel")
    recent_folders = Option("camera/recent_folders", list, [],
                            "folders opened recently, most recent first")
    camera_folder = Option("camera/folder", str, "",
                           "the practitioner's camera / tethering folder (Preferences)")
    auto_open_newest = Option("camera/auto_open_newest", bool, False,
                              "open each new photo as soon as it has arrived (tethered shooting)")
    thumbnail_size = Option("camera/thumbnail_size", int, 96,
                            "thumbnail size in the camera panel, device-independent pixels",
                            lambda v: isinstance(v, int) and 48 <= v <= 256)
    # --- matching ----------------------------------------------------------------------------
    default_formula = Option("matching/default_formula", str, "ciede2000",
                             "delta-E formula used for new analyses")
    palette = Option("matching/palette", str, "", "palette chosen for matching ('' = first)")
    number_of_matches = Option("matching/number_of_matches", int, 10,
                               "how many ranked pigments to show",
                               lambda v: isinstance(v, int) and 1 <= v <= 100)
    first_session_step = Option("matching/first_session_step", float, 4.0,
                                "how much lighter (predicted healed L*) the plan's first "
                                "session is than the final shade",
                                lambda v: isinstance(v, float) and 0.0 <= v <= 20.0)
    chart_row_mm = Option("preview/chart_row_mm", float, 0.0,
                          "the ColorChecker's dark-skin to bluish-green centre distance in mm, "
                          "measured with a ruler (0 = not measured): the preview's scale from "
                          "the chart", lambda v: isinstance(v, float) and 0.0 <= v <= 500.0)
    user_palette_folder = Option("palettes/user_folder", str, "",
                                 "extra folder of the user's palette files ('' = default)")
    # --- clinic (for reports) ---------------------------------------------------------------
    clinic_name = Option("clinic/name", str, "", "clinic name printed on reports")
    clinic_address = Option("clinic/address", str, "", "clinic address printed on reports")
    clinic_phone = Option("clinic/phone", str, "",
                          "clinic phone printed on the client's aftercare page")
    clinic_logo = Option("clinic/logo", str, "",
                         "PNG or JPEG file of the clinic logo printed on reports ('' = none)")
    practitioner = Option("clinic/practitioner", str, "",
                          "practitioner name the report dialog starts with")
    # --- session / start-up ------------------------------------------------------------------
    last_session = Option("session/last_session", str, "",
                          "the .shadematch session open when the app last closed")
    demo_shown = Option("app/demo_shown", bool, False,
                        "True once the first-run demo has been opened")
    log_level = Option("app/log_level", str, "INFO", "log file level",
                                     lambda v: v in ("DEBUG", "INFO", "WARNING", "ERROR"))

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.qsettings = qsettings if qsettings is not None else self.open()

    # --- the store ---------------------------------------------------------------------------
    @staticmethod
    def open() -> QSettings:
        """The application's store: an INI file in ``SHADEMATCH_DATA_DIR`` when that is set,
        otherwise the platform's native store for organisation and application "shadematch"."""
        override = os.environ.get("SHADEMATCH_DATA_DIR")
        if override:
            folder = Path(override).expanduser()
            folder.mkdir(parents=True, exist_ok=True)
            return QSettings(str(folder / SETTINGS_FILE_NAME), QSettings.Format.IniFormat)
        return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                         "shadematch", "shadematch")

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Settings:
        """Settings kept in the INI file ``path`` (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @classmethod
    def options(cls) -> dict[str, Option]:
        """Every declared option by attribute name."""
        return {name: value for name, value in vars(cls).items() if isinstance(value, Option)}

    # --- typed get / set ---------------------------------------------------------------------
    def get(self, option: Option[T]) -> T:
        """The stored value converted to the option's type, or its default when absent or
        unreadable (a hand-edited or older settings file never breaks start-up)."""
        if not self.qsettings.contains(option.key):
            return _copy(option.default)
        raw = self.qsettings.value(option.key)
        try:
            value = _convert(raw, option.type)
        except (TypeError, ValueError):
            return _copy(option.default)
        if option.validate is not None and not option.validate(value):
            return _copy(option.default)
        return value

    def set(self, option: Option[T], value: T) -> None:
        """Store ``value`` (converted to the option's type; ValueError when it is invalid)."""
        value = _convert(value, option.type)
        if option.validate is not None and not option.validate(value):
            raise ValueError(f"{value!r} is not a valid value for {option.key}")
        self.qsettings.setValue(option.key, value)

    def reset(self, option: Option) -> None:
        """Forget the stored value: the default applies again."""
        self.qsettings.remove(option.key)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self.qsettings.sync()

    # --- helpers for structured values -------------------------------------------------------
    def splitter_state(self, name: str) -> QByteArray:
        """Saved ``QSplitter.saveState()`` of the splitter called ``name`` (empty if none)."""
        raw = self.qsettings.value(f"splitters/{name}")
        return raw if isinstance(raw, QByteArray) else QByteArray()

    def set_splitter_state(self, name: str, state: QByteArray) -> None:
        self.qsettings.setValue(f"splitters/{name}", QByteArray(state))

    def add_recent_folder(self, folder: str | os.PathLike) -> list[str]:
        """Put ``folder`` first in the recent folders (no duplicates, at most 10); returns them."""
        text = str(Path(folder).expanduser().absolute())
        folders = [text] + [f for f in self.recent_folders if f != text]
        folders = folders[:MAX_RECENT_FOLDERS]
        self.recent_folders = folders
        return folders

    def remove_recent_folder(self, folder: str | os.PathLike) -> list[str]:
        text = str(Path(folder).expanduser().absolute())
        folders = [f for f in self.recent_folders if f != text]
        self.recent_folders = folders
        return folders


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, QByteArray):
        return QByteArray(value)
    return value


def _convert(raw: Any, kind: type) -> Any:
    """Convert what QSettings returns (INI files give strings) to ``kind``."""
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            lowered = raw.strip().lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off", ""):
                return False
            raise ValueError(raw)
        if isinstance(raw, int):
            return bool(raw)
        raise TypeError(type(raw))
    if kind is int:
        if isinstance(raw, bool):
            raise TypeError("bool is not an int setting")
        return int(raw)
    if kind is float:
        if isinstance(raw, bool):
            raise TypeError("bool is not a number setting")
        value = float(raw)
        if value != value:  # NaN
            raise ValueError(raw)
        return value
    if kind is str:
        if raw is None:
            return ""
        if not isinstance(raw, str):
            raise TypeError(type(raw))
        return raw
    if kind is list:
        if raw is None or raw == "":
            return []
        if isinstance(raw, str):  # QSettings stores a one-item list as a plain string
            return [raw]
        if isinstance(raw, (list, tuple)):
            return [str(item) for item in raw]
        raise TypeError(type(raw))
    if kind is QByteArray:
        if isinstance(raw, QByteArray):
            return raw
        if isinstance(raw, (bytes, bytearray)):
            return QByteArray(bytes(raw))
        raise TypeError(type(raw))
    return kind(raw)
