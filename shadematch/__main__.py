"""``python -m shadematch`` and the ``shadematch`` command.

With a sub-command (``match``, ``report``, ``palettes``, ``clients`` ...) the command-line front end
runs; otherwise the desktop application starts (optionally opening a photo, folder or session).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from shadematch.cli import is_cli_invocation

    if is_cli_invocation(args):
        from shadematch.cli import main as cli_main

        return cli_main(args)
    from shadematch.gui.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
