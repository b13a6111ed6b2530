"""``shadematch report``: write the PDF shade report for a photo (measured now) or a saved session.

    shadematch report PHOTO [region and matching options as for match] [--client NAME]
                      [--practitioner NAME] [--notes TEXT] [--pick ID] -o OUT.pdf [--force]
    shadematch report SESSION.shadematch -o OUT.pdf [--photo PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shadematch.cli.common import add_analysis_arguments
from shadematch.errors import ReportError, ShadematchError

SESSION_SUFFIXES = (".shadematch",)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write the PDF shade report of a photo or a saved session",
        description="Measure PHOTO's regions and rank a palette (options as for `shadematch\n"
                    "match`), or read a saved .shadematch session, and write the PDF report:\n"
                    "photo with outlined regions, measured colours, ranked matches, the chosen\n"
                    "shade with its dilution recipe, notes and an aftercare page.",
        epilog="examples:\n"
               "  shadematch report photo.jpg --hair 120,40,200,80 --skin 150,220,90,60 "
               "--client 'Zoë Ó Súilleabháin' --palette carbon-black-dilution-modelled "
               "--pick carbon-black@4:1 -o zoe.pdf\n"
               "  shadematch report visit.shadematch -o visit.pdf",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", metavar="PHOTO|SESSION",
                        help="a photo (JPEG, PNG, TIFF, HEIC, camera RAW) or a .shadematch session")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.pdf",
                        help="the PDF file to write; .pdf is added to a name without a suffix, "
                             "any other suffix is refused")
    parser.add_argument("--force", action="store_true",
                        help="replace OUT.pdf if it already exists")
    parser.add_argument("--copy", choices=("client", "practitioner", "both"),
                        default="practitioner",
                        help="which copy: the practitioner's (every measurement detail; the "
                             "default), the client's (plain words: shade, recipe, plan, preview, "
                             "aftercare) or both (written as 'OUT client.pdf' and "
                             "'OUT practitioner.pdf')")
    people = parser.add_argument_group("report contents")
    people.add_argument("--client", metavar="NAME", default=None, help="the client's name")
    people.add_argument("--practitioner", metavar="NAME", default="",
                        help="the practitioner's name")
    people.add_argument("--notes", metavar="TEXT", default=None,
                        help="notes to print (replaces a session's notes)")
    people.add_argument("--pick", metavar="PIGMENT_ID",
                        help="the chosen shade: an id from the ranking, e.g. carbon-black@4:1")
    people.add_argument("--first-session-pick", metavar="PIGMENT_ID",
                        help="a lighter shade for the first session")
    people.add_argument("--clinic-name", metavar="TEXT", default="", help="clinic name")
    people.add_argument("--clinic-address", metavar="TEXT", default="",
                        help="clinic address (use \\n or several lines in quotes)")
    people.add_argument("--visit", metavar="TEXT", default="",
                        help="the visit, e.g. 'Session 2' or 'Touch-up' (practitioner's copy)")
    people.add_argument("--batch", metavar="TEXT", default="",
                        help="the pigment batch or lot number (practitioner's copy)")
    people.add_argument("--clinic-phone", metavar="TEXT", default="",
                        help="the clinic's phone number, printed on the aftercare page")
    people.add_argument("--clinic-logo", metavar="IMAGE", type=Path, default=None,
                        help="clinic logo (PNG or JPEG)")
    people.add_argument("--no-aftercare", action="store_true",
                        help="leave out the client's aftercare page")
    people.add_argument("--photo", metavar="PATH", type=Path, default=None,
                        help="with a session: the photo, if it is no longer where it was saved")
    people.add_argument("--without-photo", action="store_true",
                        help="with a session whose photo is lost: report the saved measurements "
                             "with no picture")
    add_analysis_arguments(parser)
    parser.set_defaults(func=run)


def _is_session(path: Path) -> bool:
    return path.suffix.lower() in SESSION_SUFFIXES


def _from_session(args: argparse.Namespace) -> tuple[dict, object]:
    from shadematch.imaging import load_photo
    from shadematch.sessions import check_photo, read_session

    if args.hair or args.skin or args.scar or args.healed or args.chart:
        raise ShadematchError("region and chart options measure a photo: give PHOTO instead of "
                              "a session, or leave them out to report the session as saved")
    record = read_session(args.source)
    if args.without_photo:
        photo = None
        check = None
    else:
        check = check_photo(record, args.photo)
    if check is not None and check.status == "missing":
        raise ReportError(f"the session's photo is no longer at {check.path}: give its new "
                          "place with --photo PATH (or use --without-photo)")
    if check is not None and check.status == "unknown":
        raise ReportError("the session does not name its photo: give it with --photo PATH (or "
                          "use --without-photo)")
    if check is not None and check.status == "changed":
        raise ReportError(f"{check.path.name} has changed since the session was saved, so the "
                          "regions would not match it: give the original photo with --photo PATH")
    if check is not None:
        photo = load_photo(check.path)
    record, palette = _ranked_session(record, args.palette)
    if args.pick or args.first_session_pick:
        from shadematch.analysis import Analysis

        analysis = Analysis.from_dict(record)
        analysis.palette = palette
        if args.pick:
            analysis.set_pick(args.pick, "primary")
        if args.first_session_pick:
            analysis.set_pick(args.first_session_pick, "first_session")
        record = {**record, "picks": analysis.to_dict()["picks"]}
    return record, photo


def _ranked_session(record: dict, palette_name: str | None) -> tuple[dict, object]:
    """The session's record, ranked as the desktop application ranks it when it has to be.

    A session saved without a ranking (no palette was loaded yet, e.g. the first-run demo) has
    its saved samples ranked against its own palette when installed, else the default one;
    ``--palette`` ranks the saved samples against that palette instead of the saved ranking.
    Both go through ``compose_analysis``, the builder the application saves with.

    Returns
    -------
    (record, palette) : palette is None when the saved ranking is used as it is.
    """
    from shadematch.analysis import Analysis, RankingSettings, compose_analysis
    from shadematch.errors import PaletteError
    from shadematch.palettes import load_palette

    matching = record.get("matching") or {}
    target = matching.get("target") or "hair"
    if palette_name is None and record.get("ranking"):
        return record, None
    if target not in (record.get("samples") or {}):
        return record, None  # nothing to rank: the report says why
    saved = Analysis.from_dict(record)
    if palette_name is None:
        try:
            palette = load_palette((matching.get("palette") or {}).get("name") or None)
        except PaletteError:
            palette = load_palette(None)
    else:
        palette = load_palette(palette_name)
    m = saved.matching
    settings = RankingSettings(formula=m.formula, params=dict(m.params), target=m.target,
                               top=m.top, area=m.area,
                               card_only=any(g.code == "card_only" for g in saved.guardrails))
    ranked = compose_analysis(saved.photo, saved.regions, saved.samples, saved.problems,
                              palette, settings, saved.calibration, picks=saved.picks,
                              notes=saved.notes, created=saved.created)
    if not record.get("ranking"):
        print(f"shadematch: the session was saved without a ranking: its samples are ranked "
              f"against the palette {palette.name}", file=sys.stderr)
    if ranked.matching.problem:
        print(f"shadematch: the session could not be ranked: {ranked.matching.problem}",
              file=sys.stderr)
    out = ranked.to_dict()
    return {**record, **{k: out[k] for k in ("matching", "ranking", "plan", "guardrails")}}, \
        palette


def _from_photo(args: argparse.Namespace) -> tuple[dict, object]:
    from shadematch.cli.common import analysis_from_args

    if args.photo is not None:
        raise ShadematchError("--photo is for sessions: give the photo as PHOTO")
    args.photo = args.source  # analysis_from_args reads args.photo
    analysis, photo = analysis_from_args(args)
    if args.pick:
        analysis.set_pick(args.pick, "primary")
    if args.first_session_pick:
        analysis.set_pick(args.first_session_pick, "first_session")
    return analysis.to_dict(), photo


def _pdf_path(out: Path) -> Path:
    """The report's file: ``.pdf`` added to a bare name (and said); another suffix is refused,
    so a PDF never hides behind a name that promises something else."""
    if out.suffix.lower() == ".pdf" or out.is_dir():
        return out
    if not out.suffix:
        pdf = out.with_name(out.name + ".pdf")
        print(f"shadematch: the report is a PDF: writing {pdf}", file=sys.stderr)
        return pdf
    raise ReportError(f"{out.name}: the report is a PDF; give a name ending in .pdf "
                      f"(e.g. -o {out.with_suffix('.pdf').name})")


def run(args: argparse.Namespace) -> int:
    from shadematch.reporting import ReportOptions, build_reports, copy_paths
    from shadematch.reporting.builder import check_destination

    out = _pdf_path(Path(args.output).expanduser())
    for path in copy_paths(out, args.copy).values():
        check_destination(path, args.force)  # fail before measuring, not after
    source = Path(args.source)
    record, photo = _from_session(args) if _is_session(source) else _from_photo(args)
    if args.notes is not None:
        record["notes"] = args.notes
    session_settings = (record.get("session") or {}).get("settings") or {}
    options = ReportOptions(
        client_name=args.client if args.client is not None
        else str(session_settings.get("client_name") or ""),
        practitioner=args.practitioner,
        clinic_name=args.clinic_name,
        clinic_address=args.clinic_address.replace("\\n", "\n"),
        clinic_logo=args.clinic_logo,
        clinic_phone=args.clinic_phone, visit=args.visit, batch=args.batch,
        aftercare=not args.no_aftercare,
        top=args.top if not _is_session(source) else None,
    )
    if args.without_photo and not _is_session(source):
        raise ShadematchError("--without-photo is for sessions: a photo given as PHOTO is used")
    for written in build_reports(record, photo.rgb if photo is not None else None, out, options,
                                 args.copy, overwrite=args.force):
        size_kb = written.stat().st_size / 1024
        print(f"Report written: {written} ({size_kb:.0f} KB)")
    matching = record.get("matching") or {}
    target = matching.get("target")
    if not record.get("ranking"):
        problem = ((matching.get("appearance") or {}).get("problem")
                   or (record.get("problems") or {}).get(target, ""))
        print(f"shadematch: the report has no ranking: "
              f"{problem or f'no {target} region was measured'}", file=sys.stderr)
    return 0
