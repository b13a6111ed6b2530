"""``shadematch touch-up``: measure a returning client's faded SMP and rank touch-up dilutions."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from shadematch.cli.common import non_negative_float
from shadematch.errors import ShadematchError

EXAMPLE = ("shadematch touch-up client.jpg --healed 200,60,60,30 --skin 242,110,16,14 "
           "--hair 190,30,80,30 --pigment neutral-black")


def register(subparsers) -> None:
    from shadematch.palettes.library import DEFAULT_PALETTE_NAME

    parser = subparsers.add_parser(
        "touch-up", help="measure faded SMP and rank the touch-up dilutions",
        description="Measure the healed (faded) SMP of a returning client with the stubble-aware "
                    "estimator, work out how much ink is left in this skin, and rank the "
                    "dilutions of the session's pigment by how close a touch-up will heal to the "
                    "client's hair.",
        epilog=f"example: {EXAMPLE}")
    parser.add_argument("photo", metavar="PHOTO")
    regions = parser.add_argument_group("regions", "R as for `shadematch match`")
    regions.add_argument("--healed", action="append", default=[], metavar="R", required=True,
                         help="the healed/faded SMP (dots on the scalp)")
    regions.add_argument("--skin", action="append", default=[], metavar="R", required=True,
                         help="untreated scalp skin")
    regions.add_argument("--hair", action="append", default=[], metavar="R", required=True,
                         help="the client's hair/stubble: the colour to match")
    parser.add_argument("--pigment", required=True, metavar="PIGMENT_ID",
                        help="the pigment used at the session (its dilutions are ranked)")
    parser.add_argument("--palette", metavar="NAME|PATH",
                        help=f"the palette holding it (default {DEFAULT_PALETTE_NAME})")
    parser.add_argument("--session-shade", metavar="ENTRY_ID",
                        help="the shade used at the session (with --days: what the model "
                             "predicted for today)")
    parser.add_argument("--days", type=non_negative_float, metavar="N",
                        help="days since that session")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from shadematch.analysis import measure_regions
    from shadematch.appearance.learning import touch_up
    from shadematch.errors import AppearanceError
    from shadematch.imaging import load_photo
    from shadematch.imaging.regions import parse_region_spec
    from shadematch.palettes import load_palette
    from shadematch.palettes.library import DEFAULT_PALETTE_NAME

    palette = load_palette(args.palette or DEFAULT_PALETTE_NAME)
    entries = palette.pigment_entries(args.pigment)
    if not entries:
        ids = sorted({e.pigment_id for e in palette.entries})
        raise ShadematchError(f"pigment {args.pigment!r} is not in palette {palette.name!r}: use "
                              f"one of {', '.join(ids)}")
    session = None
    if args.session_shade:
        session = next((e for e in palette.entries if e.id == args.session_shade), None)
        if session is None:
            raise ShadematchError(f"shade {args.session_shade!r} is not in palette "
                                  f"{palette.name!r} (`shadematch palette show` lists them)")
    if (args.days is None) != (session is None):
        raise ShadematchError("--session-shade and --days go together (what was used, and how "
                              "long ago)")
    photo = load_photo(Path(args.photo))
    skin = [parse_region_spec(s, "skin") for s in args.skin]
    # the faded SMP is dots on skin, as stubble is: measured with the same dot-core estimator
    healed, problems = measure_regions(photo, skin + [parse_region_spec(s, "hair")
                                                      for s in args.healed],
                                       photo_info=photo.info())
    hair, hair_problems = measure_regions(photo, skin + [parse_region_spec(s, "hair")
                                                         for s in args.hair],
                                          photo_info=photo.info())
    for what, found, why in (("skin", healed, problems), ("healed SMP", healed, problems),
                             ("hair", hair, hair_problems)):
        key = "skin" if what == "skin" else "hair"
        if key not in found:
            raise ShadematchError(f"the {what} region: {why.get(key, 'could not be measured')}")
    try:
        plan = touch_up(healed["skin"].Lab, healed["hair"].Lab, hair["hair"].Lab, entries,
                        session_entry=session or entries[0],
                        days_since_session=args.days if session is not None else None)
    except AppearanceError as exc:
        raise ShadematchError(str(exc)) from None
    from shadematch.color.delta_e import delta_E

    faded_dE = float(delta_E(hair["hair"].Lab, healed["hair"].Lab))
    out = {"photo": photo.name, "pigment": args.pigment,
           "skin_lab": [round(v, 2) for v in healed["skin"].Lab],
           "faded_lab": [round(v, 2) for v in plan.faded_Lab],
           "hair_lab": [round(v, 2) for v in hair["hair"].Lab],
           "faded_vs_hair_de00": round(faded_dE, 2),
           "ink_left": round(plan.remaining, 4),
           "predicted_now_lab": (None if plan.predicted_now_Lab is None else
                                 [round(v, 2) for v in plan.predicted_now_Lab]),
           "options": [{"entry_id": o.entry.id, "name": o.entry.name,
                        "healed_lab": [round(v, 2) for v in o.Lab],
                        "delta_e": round(o.delta_e, 2)} for o in plan.options]}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    f = out["faded_lab"]
    print(f"Faded SMP: L* {f[0]:.1f}  a* {f[1]:.1f}  b* {f[2]:.1f}, {faded_dE:.1f} dE00 from the "
          f"hair (L* {out['hair_lab'][0]:.1f})")
    if plan.predicted_now_Lab is not None:
        p = plan.predicted_now_Lab
        print(f"The model predicted L* {p[0]:.1f} for today ({args.days:g} days after "
              f"{session.name}): measured {f[0] - p[0]:+.1f} L*")
    print(f"Ink left: {plan.remaining:.2f} of a neat layer. Touch-up dilutions of {args.pigment}, "
          f"best first (predicted healed, dE00 to the hair):")
    for o in plan.options[:6]:
        print(f"  {o.entry.name:<28} L* {o.Lab[0]:5.1f}  a* {o.Lab[1]:5.1f}  b* {o.Lab[2]:5.1f}"
              f"   dE00 {o.delta_e:5.1f}")
    print("A prediction from the appearance model: check it against the healed touch-up.")
    return 0
