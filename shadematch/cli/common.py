"""Options and helpers shared by the CLI commands that measure a photo (match, report)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from shadematch.errors import ShadematchError
from shadematch.palettes.library import DEFAULT_PALETTE_NAME


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def non_negative_float(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number >= 0")
    return value


def add_analysis_arguments(parser: argparse.ArgumentParser) -> None:
    """Regions, matching and calibration options (as for ``shadematch match``)."""
    regions = parser.add_argument_group(
        "regions", "R is x,y,w,h or rect:x,y,w,h (a rectangle), ellipse:cx,cy,rx,ry or "
                   "poly:x1,y1,x2,y2,... in pixels of the photo as displayed; repeat to add more")
    regions.add_argument("--hair", action="append", default=[], metavar="R", help="a hair region")
    regions.add_argument("--skin", action="append", default=[], metavar="R",
                         help="a scalp-skin region")
    regions.add_argument("--scar", action="append", default=[], metavar="R", help="a scar region")
    regions.add_argument("--healed", action="append", default=[], metavar="R",
                         help="healed SMP (at a follow-up: its dot colour, coverage and density "
                              "are measured as stubble is)")
    matching = parser.add_argument_group("matching")
    matching.add_argument("--target", choices=("hair", "skin", "scar"),
                          help="hair (default): rank by the predicted healed colour in the skin "
                               "against the hair; scar: the same with the scar tissue as the "
                               "skin; skin: only with --card-only")
    matching.add_argument("--card-only", action="store_true",
                          help="rank the card swatches instead of the predicted healed colour "
                               "(the skin plays no part; said in the output)")
    matching.add_argument("--fade-years", type=non_negative_float, default=None, metavar="Y",
                          help="years for the faded colour (default 5)")
    matching.add_argument("--first-step", type=non_negative_float, default=None, metavar="L",
                          help="how much lighter (healed L*) the first session is (default 4)")
    matching.add_argument("--palette", metavar="NAME|PATH",
                          help="a palette name (see `shadematch palettes`) or a .json/.csv file "
                               f"(default {DEFAULT_PALETTE_NAME})")
    matching.add_argument("--formula", default="ciede2000",
                          choices=("ciede2000", "cie94", "cie76", "cmc"),
                          help="delta-E formula (default ciede2000)")
    matching.add_argument("--top", type=positive_int, default=10, metavar="N",
                          help="how many matches to show (default 10)")
    add_chart_arguments(parser)


def add_chart_arguments(parser: argparse.ArgumentParser) -> None:
    """The chart options: the chart in the photo that calibrates the measurement."""
    chart = parser.add_argument_group("calibration with a reference chart in the photo")
    chart.add_argument("--chart", choices=("colorchecker24", "greycard"),
                       help="the chart in the photo")
    chart.add_argument("--chart-corners", metavar="'x1,y1;x2,y2;x3,y3;x4,y4'|auto",
                       help="centres of the corner patches in chart order: dark skin, bluish "
                            "green, black, white; 'auto' looks for the chart (check the result)")
    chart.add_argument("--chart-region", metavar="R", help="the grey card's region (--chart greycard)")
    chart.add_argument("--chart-reference", choices=("after-2014", "before-2014"),
                       default="after-2014",
                       help="ColorChecker reference values: charts made after (default) or before "
                            "November 2014")


def regions_from_args(args: argparse.Namespace) -> list:
    from shadematch.imaging.regions import REGION_CLASSES, parse_region_spec

    regions = []
    for region_class in REGION_CLASSES:
        for spec in getattr(args, region_class, []) or []:
            regions.append(parse_region_spec(spec, region_class))
    return regions


def calibration_from_args(args: argparse.Namespace, photo):
    """The calibration the chart options describe, or None when no chart was given."""
    if not getattr(args, "chart", None):
        if getattr(args, "chart_corners", None) or getattr(args, "chart_region", None):
            raise ShadematchError("--chart-corners/--chart-region need --chart colorchecker24 or "
                                  "--chart greycard")
        return None
    from shadematch import calibration as cal

    if args.chart == "greycard":
        if not args.chart_region:
            raise ShadematchError("--chart greycard needs --chart-region R (the grey card's area)")
        from shadematch.imaging.regions import parse_region_spec

        region = parse_region_spec(args.chart_region, "skin")
        return cal.calibrate_from_grey_card(photo, region.mask(photo.height, photo.width),
                                            photo_sha256=photo.sha256)
    corners = chart_corners_from_args(args, photo)
    return cal.calibrate_from_chart(photo, corners, chart="colorchecker24",
                                    reference=args.chart_reference, photo_sha256=photo.sha256)


def chart_corners_from_args(args: argparse.Namespace, photo) -> list[tuple[float, float]]:
    """The ColorChecker's corner patch centres that --chart-corners gives (or finds: auto)."""
    from shadematch import calibration as cal

    if not args.chart_corners:
        raise ShadematchError("--chart colorchecker24 needs --chart-corners "
                              "'x1,y1;x2,y2;x3,y3;x4,y4' (dark skin, bluish green, black, white), "
                              "or --chart-corners auto to look for the chart")
    if args.chart_corners.strip().lower() == "auto":
        return list(cal.detect_chart(photo.rgb, reference=args.chart_reference))
    return list(cal.parse_corners(args.chart_corners))


def default_target(args: argparse.Namespace, regions) -> str:
    if getattr(args, "target", None):
        return args.target
    if not getattr(args, "card_only", False):
        return "hair"      # the healed colour is always compared with the hair
    classes = [r.region_class for r in regions]
    for region_class in ("hair", "skin", "scar"):
        if region_class in classes:
            return region_class
    return "hair"


def analysis_from_args(args: argparse.Namespace):
    """Load the photo, calibrate, measure and rank as the options say.

    Returns
    -------
    (Analysis, Photo)
    """
    from shadematch.analysis import analyse
    from shadematch.imaging import load_photo
    from shadematch.palettes import load_palette

    regions = regions_from_args(args)
    if not regions:
        raise ShadematchError("no region given: mark at least one with --hair R, --skin R, "
                              "--scar R or --healed R (R is x,y,w,h in pixels)")
    palette = load_palette(args.palette or DEFAULT_PALETTE_NAME)
    photo = load_photo(Path(args.photo))
    calibration = calibration_from_args(args, photo)
    card_only = bool(getattr(args, "card_only", False))
    target = default_target(args, regions)
    if target == "skin" and not card_only:
        raise ShadematchError("--target skin ranks card swatches against the skin colour: add "
                              "--card-only, or use --target hair (healed colour in the skin)")
    analysis = analyse(photo, regions, palette, formula=args.formula, target=target,
                       top=args.top, calibration=calibration, card_only=card_only,
                       fade_years=getattr(args, "fade_years", None),
                       plan_step_L=getattr(args, "first_step", None))
    return analysis, photo


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``"1 photo"``, ``"2 photos"``, ``"0 copies"`` (``plural`` when not singular + "s")."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def print_json(data) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))
