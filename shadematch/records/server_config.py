"""Where this workstation's records are: the embedded SQLite store, or a PostgreSQL server.

``SHADEMATCH_DATABASE_URL`` (a libpq URL, ``postgresql://user@host:5432/database?sslmode=
verify-full``) overrides the workstation's setting, which :func:`save_records_config` writes
(for Preferences > Records) to ``records-server.json`` in the data folder. TLS and other libpq
options pass through in the URL untouched.

shadematch never writes a database password in plain text: a URL holding one is refused for
saving; the password goes to the platform keyring (the ``keyring`` package, when installed),
or the admin sets up a libpq password file (``~/.pgpass``, 0600) or service file
(``pg_service.conf``, then ``postgresql:///?service=clinic``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from shadematch.atomic_files import write_atomic
from shadematch.errors import RecordsError

ENV_URL = "SHADEMATCH_DATABASE_URL"
CONFIG_NAME = "records-server.json"
KEYRING_SERVICE = "shadematch-records"
_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class RecordsConfig:
    """``backend`` "sqlite" or "postgres"; ``url`` (no password); ``source`` "environment",
    "settings" or "default"; ``password_stored`` True when the keyring holds its password."""

    backend: str
    url: str | None
    source: str
    password_stored: bool = False


def _data_dir(data_dir: Path | None) -> Path:
    if data_dir is None:
        from shadematch.resources import user_data_dir

        data_dir = user_data_dir()
    return Path(data_dir)


def check_url(url: str) -> str:
    """``url`` stripped, or RecordsError saying how to write a server URL."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise RecordsError(f"The database URL is not valid ({exc}); write it as "
                           f"postgresql://user@host:5432/database.") from exc
    if parts.scheme not in _SCHEMES:
        raise RecordsError(f"The database URL must start with postgresql:// (got "
                           f"{parts.scheme or 'no scheme'}://); e.g. "
                           f"postgresql://shadematch@clinic-server:5432/shadematch"
                           f"?sslmode=verify-full.")
    return text


def split_password(url: str) -> tuple[str, str | None]:
    """``(url without its password, password or None)``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}")), parts.password


def keyring_account(url: str) -> str:
    parts = urlsplit(url)
    return (f"{parts.username or ''}@{parts.hostname or ''}:{parts.port or 5432}"
            f"/{parts.path.lstrip('/')}")


def _keyring():
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def load_records_config(data_dir: Path | None = None) -> RecordsConfig:
    """This workstation's records configuration (the environment first, then the setting)."""
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return RecordsConfig("postgres", check_url(env), "environment")
    path = _data_dir(data_dir) / CONFIG_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return RecordsConfig("sqlite", None, "default")
    except (OSError, ValueError) as exc:
        raise RecordsError(f"The records setting {path} cannot be read ({exc}); fix or delete "
                           f"it (Preferences > Records writes it again).") from exc
    url = data.get("url") if isinstance(data, dict) else None
    if not url:
        return RecordsConfig("sqlite", None, "settings")
    return RecordsConfig("postgres", check_url(str(url)), "settings",
                         bool(data.get("password_in_keyring")))


def save_records_config(url: str | None, data_dir: Path | None = None,
                        password: str | None = None) -> RecordsConfig:
    """Set this workstation's records: ``url`` None for the local SQLite store, or a server.

    A password (given, or inside ``url``) goes to the platform keyring; without a keyring it is
    refused (RecordsError saying to use ~/.pgpass or a service file) and nothing is saved.
    """
    folder = _data_dir(data_dir)
    path = folder / CONFIG_NAME
    stored = False
    if url:
        url, in_url = split_password(check_url(url))
        password = password or in_url
        if password:
            keyring = _keyring()
            if keyring is None:
                raise RecordsError(
                    "shadematch does not store database passwords in plain text, and no "
                    "platform keyring is available here (install the keyring package), so "
                    "nothing was saved. Ask the admin to put the password in a libpq password "
                    "file (~/.pgpass, chmod 600) or a service file (pg_service.conf), then save "
                    "the URL without a password.")
            try:
                keyring.set_password(KEYRING_SERVICE, keyring_account(url), password)
            except Exception as exc:  # noqa: BLE001 - every keyring backend has its own errors
                raise RecordsError(f"The platform keyring refused the password ({exc}); nothing "
                                   f"was saved. Use ~/.pgpass or a service file instead.") from exc
            stored = True
    text = json.dumps({"url": url or None, "password_in_keyring": stored}, indent=2) + "\n"
    try:
        write_atomic(path, lambda handle: handle.write(text.encode("utf-8")), mode=0o600)
    except OSError as exc:
        raise RecordsError(f"The records setting {path} cannot be written "
                           f"({exc.strerror or exc}); check the data folder's permissions."
                           ) from exc
    return RecordsConfig("postgres" if url else "sqlite", url or None, "settings", stored)


def server_password(url: str) -> str | None:
    """The password the keyring holds for ``url`` (None: libpq's files or no password)."""
    if urlsplit(url).password is not None:
        return None
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(url))
    except Exception:  # noqa: BLE001 - no usable keyring backend: fall back to libpq files
        return None
