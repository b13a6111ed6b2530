"""``shadematch palette card`` (print a dilution swatch card) and ``palette read-card`` (read a
photo of the painted card into a palette of your own pigments)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from shadematch.errors import ShadematchError

CARD_EXAMPLE = ("shadematch palette card -o card.pdf --pigments 'Carbon Black,Warm Black' "
                "--dilutions neat,2:1,4:1,8:1")


def add_actions(actions) -> None:
    """Add ``card`` and ``read-card`` to the ``palette`` actions."""
    card = actions.add_parser(
        "card", help="print a dilution swatch card (PDF) to paint your pigments on",
        description="Write a printable swatch card: one row per pigment, one numbered cell per "
                    "dilution and a blank cell per row, with corner marks. Its layout is "
                    "written beside it (CARD.layout.json) for `palette read-card`.",
        epilog=f"example: {CARD_EXAMPLE}")
    card.add_argument("-o", "--output", required=True, metavar="CARD.pdf")
    card.add_argument("--pigments", required=True, metavar="'NAME,NAME,...'",
                      help="the pigments, one row each (at most 8)")
    card.add_argument("--dilutions", default="neat,2:1,4:1,6:1,8:1,12:1,20:1",
                      metavar="'neat,2:1,...'",
                      help="the dilutions water:pigment, one column each (at most 7; default "
                           "%(default)s)")
    card.add_argument("--title", default="", help="printed at the top (e.g. the clinic)")
    card.set_defaults(func=_cmd_card)

    read = actions.add_parser(
        "read-card", help="read a photo of a painted swatch card into a palette",
        description="Find the card's corner marks in PHOTO, calibrate with the ColorChecker "
                    "beside it, measure every cell (with its spread), fit each pigment's optics "
                    "from its dilution series and write a palette (format 2) the appearance "
                    "model can use.")
    read.add_argument("photo", metavar="PHOTO")
    read.add_argument("--layout", required=True, metavar="CARD.layout.json",
                      help="the layout written beside the card's PDF")
    read.add_argument("--chart-corners", required=True,
                      metavar="'x1,y1;x2,y2;x3,y3;x4,y4'|auto",
                      help="the ColorChecker's corner patch centres (dark skin, bluish green, "
                           "black, white), or 'auto'")
    read.add_argument("--chart-reference", choices=("after-2014", "before-2014"),
                      default="after-2014")
    read.add_argument("--marks", metavar="'x1,y1;x2,y2;x3,y3;x4,y4'",
                      help="the card's corner marks (top left, top right, bottom right, bottom "
                           "left) when they are not found")
    read.add_argument("--name", required=True, help="the new palette's name")
    read.add_argument("--line", default="", help="brand / product line of the pigments")
    read.add_argument("-o", "--output", required=True, metavar="PALETTE.json")
    read.add_argument("--import", dest="import_it", action="store_true",
                      help="also import it into your palette folder")
    read.add_argument("--json", action="store_true", help="print the readings and fits as JSON")
    read.set_defaults(func=_cmd_read)


def _cmd_card(args: argparse.Namespace) -> int:
    from shadematch.reporting.swatch_card_pdf import write_card
    from shadematch.swatch_cards import CardLayout, parse_dilution

    pigments = tuple(p.strip() for p in args.pigments.split(",") if p.strip())
    dilutions = tuple(parse_dilution(d) for d in args.dilutions.split(",") if d.strip())
    layout = CardLayout(args.title, pigments, dilutions)
    pdf, layout_file = write_card(layout, args.output)
    print(f"Swatch card written to {pdf} ({len(pigments)} pigment"
          f"{'s' if len(pigments) != 1 else ''} x {len(dilutions)} dilutions); its layout to "
          f"{layout_file}. Print it at 100 %, paint it, photograph it beside a ColorChecker and "
          f"read it with `shadematch palette read-card`.")
    return 0


def _cmd_read(args: argparse.Namespace) -> int:
    from shadematch import calibration as cal
    from shadematch.atomic_files import write_text_atomic
    from shadematch.imaging import load_photo
    from shadematch.palettes.file_format import palette_from_dict
    from shadematch.palettes.writer import palette_json_text
    from shadematch.swatch_cards import palette_document, read_card, read_layout
    from shadematch.swatch_cards.layout import dilution_text

    output = Path(args.output)
    if output.suffix.lower() != ".json":
        raise ShadematchError(f"{output.name}: the palette is written as JSON; name it .json")
    layout = read_layout(args.layout)
    photo = load_photo(Path(args.photo))
    if args.chart_corners.strip().lower() == "auto":
        corners = cal.detect_chart(photo.rgb, reference=args.chart_reference)
    else:
        corners = cal.parse_corners(args.chart_corners)
    calibration = cal.calibrate_from_chart(photo.rgb, corners, chart="colorchecker24",
                                           reference=args.chart_reference,
                                           photo_sha256=photo.sha256)
    marks = cal.parse_corners(args.marks) if args.marks else None
    reading = read_card(photo.rgb, layout, calibration, marks_px=marks)
    document, fits = palette_document(reading, args.name, line=args.line)
    palette_from_dict(document, label=output.name)       # validated before anything is written
    try:
        write_text_atomic(output, palette_json_text(document))
    except OSError as exc:
        raise ShadematchError(f"cannot write {output}: {exc.strerror or exc}") from None
    imported = None
    if args.import_it:
        from shadematch.palettes import import_into_user_folder

        imported = import_into_user_folder(output)
    if args.json:
        print(json.dumps({"reading": reading.to_dict(), "palette": str(output),
                          "imported": imported is not None,
                          "fits": [{"pigment": f.name, "optics": f.optics.to_dict(),
                                    "undertone": f.undertone(), "surface": round(f.surface, 4),
                                    "mean_de00": round(f.mean_de00, 3),
                                    "max_de00": round(f.max_de00, 3), "cells": f.cells_used,
                                    "warnings": list(f.warnings)} for f in fits]},
                         indent=2))
        return 0
    print(f"Card read from {photo.name}: calibrated ({calibration.model}, chart mean "
          f"{calibration.to_dict().get('mean_delta_e', float('nan')):.2f} dE00)")
    for c in reading.cells:
        what = ("blank card" if c.cell.column is None else
                f"{layout.pigments[c.cell.row]} {dilution_text(*layout.dilutions[c.cell.column])}")
        print(f"  cell {c.cell.number:>2}  {what:<28} L* {c.Lab[0]:5.1f}  a* {c.Lab[1]:5.1f}  "
              f"b* {c.Lab[2]:5.1f}  spread {c.spread_de00:.1f}")
        for w in c.warnings:
            print(f"          ! {w}")
    for f in fits:
        print(f"  {f.name}: {f.undertone()}, optics fitted to {f.cells_used} cells within "
              f"{f.mean_de00:.2f} dE00 (max {f.max_de00:.2f})")
        for w in f.warnings:
            print(f"          ! {w}")
    print(f"Palette '{args.name}' written to {output}"
          + (" and imported into your palette folder." if imported is not None else
             f"; import it with `shadematch palette import {output}`."))
    return 0
