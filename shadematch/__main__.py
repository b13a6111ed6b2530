"""``python -m shadematch`` and the ``shadematch`` command.

With a sub-command (``match``, ``report``, ``palettes``, ``clients`` ...) the command-line front end
runs; otherwise the desktop application starts (optionally opening a photo, folder or session).
Before Qt is loaded, two mistakes get one clear line and a non-zero exit instead of a window (or
Qt's abort): a path that does not exist (or a mistyped sub-command), and no screen to show on.
"""

from __future__ import annotations

import os
import socket
import sys

# Qt platform plugins that need no screen (tests, screenshots, remote rendering)
_HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


def _x_server_answers(display: str, timeout: float = 0.5) -> bool:
    """Whether an X server accepts connections at ``display`` (``:0``, ``host:10.0``)."""
    host, _, number = display.rpartition(":")
    number = number.split(".", 1)[0]
    if not number.isdigit():
        return True  # a form we do not know: let Qt try
    try:
        if host in ("", "unix") and sys.platform.startswith("linux"):
            path = f"/tmp/.X11-unix/X{number}"
            for address in ("\0" + path, path):  # the abstract socket first, as libxcb does
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.settimeout(timeout)
                    try:
                        sock.connect(address)
                        return True
                    except OSError:
                        continue
            return False
        if host in ("", "unix"):
            return True  # macOS XQuartz launchd sockets and the like: let Qt try
        with socket.create_connection((host, 6000 + int(number)), timeout=timeout):
            return True
    except OSError:
        return False


def no_screen_message(argv: list[str], environ: dict[str, str] | None = None) -> str | None:
    """One line saying there is no screen for the window and what to do (``None``: there is one).

    Only Linux and the BSDs can lack one; there an X11 or Wayland display must be named and
    answer. ``QT_QPA_PLATFORM=offscreen`` (or ``-platform offscreen``) needs none.
    """
    env = os.environ if environ is None else environ
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    for i, arg in enumerate(argv):
        if arg.lstrip("-") == "platform" and i + 1 < len(argv):
            platform = argv[i + 1]
        elif arg.lstrip("-").startswith("platform="):
            platform = arg.split("=", 1)[1]
    if platform.split(":", 1)[0] in _HEADLESS_PLATFORMS:
        return None
    use = ("run it from the desktop session, or set DISPLAY; the command line needs no screen: "
           "`shadematch match PHOTO --hair X,Y,W,H --skin X,Y,W,H` (see `shadematch --help`)")
    wayland = env.get("WAYLAND_DISPLAY")
    display = env.get("DISPLAY")
    if wayland or (display and _x_server_answers(display)):
        return None
    if display:
        return f"shadematch: no screen answers at DISPLAY={display}, so the window cannot open: {use}"
    return f"shadematch: there is no screen here (DISPLAY is not set), so the window cannot open: {use}"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from shadematch.cli import is_cli_invocation

    if is_cli_invocation(args):
        from shadematch.cli import main as cli_main

        return cli_main(args)
    from shadematch.cli import missing_path_message
    from shadematch.gui.app import parse_arguments  # Qt is imported, not started

    path = parse_arguments(args).path
    problem = missing_path_message(path) if path is not None else None
    if problem:
        print(problem, file=sys.stderr)
        return 2
    problem = no_screen_message(args)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from shadematch.gui.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
