"""The command-line front end: the same core as the GUI, driven headless.

Each command group lives in its own module with a ``register(subparsers)`` function that adds its
sub-commands; each sub-command sets ``func`` (args -> exit code). Every expected error exits
non-zero with one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

from shadematch import __version__
from shadematch.errors import ShadematchError

# Modules that register sub-commands, in help order. A module that is absent is skipped.
COMMAND_MODULES = (
    "shadematch.cli.match_command",
    "shadematch.cli.palettes_command",
    "shadematch.cli.report_command",
    "shadematch.cli.preview_command",
    "shadematch.cli.touch_up_command",
    "shadematch.cli.records_command",
)

# The words that make `shadematch WORD ...` a CLI call rather than "open this path in the GUI".
COMMAND_WORDS = {"match", "preview", "touch-up", "palettes", "palette", "report", "clients", "records", "backup",
                 "restore", "-h", "--help", "--version"}


def is_cli_invocation(args: list[str]) -> bool:
    """True when the first argument names a sub-command (or asks for help/version)."""
    return bool(args) and args[0] in COMMAND_WORDS


def missing_path_message(path: str) -> str | None:
    """Why ``shadematch PATH`` cannot open PATH (``None`` when it exists).

    A bare word (no folder separator, no suffix) is more likely a mistyped sub-command than a
    photo: the message then lists the sub-commands and the closest one.
    """
    import difflib
    import os
    from pathlib import Path

    if Path(path).expanduser().exists():
        return None
    if os.sep in path or "/" in path or Path(path).suffix:
        return (f"shadematch: {path}: no such photo, folder or session; check the name, or "
                "start shadematch without a path and open one from the window")
    words = sorted(w for w in COMMAND_WORDS if not w.startswith("-"))
    close = difflib.get_close_matches(path, words, n=1)
    hint = f"did you mean `shadematch {close[0]}`? " if close else ""
    return (f"shadematch: '{path}' is not a command, nor a file or folder here; {hint}"
            f"commands: {', '.join(words)} (see `shadematch --help`)")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one clear line on stderr (exit 2), never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shadematch",
        description="Measure hair and scalp colour in a photo and rank SMP pigment shades by "
                    "delta-E. Run without a sub-command to start the desktop application.",
        epilog="Without a command, `shadematch [PHOTO|FOLDER|SESSION]` starts the desktop "
               "application and opens the photo, camera folder or saved session. "
               "`shadematch COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"shadematch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def _log_warnings(caught) -> None:
    import logging

    log = logging.getLogger("py.warnings")
    for w in caught:
        log.debug("%s:%s: %s: %s", w.filename, w.lineno, w.category.__name__, w.message)


@contextlib.contextmanager
def _library_messages_to_the_log():
    """What libraries report while a command runs goes to the log, not before its one line.

    Text the C image libraries (libtiff, LibRaw) write to fd 2 while decoding is captured
    (:mod:`shadematch.imaging.native_stderr`); Python libraries that log (tifffile: "invalid
    offset to first page") would reach the console through ``logging.lastResort`` when nothing
    is configured, so a handler that keeps them from it is installed then. Both for the length
    of the command only (``main`` also runs inside other programs and tests).
    """
    import logging

    from shadematch.imaging import native_stderr

    was_enabled = native_stderr.enabled()
    native_stderr.enable()
    root = logging.getLogger()
    quiet = logging.NullHandler() if not root.handlers else None
    if quiet is not None:
        root.addHandler(quiet)
    try:
        yield
    finally:
        native_stderr.enable(was_enabled)
        if quiet is not None:
            root.removeHandler(quiet)


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    import warnings

    try:
        # Library warnings (Pillow, tifffile, colour-science ...) are not for the practitioner:
        # they would be printed before the one line that says what went wrong. They go to the
        # log (the ``py.warnings`` logger) instead.
        with _library_messages_to_the_log(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return int(args.func(args) or 0)
            finally:
                _log_warnings(caught)
    except ShadematchError as exc:
        print(f"shadematch: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shadematch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
