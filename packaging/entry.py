"""The bundle's program: the same entry point as the installed ``shadematch`` command."""

import sys

from shadematch.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
