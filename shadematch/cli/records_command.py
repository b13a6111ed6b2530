"""``shadematch clients ...``, ``shadematch records check|info``, ``shadematch backup``,
``shadematch restore``: the client records from the command line.

``--json`` outputs are stable and documented in docs/RECORDS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shadematch.errors import RecordsError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``clients``, ``records``, ``backup`` and ``restore`` sub-commands."""
    clients = subparsers.add_parser(
        "clients", help="client records: add, list, show, screening, consent, export, delete",
        description="Client records and treatment history (stored in the user data folder, or "
                    "in SHADEMATCH_DATA_DIR).")
    actions = clients.add_subparsers(dest="clients_command", metavar="ACTION")
    clients.set_defaults(func=lambda args: _usage(clients, "add, list, show, update, screening, "
                                                           "consent, export, import or delete"))

    add = actions.add_parser("add", help="add a client; prints the new id")
    _client_fields(add, name_required=True)
    _json(add)
    add.set_defaults(func=_cmd_add)

    listing = actions.add_parser("list", help="list clients (with screening flags)")
    listing.add_argument("--search", default="", metavar="TEXT",
                         help="only clients whose name or contact contains TEXT")
    _json(listing)
    listing.set_defaults(func=_cmd_list)

    show = actions.add_parser("show", help="a client's details, screening and visits")
    show.add_argument("id", type=int, help="client id")
    show.add_argument("--with-analysis", action="store_true",
                      help="include each visit's full analysis record in --json output")
    _json(show)
    show.set_defaults(func=_cmd_show)

    update = actions.add_parser("update", help="change a client's details")
    update.add_argument("id", type=int, help="client id")
    _client_fields(update, name_required=False)
    _json(update)
    update.set_defaults(func=_cmd_update)

    screening = actions.add_parser(
        "screening", help="record the consultation screening",
        description="Record screening answers (the latest screening's other answers are kept). "
                    "Items: scalp_condition, skin_cancer, keloid, clotting, pigment_allergy, "
                    "immune, pregnancy, diabetes, under_18.")
    screening.add_argument("id", type=int, help="client id")
    screening.add_argument("--set", dest="answers", action="append", default=[],
                           metavar="ITEM=yes|no[:NOTE]", help="one answer (repeatable)")
    screening.add_argument("--patch-test-date", default=None, metavar="DATE",
                           help="pigment allergy patch test date (YYYY-MM-DD)")
    screening.add_argument("--patch-test-result", default=None, metavar="TEXT",
                           help="pigment allergy patch test result")
    _json(screening)
    screening.set_defaults(func=_cmd_screening)

    consent = actions.add_parser("consent", help="record that the client gave consent")
    consent.add_argument("id", type=int, help="client id")
    consent.add_argument("--when", default=None, metavar="TIME",
                         help="when consent was given (ISO 8601; default now)")
    consent.add_argument("--note", default=None, help="what was consented to / form reference")
    _json(consent)
    consent.set_defaults(func=_cmd_consent)

    export = actions.add_parser("export", help="write a client (JSON + photos) to a new folder")
    export.add_argument("id", type=int, help="client id")
    export.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="new (or empty) folder to write")
    _json(export)
    export.set_defaults(func=_cmd_export)

    imp = actions.add_parser("import", help="add a client from an export folder")
    imp.add_argument("folder", metavar="DIR", help="folder written by `clients export`")
    _json(imp)
    imp.set_defaults(func=_cmd_import)

    delete = actions.add_parser(
        "delete", help="erase a client, their visits, photo copies and thumbnails",
        description="Erase a client (the right to erasure): the client, screenings, consents, "
                    "visits, and the photo copies and thumbnails only they used. Backups keep "
                    "the data until they are rotated out (7 days).")
    delete.add_argument("id", type=int, help="client id")
    delete.add_argument("--yes", action="store_true",
                        help="do not ask for confirmation (required when not interactive)")
    _json(delete)
    delete.set_defaults(func=_cmd_delete)

    records = subparsers.add_parser("records", help="check the records store, or show where "
                                                    "it is")
    records_actions = records.add_subparsers(dest="records_command", metavar="ACTION")
    records.set_defaults(func=lambda args: _usage(records, "check, prune or info"))
    check = records_actions.add_parser("check", help="full integrity check of the records")
    _json(check)
    check.set_defaults(func=_cmd_check)
    prune = records_actions.add_parser(
        "prune", help="remove photo files no visit refers to (left by interrupted saves or "
                      "after restoring an older backup)")
    _json(prune)
    prune.set_defaults(func=_cmd_prune)
    info = records_actions.add_parser("info", help="where the records are and what they hold")
    _json(info)
    info.set_defaults(func=_cmd_info)

    backup = subparsers.add_parser("backup", help="back up the records database now")
    backup.add_argument("-o", "--output", default=None, metavar="PATH",
                        help="file or folder for the backup (default: the backups folder, "
                             "where the last 7 are kept)")
    _json(backup)
    backup.set_defaults(func=_cmd_backup)

    restore = subparsers.add_parser(
        "restore", help="list backups, or restore the records database from one",
        description="Without BACKUP: list the backups. With BACKUP: check it, keep the current "
                    "database (as a pre-restore backup, or renamed aside when damaged), then "
                    "restore. Close the desktop application first.")
    restore.add_argument("backup", nargs="?", default=None, help="backup file to restore")
    restore.add_argument("--yes", action="store_true",
                         help="do not ask for confirmation (required when not interactive)")
    _json(restore)
    restore.set_defaults(func=_cmd_restore)


def _client_fields(parser: argparse.ArgumentParser, name_required: bool) -> None:
    parser.add_argument("--name", required=name_required, default=None, help="client's name")
    parser.add_argument("--dob", default=None, metavar="DATE", help="date of birth, YYYY-MM-DD")
    parser.add_argument("--contact", default=None, help="phone / e-mail")
    parser.add_argument("--pattern", dest="hair_loss_pattern", default=None,
                        help="hair-loss pattern: Norwood / Ludwig stage or free text")
    parser.add_argument("--notes", default=None, help="free-text notes")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON (see docs/RECORDS.md)")


def _usage(parser: argparse.ArgumentParser, choices: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"shadematch: error: choose an action: {choices}", file=sys.stderr)
    return 2


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _store():
    from shadematch.records import open_store

    return open_store()


def _confirm(prompt: str, expected: str, args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise RecordsError("Confirmation needed: run again with --yes to confirm.")
    answer = input(prompt)
    if answer.strip() != expected:
        raise RecordsError("Not confirmed; nothing was changed.")


# ---------------------------------------------------------------- clients
def _cmd_add(args: argparse.Namespace) -> int:
    with _store() as store:
        client_id = store.add_client(args.name, dob=args.dob, contact=args.contact,
                                     hair_loss_pattern=args.hair_loss_pattern, notes=args.notes)
        if args.json:
            _print_json({"id": client_id, "client": store.get_client(client_id).to_dict()})
        else:
            print(client_id)
    return 0


def _flag_text(client) -> str:
    return ", ".join(f"!{flag.upper()}" for flag in client.flags())


def _cmd_list(args: argparse.Namespace) -> int:
    with _store() as store:
        clients = store.search_clients(args.search)
    if args.json:
        _print_json({"clients": [client.to_dict() for client in clients]})
        return 0
    if not clients:
        print("No clients." if not args.search else f"No client matches {args.search!r}.")
        return 0
    print(f"{'ID':>5}  {'NAME':<28} {'BORN':<10}  {'VISITS':>6}  {'LAST VISIT':<10}  FLAGS")
    for c in clients:
        print(f"{c.id:>5}  {c.name[:28]:<28} {c.dob or '':<10}  {c.visit_count:>6}  "
              f"{(c.last_visit or '')[:10]:<10}  {_flag_text(c)}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from shadematch.records import SCREENING_ITEMS

    with _store() as store:
        client = store.get_client(args.id)
        visits = store.visits(args.id)
    if args.json:
        _print_json({"client": client.to_dict(),
                     "visits": [v.to_dict(with_analysis=args.with_analysis) for v in visits]})
        return 0
    print(f"#{client.id}  {client.name}")
    if client.flags():
        print("  !! SCREENING FLAGS: " + "; ".join(client.flag_labels()))
    age = client.age()
    print(f"  born: {client.dob or '-'}" + (f" (age {age})" if age is not None else ""))
    for label, value in (("contact", client.contact), ("hair loss", client.hair_loss_pattern),
                         ("notes", client.notes)):
        print(f"  {label}: {value or '-'}")
    print(f"  consent: {client.consent_at or 'NOT RECORDED'}")
    if client.screening is None:
        print("  screening: not recorded")
    else:
        print(f"  screening ({client.screening.recorded_at}):")
        for key, item in client.screening.answers.items():
            answer = item.get("answer") or "-"
            mark = "!!" if answer == "yes" else "  "
            extra = ""
            if key == "pigment_allergy" and item.get("patch_test_date"):
                extra = (f" (patch test {item['patch_test_date']}: "
                         f"{item.get('patch_test_result') or '-'})")
            note = f" - {item['note']}" if item.get("note") else ""
            print(f"   {mark} {SCREENING_ITEMS[key]}: {answer}{extra}{note}")
    print(f"  visits: {len(visits)}")
    for v in visits:
        used = v.chosen_name or v.chosen_entry_id or "-"
        details = [f"pigment {used}"]
        if v.dilution:
            details.append(f"dilution {v.dilution}")
        if v.batch:
            details.append(f"batch {v.batch}")
        print(f"   #{v.id}  {v.visit_date[:16]}  {v.label:<13} {', '.join(details)}")
        if v.notes:
            print(f"          notes: {v.notes}")
    return 0


def _cmd_update(args: argparse.Namespace) -> int:
    fields = {key: getattr(args, key) for key in ("name", "dob", "contact", "hair_loss_pattern",
                                                   "notes") if getattr(args, key) is not None}
    if not fields:
        raise RecordsError("Nothing to change: give --name, --dob, --contact, --pattern or "
                           "--notes.")
    with _store() as store:
        client = store.update_client(args.id, **fields)
    if args.json:
        _print_json({"client": client.to_dict()})
    else:
        print(f"Updated client #{client.id} ({client.name}).")
    return 0


def _cmd_screening(args: argparse.Namespace) -> int:
    with _store() as store:
        client = store.get_client(args.id)
        answers = dict(client.screening.answers) if client.screening else {}
        for spec in args.answers:
            key, sep, rest = spec.partition("=")
            if not sep:
                raise RecordsError(f"--set {spec!r}: write ITEM=yes, ITEM=no or ITEM=yes:note.")
            answer, _, note = rest.partition(":")
            item = dict(answers.get(key.strip(), {}))
            item.update({"answer": answer.strip() or None, "note": note.strip()})
            answers[key.strip()] = item
        if args.patch_test_date is not None or args.patch_test_result is not None:
            item = dict(answers.get("pigment_allergy", {}))
            if args.patch_test_date is not None:
                item["patch_test_date"] = args.patch_test_date
            if args.patch_test_result is not None:
                item["patch_test_result"] = args.patch_test_result
            answers["pigment_allergy"] = item
        if not args.answers and args.patch_test_date is None and args.patch_test_result is None:
            raise RecordsError("Nothing to record: give --set ITEM=yes|no (repeatable).")
        screening = store.set_screening(args.id, answers)
    if args.json:
        _print_json({"client_id": args.id, "screening": screening.to_dict()})
    else:
        flags = screening.flags()
        print(f"Screening recorded for #{args.id}; flags: "
              f"{', '.join(flag.upper() for flag in flags) if flags else 'none'}.")
    return 0


def _cmd_consent(args: argparse.Namespace) -> int:
    with _store() as store:
        when = store.record_consent(args.id, when=args.when, note=args.note)
    if args.json:
        _print_json({"client_id": args.id, "consent_at": when})
    else:
        print(f"Consent recorded for #{args.id} at {when}.")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    with _store() as store:
        path = store.export_client(args.id, Path(args.output))
    if args.json:
        _print_json({"client_id": args.id, "path": str(path)})
    else:
        print(f"Exported client #{args.id} to {path}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    with _store() as store:
        client_id = store.import_client(Path(args.folder))
        client = store.get_client(client_id)
    if args.json:
        _print_json({"id": client_id, "client": client.to_dict()})
    else:
        print(client_id)
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    with _store() as store:
        client = store.get_client(args.id)
        _confirm(f"Erase client #{client.id} {client.name} with {client.visit_count} visit(s), "
                 f"their photo copies and thumbnails? This cannot be undone.\n"
                 f"Type the client id ({client.id}) to confirm: ", str(client.id), args)
        removed = store.delete_client(args.id)
    if args.json:
        _print_json({"deleted": args.id, "visits": removed["visits"],
                     "photos": removed["photos"]})
    else:
        print(f"Erased client #{args.id} ({removed['visits']} visit(s), {removed['photos']} "
              f"photo copy/copies).")
    return 0


# ---------------------------------------------------------------- records, backup, restore
def _cmd_check(args: argparse.Namespace) -> int:
    with _store() as store:
        problems = store.check()
        info = {"ok": not problems, "problems": problems, "database": str(store.db_path),
                "schema_version": store.schema_version, "counts": store.counts()}
    if args.json:
        _print_json(info)
    elif problems:
        print(f"{len(problems)} problem(s) in {info['database']}:")
        for problem in problems:
            print(f"  - {problem}")
        print("See docs/RECORDS.md (Restore) to restore a backup.")
    else:
        counts = info["counts"]
        print(f"OK: {info['database']} ({counts['clients']} clients, {counts['visits']} visits, "
              f"{counts['photos']} photos).")
    return 0 if not problems else 1


def _cmd_prune(args: argparse.Namespace) -> int:
    with _store() as store:
        removed = store.prune_orphans()
    if args.json:
        _print_json({"removed": [str(p) for p in removed]})
    else:
        print(f"Removed {len(removed)} unreferenced file(s).")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    with _store() as store:
        info = {"folder": str(store.root), "database": str(store.db_path),
                "backups_folder": str(store.backups_dir),
                "schema_version": store.schema_version, "counts": store.counts(),
                "backups": [str(p) for p in store.list_backups()]}
    if args.json:
        _print_json(info)
    else:
        print(f"records folder: {info['folder']}")
        print(f"schema version: {info['schema_version']}")
        print(f"holds: {info['counts']['clients']} clients, {info['counts']['visits']} visits, "
              f"{info['counts']['photos']} photos")
        print(f"backups: {len(info['backups'])} in {info['backups_folder']}")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    with _store() as store:
        path = store.backup(args.output)
    if args.json:
        _print_json({"path": str(path)})
    else:
        print(f"Backed up to {path}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from shadematch.records import records_dir, restore_backup
    from shadematch.records.backups import list_backups

    if args.backup is None:
        backups = list_backups(records_dir() / "backups")
        if args.json:
            _print_json({"backups": [{"path": str(p), "taken": when.isoformat()}
                                     for when, p in backups]})
        elif not backups:
            print(f"No backups in {records_dir() / 'backups'}.")
        else:
            print("Backups (oldest first); restore one with `shadematch restore FILE`:")
            for when, path in backups:
                print(f"  {when:%Y-%m-%d %H:%M:%S} UTC  {path}")
        return 0
    _confirm(f"Replace the records with {args.backup}? The current database is kept as a "
             f"backup first. Type 'restore' to confirm: ", "restore", args)
    result = restore_backup(Path(args.backup))
    if args.json:
        _print_json(result)
    else:
        print(f"Restored {result['database']} from {result['restored_from']}.")
        if result["previous_kept_as"]:
            print(f"The previous database was kept as {result['previous_kept_as']}.")
    return 0
