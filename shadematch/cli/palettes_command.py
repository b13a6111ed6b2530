"""``shadematch palettes`` (list) and ``shadematch palette check|show|import|card|read-card``."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``palettes`` and ``palette`` sub-commands."""
    listing = subparsers.add_parser(
        "palettes", help="list the shipped and user palettes",
        description="List the shipped palettes and those in your palette folder.")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=_cmd_list)

    palette = subparsers.add_parser(
        "palette", help="check, show or import a palette; print and read a swatch card",
        description="Work with one palette: validate a file, show its colours, or import it "
                    "into your palette folder.")
    actions = palette.add_subparsers(dest="palette_command", metavar="ACTION")

    check = actions.add_parser("check", help="validate a palette file (.json or .csv)")
    check.add_argument("file", help="palette file to validate")
    check.set_defaults(func=_cmd_check)

    show = actions.add_parser("show", help="list the colours of a palette")
    show.add_argument("palette", nargs="?", default=None,
                      help="palette name or file (default: the default palette)")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show.set_defaults(func=_cmd_show)

    add = actions.add_parser("import", help="validate a .csv or .json palette and copy it "
                                            "into your palette folder")
    add.add_argument("file", help="palette file (.csv with name,L,a,b or name,hex; or .json)")
    add.add_argument("--name", default=None,
                     help="palette name (default: a .csv's file name, a .json file's own name); "
                          "it must not be taken by another palette")
    add.add_argument("--overwrite", action="store_true",
                     help="replace your palette of the same name (a shipped palette's name "
                          "cannot be taken)")
    add.set_defaults(func=_cmd_import)

    from shadematch.cli.swatch_card_command import add_actions

    add_actions(actions)
    palette.set_defaults(func=lambda args: _usage(palette))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("shadematch palette: error: choose an action: check, show, import, card or read-card", file=sys.stderr)
    return 2


def _row(palette) -> dict:
    return {
        "name": palette.name,
        "version": palette.version,
        "entries": len(palette.entries),
        "source": palette.source,
        "path": str(palette.path) if palette.path is not None else None,
        "hash": palette.short_hash,
    }


def _cmd_list(args: argparse.Namespace) -> int:
    from shadematch.palettes import DEFAULT_PALETTE_NAME, scan_palettes

    palettes, problems = scan_palettes()
    if args.json:
        print(json.dumps({
            "default": DEFAULT_PALETTE_NAME,
            "palettes": [_row(p) for p in palettes],
            "problems": [{"path": str(p.path), "source": p.source, "message": p.message}
                         for p in problems],
        }, indent=2))
        return 0
    rows = [_row(p) for p in palettes]
    headers = ("name", "version", "entries", "source", "path")
    table = [[str(r[h]) if r[h] is not None else "" for h in headers] for r in rows]
    widths = [max([len(h)] + [len(t[i]) for t in table]) for i, h in enumerate(headers)]
    print("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(f"default palette: {DEFAULT_PALETTE_NAME}")
    for problem in problems:
        print(f"not loaded: {problem.message}", file=sys.stderr)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from shadematch.palettes import check_palette_file

    palette = check_palette_file(args.file)
    pigments = len({e.pigment_id for e in palette.entries})
    print(f"OK: {palette.path.name if palette.path else args.file}: palette '{palette.name}' "
          f"version {palette.version}, {pigments} pigment{'s' if pigments != 1 else ''}, "
          f"{len(palette.entries)} colours (hash {palette.short_hash})")
    for warning in palette.warnings:
        print(f"warning: {warning}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from shadematch.palettes import load_palette

    palette = load_palette(args.palette)
    if args.json:
        print(json.dumps({"palette": palette.info(), "provenance": palette.provenance,
                          "entries": [e.to_dict() for e in palette.entries]}, indent=2))
        return 0
    print(f"{palette.name} {palette.version} ({palette.source}, hash {palette.short_hash})")
    if palette.provenance:
        print(f"provenance: {palette.provenance}")
    for entry in palette.entries:
        L, a, b = (round(v, 2) + 0.0 for v in entry.Lab)  # no "-0.00"
        print(f"  {entry.id:<28} {entry.name:<28} {entry.undertone:<10} "
              f"L*{L:6.2f} a*{a:6.2f} b*{b:6.2f}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from shadematch.errors import PaletteError
    from shadematch.palettes import import_into_user_folder
    from shadematch.palettes.writer import PaletteNameTakenError

    try:
        palette = import_into_user_folder(args.file, args.name, overwrite=args.overwrite)
    except PaletteNameTakenError as exc:
        where = exc.existing.path.name if exc.existing.path is not None else "another palette"
        if exc.existing.source == "shipped":
            advice = (f"a shipped palette ({where}) has that name and cannot be replaced; "
                      f"import under another name with --name {exc.suggestion}")
        else:
            advice = (f"your palette folder already has it ({where}); import under another "
                      f"name with --name {exc.suggestion}, or replace it with --overwrite")
        raise PaletteError(f"not imported: the palette name '{exc.name}' is taken: {advice}. "
                           "Nothing was written.") from None
    colours = len(palette.entries)
    print(f"imported palette '{palette.name}' ({colours} colour{'s' if colours != 1 else ''}) "
          f"to {palette.path}")
    return 0
