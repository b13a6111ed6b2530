"""``shadematch match``: measure regions of a photo and rank a palette against one of them."""

from __future__ import annotations

import argparse
import sys

from shadematch.cli.common import add_analysis_arguments, analysis_from_args, print_json
from shadematch.errors import ShadematchError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "match", help="measure regions of a photo and rank a pigment palette",
        description="Measure hair, scalp-skin and scar regions of PHOTO in CIELAB, predict how "
                    "each pigment and dilution of the palette will look healed in the client's "
                    "skin, and rank them by delta-E against the hair (--card-only: rank the card "
                    "swatches instead).",
        epilog="example: shadematch match photo.jpg --hair 120,40,200,80 --skin 150,220,90,60")
    parser.add_argument("photo", metavar="PHOTO", help="JPEG, PNG, TIFF, HEIC or camera RAW file")
    add_analysis_arguments(parser)
    parser.add_argument("--pick", metavar="ENTRY_ID",
                        help="record the chosen shade (an id from the ranking, e.g. "
                             "carbon-black@4:1)")
    parser.add_argument("--first-session-pick", metavar="ENTRY_ID",
                        help="record a lighter shade for the first session")
    parser.add_argument("--notes", default="", help="notes to keep with the analysis")
    parser.add_argument("--treatment", metavar="DESIGN.json",
                        help="a treatment design (`shadematch preview --save-design`) to keep "
                             "with the analysis and the visit")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--client", type=int, metavar="ID",
                        help="the client record (see `shadematch clients`) to save this visit to")
    parser.add_argument("--save", action="store_true",
                        help="with --client: store this analysis as a visit in the client's record")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.save and args.client is None:
        raise ShadematchError("--save needs --client ID (see `shadematch clients list`)")
    analysis, photo = analysis_from_args(args)
    if args.pick:
        analysis.set_pick(args.pick, "primary")
    if args.first_session_pick:
        analysis.set_pick(args.first_session_pick, "first_session")
    analysis.notes = args.notes
    if args.treatment:
        from shadematch.cli.preview_command import read_design

        analysis.treatment = read_design(args.treatment).to_dict()
    record = analysis.to_dict()
    visit_id = None
    if args.save:
        from shadematch.records import save_analysis_to_client

        visit_id = save_analysis_to_client(args.client, record, photo.path)
    if args.json:
        if visit_id is not None:
            record["visit_id"] = visit_id
        print_json(record)
    else:
        print(format_analysis(record))
        if visit_id is not None:
            print(f"\nSaved as visit {visit_id} of client {args.client}.")
    problem = analysis.matching.problem
    if analysis.matching.target not in analysis.samples:
        problem = analysis.problems.get(analysis.matching.target) or problem
        print(f"shadematch: no ranking: {problem}", file=sys.stderr)
        return 1
    if problem:
        print(f"shadematch: no ranking: {problem}", file=sys.stderr)
        return 1
    return 0


def _fmt_lab(lab) -> str:
    return f"L* {lab[0]:5.1f}  a* {lab[1]:5.1f}  b* {lab[2]:5.1f}"


def _short_lab(lab) -> str:
    return f"{lab[0]:5.1f} {lab[1]:5.1f} {lab[2]:5.1f} "


def format_analysis(record: dict) -> str:
    """The readable plain-text form of an analysis record."""
    photo = record["photo"]
    lines = []
    profile = photo["source_profile"] + (" (no profile in the file)" if photo["profile_assumed"]
                                         else "")
    lines.append(f"Photo: {photo['name']}  {photo['width']} x {photo['height']}  colour: {profile}")
    cal = record.get("calibration")
    if cal:
        lines.append(f"Calibration: {cal.get('chart')} ({cal.get('model')}), fit mean dE00 "
                     f"{cal.get('mean_delta_e', float('nan')):.2f}, max "
                     f"{cal.get('max_delta_e', float('nan')):.2f}"
                     + (f", leave-one-out {cal['leave_one_out_mean_delta_e']:.2f}"
                        if cal.get("leave_one_out_mean_delta_e") is not None else "")
                     + (f", skin patches {cal['skin_leave_one_out_mean_delta_e']:.2f}"
                        if cal.get("skin_leave_one_out_mean_delta_e") is not None else "")
                     + (" (reused from another photo of the shoot)" if cal.get("reused") else ""))
        for warning in cal.get("warnings", []):
            lines.append(f"        ! {warning}")
    else:
        lines.append("Calibration: not calibrated: colours are as the camera recorded them")
    lines.append("")
    lines.append("Samples (CIELAB, D65, 2 degree observer):")
    for region_class, s in record["samples"].items():
        px = s["pixels"]
        extra = ""
        if region_class == "skin":
            extra = f"  ITA {s['ita']:.1f} deg ({s['ita_class']})"
        lines.append(f"  {region_class:<6} {_fmt_lab(s['lab'])}  C* {s['lch'][1]:5.1f}  "
                     f"h {s['lch'][2]:5.1f}  {s['srgb_hex']}  pixels used {px['used']} of "
                     f"{px['total']}  spread dE00 {s['spread']['median_delta_e']:.1f}{extra}")
        follicles = s.get("follicles")
        if region_class == "healed" and follicles:
            density = follicles.get("density_per_cm2")
            lines.append(f"         healed SMP dots cover {follicles['coverage_percent']:.1f}%"
                         + (f", {follicles['dot_count']} dots" if follicles.get("dot_count")
                            else "")
                         + (f", {density:.0f} per cm2" if density else
                            " (density needs the photo's scale: a chart)"))
        for w in s["warnings"]:
            lines.append(f"        ! {w['message']}")
    for region_class, problem in record.get("problems", {}).items():
        lines.append(f"  {region_class:<6} not measured: {problem}")
    if record.get("contrast", {}).get("hair_skin_dL") is not None:
        lines.append(f"  hair-to-skin contrast dL* {record['contrast']['hair_skin_dL']:.1f}")
    m = record["matching"]
    pal = m["palette"]
    basis = m.get("basis", "card")
    lines.append("")
    if basis == "healed":
        area = "scar tissue" if m.get("area") == "scar" else "skin"
        fit = m.get("appearance", {}).get("skin_fit") or {}
        lines.append(f"Ranking by predicted HEALED colour in the client's {area} against the hair, "
                     f"with {m['formula_label']}, palette {pal['name']} v{pal['version']} "
                     f"({pal['hash']}):")
        if fit:
            lines.append(f"  skin model fit: melanin {100 * fit['melanin_fraction']:.1f} %, blood "
                         f"{100 * fit['blood_fraction']:.2f} %, within {fit['fit_delta_e']:.2f} "
                         f"dE00 of the measured {area}")
    else:
        lines.append(f"Ranking against {m['target']} with {m['formula_label']}, palette "
                     f"{pal['name']} v{pal['version']} ({pal['hash']})"
                     + (", ON CARD ONLY (as asked: the skin plays no part):"
                        if m.get("appearance") else ":"))
    if record["ranking"]:
        de = "dE00" if m["formula"] == "ciede2000" else "dE"
        healed = basis == "healed"
        colour_head = f"{'healed L*a*b*':<18} {'on card':<18}" if healed else f"{'on card':<18}"
        lines.append(f"  {'#':>2}  {'pigment':<28} {'dilution':<8} {de:>6} {'dL*':>6}  "
                     f"{colour_head} {'band':<18} direction")
        for r in record["ranking"]:
            card = r.get("card_lab", r["lab"])
            colours = (_short_lab(r["healed_lab"]) + " " if healed else "") + _short_lab(card)
            lines.append(
                f"  {r['rank']:>2}  {(r.get('pigment_name') or r['name'])[:28]:<28} "
                f"{r['dilution'] or '-':<8} "
                f"{r['delta_e']:6.2f} {r['dL']:6.2f}  {colours} {r['band'] or '-':<18} "
                f"{', '.join(r['direction']) or 'close'}")
        lines.append("  (dL*: " + ("healed" if healed else "card") + " minus hair; direction "
                     "words describe the pigment" + (" healed; a prediction, to be checked "
                                                     "against your own healed results)" if healed
                                                     else ")"))
    problem = m.get("appearance", {}).get("problem")
    if problem:
        lines.append(f"  no ranking: {problem}")
    for warning in record.get("guardrails", []):
        lines.append(f"  ! {warning['message']}")
    plan = record.get("plan")
    if plan:
        lines.append("")
        lines.append(f"Session plan (first session {plan['step_L']:g} L* lighter "
                     f"{'when healed' if plan.get('basis') == 'healed' else 'on card'}):")
        for session in plan["sessions"]:
            lines.append(f"  session {session['number']}: {session['name']}  ({session['purpose']})")
        scar = plan.get("scar")
        if scar:
            lines.append(f"  scar: {scar['recipe']['name']} (final on the scar: "
                         f"{scar['final']['name']})")
        for note in plan.get("notes", []) + (scar or {}).get("notes", []):
            lines.append(f"  - {note}")
    picks = record.get("picks", {})
    for key, label in (("primary", "Chosen shade"), ("first_session", "First session (lighter)")):
        pick = picks.get(key)
        if pick:
            lines.append(f"{label}: {pick['name']}")
    if record.get("notes"):
        lines.append(f"Notes: {record['notes']}")
    return "\n".join(lines)
