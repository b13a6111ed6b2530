"""``shadematch preview``: draw SMP dots into a client's photo in the shade being discussed."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path

from shadematch.cli.common import add_chart_arguments, non_negative_float
from shadematch.errors import ShadematchError

EXAMPLE = ("shadematch preview photo.jpg --hair 120,40,200,80 --skin 150,220,90,60 "
           "--area 100,20,300,120 --scale 8 -o preview.png")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number greater than 0")
    return value


def _scale_line(text: str) -> float:
    """``x1,y1,x2,y2:MM`` -> pixels per mm."""
    from shadematch.preview import scale_from_line

    try:
        coords, mm = text.split(":")
        x1, y1, x2, y2 = (float(v) for v in coords.split(","))
        length = float(mm)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not x1,y1,x2,y2:MM (a line in pixels over a known length in mm, e.g. "
            f"100,500,340,500:10)") from None
    try:
        return scale_from_line(x1, y1, x2, y2, length)
    except ShadematchError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def read_design(path):
    from shadematch.preview.design_editor import PreviewState

    try:
        return PreviewState.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ShadematchError(f"{path}: no such design file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ShadematchError(f"{Path(path).name}: cannot be read as a treatment design "
                              f"({exc})") from None


def _fill_from_design(args: argparse.Namespace, saved) -> None:
    """Options not given on the command line come from the saved design."""
    for key, value in (("density", None if saved.density_per_cm2 is None
                        else str(saved.density_per_cm2)), ("dot_mm", saved.dot_mm),
                       ("feather_mm", saved.feather_mm), ("seed", saved.seed),
                       ("stage", saved.stage), ("session", saved.session),
                       ("shade", saved.shade)):
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.scale is None and args.scale_line is None and saved.pixels_per_mm:
        args.scale = saved.pixels_per_mm


def register(subparsers) -> None:
    from shadematch.palettes.library import DEFAULT_PALETTE_NAME
    from shadematch.preview import design

    parser = subparsers.add_parser(
        "preview", help="draw SMP dots into the client's photo in a shade, as they will look",
        description="Measure the hair and skin regions of PHOTO, fit the client's skin, and draw "
                    "the treatment area with irregular, follicle-like dots coloured as the "
                    "pigment and dilution are predicted to look (healed by default) in this "
                    "skin. Pixels outside the area are left exactly as they were. The photo's "
                    "scale is needed (--scale or --scale-line).",
        epilog=f"example: {EXAMPLE}")
    parser.add_argument("photo", metavar="PHOTO", help="JPEG, PNG, TIFF, HEIC or camera RAW file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="where to write the preview (.png, .jpg or .tif; same size as "
                             "the photo, sRGB profile embedded)")
    regions = parser.add_argument_group(
        "regions", "R is x,y,w,h or rect:x,y,w,h, ellipse:cx,cy,rx,ry or poly:x1,y1,x2,y2,... in "
                   "pixels of the photo as displayed; repeat to add more")
    regions.add_argument("--hair", action="append", default=[], metavar="R",
                         help="the client's hair/stubble (the shade is matched to it)")
    regions.add_argument("--skin", action="append", default=[], metavar="R",
                         help="scalp skin (the dots are coloured as in it)")
    regions.add_argument("--scar", action="append", default=[], metavar="R",
                         help="scar tissue (with --in-scar the dots are coloured as in it)")
    regions.add_argument("--area", action="append", default=[], metavar="R",
                         help="the treatment area to fill with dots (repeat: their union)")
    regions.add_argument("--in-scar", action="store_true",
                         help="colour the dots as in the scar tissue (a scar camouflage)")
    dots = parser.add_argument_group("the treatment design")
    dots.add_argument("--density", default=None, metavar="N|match",
                      help=f"dots per cm2 (default {design.DEFAULT_DENSITY_PER_CM2:g}); 'match': "
                           f"the client's own follicle density measured in the hair region")
    dots.add_argument("--dot-mm", type=_positive, default=None, metavar="D",
                      help=f"dot diameter in mm (default {design.DEFAULT_DOT_MM:g})")
    dots.add_argument("--feather-mm", type=non_negative_float, default=None,
                      metavar="W", help=f"width over which the density fades in from the area's "
                                        f"edge, mm (default {design.DEFAULT_FEATHER_MM:g}; 0: a "
                                        f"hard edge)")
    dots.add_argument("--seed", type=int, default=None, help="layout seed (default 0)")
    dots.add_argument("--design", metavar="DESIGN.json",
                      help="a saved treatment design (area, density, dot size, feather, scale, "
                           "stage, session, shade); options given here override it")
    dots.add_argument("--save-design", metavar="DESIGN.json",
                      help="write the design drawn here, to redraw it later or keep it with the "
                           "client's visit (`shadematch match --treatment`)")
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--scale", type=_positive, metavar="PX_PER_MM",
                       help="the photo's scale, pixels per mm")
    scale.add_argument("--scale-line", type=_scale_line, metavar="x1,y1,x2,y2:MM",
                       help="a line in the photo over a known length (a ruler): the scale")
    scale.add_argument("--chart-row-mm", type=_positive, metavar="MM",
                       help="the scale from the ColorChecker (--chart colorchecker24 "
                            "--chart-corners ...): the distance in mm between the centres of "
                            "its dark-skin and bluish-green patches (a row of six), measured "
                            "once on your chart with a ruler")
    add_chart_arguments(parser)
    shade = parser.add_argument_group("shade and stage")
    shade.add_argument("--palette", metavar="NAME|PATH",
                       help=f"a palette name or file (default {DEFAULT_PALETTE_NAME})")
    shade.add_argument("--shade", metavar="ENTRY_ID",
                       help="the palette entry to draw (default: the best healed match)")
    shade.add_argument("--stage", choices=design.STAGES, default=None,
                       help="fresh (first days), healed (4-6 weeks, default) or faded")
    shade.add_argument("--fade-years", type=non_negative_float, default=None, metavar="Y",
                       help="years for --stage faded (default 5)")
    shade.add_argument("--session", choices=("final", "1"), default=None,
                       help="final (the full plan, default) or 1 (first session: lighter shade, "
                            "part of the density)")
    parser.add_argument("--json", action="store_true", help="print what was drawn as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from shadematch.cli.common import (
        calibration_from_args,
        chart_corners_from_args,
        print_json,
        regions_from_args,
    )
    from shadematch.imaging import load_photo
    from shadematch.imaging.regions import parse_region_spec
    from shadematch.palettes import load_palette
    from shadematch.palettes.library import DEFAULT_PALETTE_NAME
    from shadematch.preview import TreatmentDesign, density_from_hair, preview_photo
    from shadematch.reporting.preview_image import write_preview

    output = Path(args.output)
    if output.suffix.lower() not in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        raise ShadematchError(f"{output.name}: the preview is an image; name it .png, .jpg or "
                              f".tif")
    photo_path = Path(args.photo)
    if output.exists() and photo_path.exists() and output.resolve() == photo_path.resolve():
        raise ShadematchError(f"{output.name} is the photo itself: the photo is never "
                              f"overwritten; give another -o file name")
    from shadematch.preview.design import (
        DEFAULT_DENSITY_PER_CM2,
        DEFAULT_DOT_MM,
        DEFAULT_FEATHER_MM,
    )

    saved = read_design(args.design) if args.design else None
    if saved is not None:
        _fill_from_design(args, saved)
    for key, default in (("density", str(DEFAULT_DENSITY_PER_CM2)), ("dot_mm", DEFAULT_DOT_MM),
                         ("feather_mm", DEFAULT_FEATHER_MM), ("seed", 0), ("stage", "healed"),
                         ("session", "final")):
        if getattr(args, key) is None:
            setattr(args, key, default)
    if not args.area and (saved is None or not saved.area):
        raise ShadematchError("no treatment area: give --area R (the part of the scalp to fill "
                              "with dots)")
    if not args.hair:
        raise ShadematchError("no hair region: give --hair R (the client's stubble; the shade is "
                              "matched to it)")
    area_class = "scar" if args.in_scar else "skin"
    if not getattr(args, area_class):
        raise ShadematchError(f"no {area_class} region: give --{area_class} R (the dots are "
                              f"coloured as they will look in it)")
    pixels_per_mm = args.scale or args.scale_line
    if args.chart_row_mm is not None and args.chart != "colorchecker24":
        raise ShadematchError("--chart-row-mm takes the scale from a ColorChecker: also give "
                              "--chart colorchecker24 --chart-corners ... (or auto)")
    if pixels_per_mm is None and args.chart_row_mm is None:
        raise ShadematchError("the photo has no scale: give --scale PX_PER_MM, --scale-line "
                              "x1,y1,x2,y2:MM over a ruler in the photo, or --chart-row-mm MM "
                              "with the ColorChecker, so density and dot size can be drawn")
    regions = regions_from_args(args)
    area = (tuple(parse_region_spec(spec, "skin") for spec in args.area) if args.area
            else saved.area)
    palette = load_palette(args.palette or DEFAULT_PALETTE_NAME)
    photo = load_photo(Path(args.photo))
    calibration = calibration_from_args(args, photo)
    scale_source = "given"
    if args.chart_row_mm is not None:
        from shadematch.preview import scale_from_chart

        pixels_per_mm = scale_from_chart(chart_corners_from_args(args, photo), args.chart_row_mm)
        scale_source = "chart"
    density_text = str(args.density).strip().lower()
    match_density = density_text == "match"
    if match_density:
        density = 1.0       # replaced below, once the hair is measured
    else:
        try:
            density = float(density_text)
        except ValueError:
            raise ShadematchError(f"--density {args.density!r} is not a number of dots per cm2 "
                                  f"or 'match'") from None
    design = TreatmentDesign(area=area, density_per_cm2=density, dot_mm=args.dot_mm,
                             feather_mm=args.feather_mm, seed=args.seed)
    if match_density:
        from shadematch.analysis import measure_regions

        samples, problems = measure_regions(photo, [r for r in regions
                                                    if r.region_class == "hair"],
                                            pixels_per_mm=pixels_per_mm,
                                            photo_info=photo.info())
        if "hair" not in samples:
            raise ShadematchError(f"the hair region: {problems.get('hair')}")
        design = dataclasses.replace(design, density_per_cm2=density_from_hair(samples["hair"]))
    preview, choice = preview_photo(photo, regions, palette, design, pixels_per_mm,
                                    shade=args.shade, stage=args.stage, session=args.session,
                                    years=args.fade_years, calibration=calibration,
                                    area="scar" if args.in_scar else "scalp")
    write_preview(output, preview.rgb, photo, icc=preview.icc)
    if args.save_design:
        from shadematch.atomic_files import write_text_atomic
        from shadematch.preview.design_editor import PreviewState

        state = PreviewState(area=design.area, density_per_cm2=design.density_per_cm2,
                             dot_mm=design.dot_mm, feather_mm=design.feather_mm,
                             seed=design.seed, pixels_per_mm=pixels_per_mm,
                             stage=args.stage, session=args.session, shade=args.shade)
        try:
            write_text_atomic(args.save_design, json.dumps(state.to_dict(), indent=1) + "\n")
        except OSError as exc:
            raise ShadematchError(f"cannot write {args.save_design}: {exc.strerror or exc}") \
                from None
    info = preview.info()
    info["output"] = str(output)
    info["photo"] = photo.name
    info["scale_from"] = scale_source
    info["calibrated"] = calibration is not None
    info["skin_fit_delta_e"] = (None if choice.skin.fit_delta_e is None
                                else round(choice.skin.fit_delta_e, 3))
    if args.json:
        print_json(info)
        return 0
    d = info["density_per_cm2"]
    print(f"Preview written to {output}")
    print(f"  shade: {info['name']} ({info['entry_id']}), {args.stage}"
          + (", first session" if args.session == "1" else ""))
    print(f"  dot colour (predicted): L* {info['dot_lab'][0]:.1f}  a* {info['dot_lab'][1]:.1f}"
          f"  b* {info['dot_lab'][2]:.1f}, in skin modelled as L* {info['skin_model_lab'][0]:.1f}")
    inner = (f", {d['inner']:.0f} per cm2 inside the feathered edge" if d["inner"] is not None
             else "")
    print(f"  {info['dots']} dots of {args.dot_mm:g} mm over {info['area_cm2']:.1f} cm2 "
          f"({d['asked']:g} per cm2 asked, {args.feather_mm:g} mm feathered edge: "
          f"{info['expected_dots']:.0f} expected{inner})")
    for note in info["notes"]:
        print(f"  ! {note}")
    print("  A prediction from the appearance model: check it against the client's healed "
          "results.")
    return 0
