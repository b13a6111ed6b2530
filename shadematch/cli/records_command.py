"""``shadematch clients ...``, ``shadematch records check|info``, ``shadematch backup``,
``shadematch restore``: the client records from the command line.

``--json`` outputs are stable and documented in docs/RECORDS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from shadematch.cli.common import counted
from shadematch.errors import RecordsError
from shadematch.vocabulary import shade_label

_Option = tuple[tuple[str, ...], dict[str, Any]]


def _opt(*flags: str, **kwargs: Any) -> _Option:
    """One ``add_argument`` call, kept for :func:`_command`."""
    return flags, kwargs


_CLIENT_ID = _opt("id", type=int, help="client id")
_YES = _opt("--yes", action="store_true",
            help="do not ask for confirmation (required when not interactive)")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``clients``, ``records``, ``backup`` and ``restore`` sub-commands."""
    clients = _group(
        subparsers, "clients", "clients_command",
        "add, list, show, update, screening, consent, export, import or delete",
        help="client records: add, list, show, screening, consent, export, delete",
        description="Client records and treatment history (stored in the user data folder, or "
                    "in SHADEMATCH_DATA_DIR).")
    _command(clients, "add", _cmd_add, "add a client; prints the new id",
             *_client_fields(name_required=True))
    _command(clients, "list", _cmd_list, "list clients (with screening flags)",
             _opt("--search", default="", metavar="TEXT",
                  help="only clients whose name or contact contains TEXT"))
    _command(clients, "show", _cmd_show, "a client's details, screening and visits", _CLIENT_ID,
             _opt("--with-analysis", action="store_true",
                  help="include each visit's full analysis record in --json output"))
    _command(clients, "update", _cmd_update, "change a client's details", _CLIENT_ID,
             *_client_fields(name_required=False))
    _command(clients, "screening", _cmd_screening, "record the consultation screening",
             _CLIENT_ID,
             _opt("--set", dest="answers", action="append", default=[],
                  metavar="ITEM=yes|no[:NOTE]", help="one answer (repeatable)"),
             _opt("--patch-test-date", default=None, metavar="DATE",
                  help="pigment allergy patch test date (YYYY-MM-DD)"),
             _opt("--patch-test-result", default=None, metavar="TEXT",
                  help="pigment allergy patch test result"),
             description="Record screening answers (the latest screening's other answers are "
                         "kept). Items: scalp_condition, skin_cancer, keloid, clotting, "
                         "pigment_allergy, immune, pregnancy, diabetes, under_18.")
    _command(clients, "consent", _cmd_consent, "record that the client gave consent", _CLIENT_ID,
             _opt("--when", default=None, metavar="TIME",
                  help="when consent was given (ISO 8601; default now)"),
             _opt("--note", default=None, help="what was consented to / form reference"))
    _command(clients, "export", _cmd_export, "write a client (JSON + photos) to a new folder",
             _CLIENT_ID,
             _opt("-o", "--output", required=True, metavar="DIR",
                  help="new (or empty) folder to write"))
    _command(clients, "import", _cmd_import, "add a client from an export folder",
             _opt("folder", metavar="DIR", help="folder written by `clients export`"))
    _command(clients, "delete", _cmd_delete,
             "erase a client, their visits, photo copies and thumbnails", _CLIENT_ID, _YES,
             description="Erase a client (the right to erasure): the client, screenings, "
                         "consents, visits, and the photo copies and thumbnails only they used. "
                         "Backups in the backups folder are rewritten without them, and a "
                         "restore of any older backup erases them again.")

    records = _group(subparsers, "records", "records_command",
                     "check, prune, info, users, add-user, audit or migrate-to",
                     help="check the records store, or show where it is")
    _command(records, "check", _cmd_check, "full integrity check of the records")
    _command(records, "prune", _cmd_prune,
             "remove photo files no visit refers to (left by interrupted saves or after "
             "restoring an older backup)")
    _command(records, "info", _cmd_info, "where the records are and what they hold")
    _command(records, "users", _cmd_users, "list the named users (admin)")
    _command(records, "add-user", _cmd_add_user,
             "add a named user (the first must be an admin; PIN asked, or SHADEMATCH_NEW_PIN)",
             _opt("name", help="the user's name"),
             _opt("--role", required=True, choices=["practitioner", "front_desk", "admin"]))
    _command(records, "audit", _cmd_audit,
             "show, filter or export the audit log, newest first; or purge old entries (admin)",
             _opt("--limit", type=int, default=50,
                  help="entries to show (default 50; 0 for all)"),
             _opt("--client", type=int, default=None, metavar="ID", help="one client's entries"),
             _opt("--user", default=None, help="entries of this user (the actor)"),
             _opt("--action", default=None,
                  help="view, create, change, erase, export, import, add user..."),
             _opt("--since", default=None, metavar="DATE", help="from this date/time (UTC)"),
             _opt("--until", default=None, metavar="DATE",
                  help="up to this date (the whole day) or time (UTC)"),
             _opt("--csv", default=None, metavar="FILE",
                  help="write the matching entries to a new CSV file"),
             _opt("--purge", action="store_true",
                  help="remove entries older than --retention-years (audited itself)"),
             _opt("--retention-years", type=int, default=6, metavar="N",
                  help="with --purge: keep N years (at least and by default 6)"))
    _command(records, "migrate-to", _cmd_migrate_to,
             "copy this workstation's records to a PostgreSQL server and verify the copy",
             _opt("url", metavar="URL",
                  help="postgresql://user@host:5432/database (TLS options such as "
                       "?sslmode=verify-full pass through; no password in it: use ~/.pgpass)"),
             _opt("--replace", action="store_true",
                  help="empty the server's records first (refused without it when it holds "
                       "any)"),
             description="Copy the local SQLite records (clients, screenings, consents, "
                         "visits, photo copies, audit log) to a PostgreSQL server in one "
                         "transaction, then compare the counts per table and every photo's "
                         "SHA-256. The local records are only read. Then set "
                         "SHADEMATCH_DATABASE_URL (or Preferences > Records) to use the server.")

    _command(subparsers, "backup", _cmd_backup, "back up the records database now",
             _opt("-o", "--output", default=None, metavar="PATH",
                  help="file or folder for the backup (default: the backups folder, where the "
                       "last 7 are kept)"))
    _command(subparsers, "restore", _cmd_restore,
             "list backups, or restore the records database from one",
             _opt("backup", nargs="?", default=None, help="backup file to restore"), _YES,
             description="Without BACKUP: list the backups. With BACKUP: check it, keep the "
                         "current database (as a pre-restore backup, or renamed aside when "
                         "damaged), then restore. Close the desktop application first.")


def _group(subparsers: argparse._SubParsersAction, name: str, dest: str, choices: str, *,
           help: str, description: str | None = None) -> argparse._SubParsersAction:
    """A command with actions (``clients ACTION``); without one it prints usage, exit 2."""
    parser = subparsers.add_parser(name, help=help, description=description)
    actions = parser.add_subparsers(dest=dest, metavar="ACTION")
    parser.set_defaults(func=lambda args: _usage(parser, choices))
    return actions


def _command(subparsers: argparse._SubParsersAction, name: str,
             func: Callable[[argparse.Namespace], int], help: str, *options: _Option,
             description: str | None = None) -> None:
    """A sub-command run by ``func``: its ``options`` in order, then ``--json``."""
    parser = subparsers.add_parser(name, help=help, description=description)
    for flags, kwargs in options:
        parser.add_argument(*flags, **kwargs)
    parser.add_argument("--json", action="store_true", help="print JSON (see docs/RECORDS.md)")
    parser.set_defaults(func=_file_errors(func))


def _file_errors(func: Callable[[argparse.Namespace], int]
                 ) -> Callable[[argparse.Namespace], int]:
    """A file name the system refuses (too long, a folder where a file is expected...) is one
    clear line, not a traceback."""
    import functools

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            name = str(exc.filename or "a file")
            if len(name) > 120:
                name = name[:60] + "…" + name[-40:]
            raise RecordsError(f"{name} cannot be used ({exc.strerror or exc}); check the "
                               f"name and the folder, then try again.") from exc

    return run


def _client_fields(name_required: bool) -> list[_Option]:
    return [
        _opt("--name", required=name_required, default=None, help="client's name"),
        _opt("--dob", default=None, metavar="DATE", help="date of birth, YYYY-MM-DD"),
        _opt("--contact", default=None, help="phone / e-mail"),
        _opt("--pattern", dest="hair_loss_pattern", default=None,
             help="hair-loss pattern: Norwood / Ludwig stage or free text"),
        _opt("--notes", default=None, help="free-text notes"),
    ]


def _usage(parser: argparse.ArgumentParser, choices: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"shadematch: error: choose an action: {choices}", file=sys.stderr)
    return 2


def _emit(args: argparse.Namespace, data: object, lines: Iterable[str]) -> int:
    """Print ``data`` as JSON with ``--json``, else ``lines`` (read only then); returns 0."""
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for line in lines:
            print(line)
    return 0


def _store():
    """The records store; what it had to say on opening (a daily backup that could not be
    taken, read-only records) goes to stderr, one line each."""
    from shadematch.records import open_store

    store = open_store()
    for warning in store.warnings:
        print(f"shadematch: warning: {warning}", file=sys.stderr)
    try:
        _sign_in(store)
    except BaseException:
        store.close()
        raise
    return store


def _sign_in(store) -> None:
    """With named users, sign in as SHADEMATCH_USER (PIN asked, or SHADEMATCH_PIN when not
    interactive); without users nothing is needed."""
    import getpass
    import os

    name = os.environ.get("SHADEMATCH_USER", "").strip()
    if not name or store.conn.execute("SELECT id FROM users LIMIT 1").fetchone() is None:
        return
    pin = os.environ.get("SHADEMATCH_PIN")
    if pin is None:
        if not sys.stdin.isatty():
            raise RecordsError(f"The records have named users: give {name}'s PIN (asked when "
                               f"run in a terminal, or SHADEMATCH_PIN).")
        pin = getpass.getpass(f"PIN for {name}: ")
    store.sign_in(name, pin)


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
        data = ({"id": client_id, "client": store.get_client(client_id).to_dict()}
                if args.json else None)
    return _emit(args, data, [str(client_id)])


def _flag_text(client) -> str:
    return ", ".join(f"!{flag.upper()}" for flag in client.flags())


def _cmd_list(args: argparse.Namespace) -> int:
    with _store() as store:
        clients = store.search_clients(args.search)
    return _emit(args, {"clients": [client.to_dict() for client in clients]},
                 _client_table(clients, args.search))


def _client_table(clients: list, search: str) -> Iterator[str]:
    if not clients:
        yield "No clients." if not search else f"No client matches {search!r}."
        return
    yield f"{'ID':>5}  {'NAME':<28} {'BORN':<10}  {'VISITS':>6}  {'LAST VISIT':<10}  FLAGS"
    for c in clients:
        yield (f"{c.id:>5}  {c.name[:28]:<28} {c.dob or '':<10}  {c.visit_count:>6}  "
               f"{(c.last_visit or '')[:10]:<10}  {_flag_text(c)}")


def _cmd_show(args: argparse.Namespace) -> int:
    with _store() as store:
        client = store.get_client(args.id)
        visits = store.visits(args.id)
    return _emit(args, {"client": client.to_dict(),
                        "visits": [v.to_dict(with_analysis=args.with_analysis) for v in visits]},
                 _client_details(client, visits))


def _client_details(client, visits: list) -> Iterator[str]:
    from shadematch.records import SCREENING_ITEMS

    yield f"#{client.id}  {client.name}"
    if client.flags():
        yield "  !! SCREENING FLAGS: " + "; ".join(client.flag_labels())
    age = client.age()
    yield f"  born: {client.dob or '-'}" + (f" (age {age})" if age is not None else "")
    for label, value in (("contact", client.contact), ("hair loss", client.hair_loss_pattern),
                         ("notes", client.notes)):
        yield f"  {label}: {value or '-'}"
    yield f"  consent: {client.consent_at or 'NOT RECORDED'}"
    if client.screening is None:
        yield "  screening: not recorded"
    else:
        yield f"  screening ({client.screening.recorded_at}):"
        for key, item in client.screening.answers.items():
            answer = item.get("answer") or "-"
            mark = "!!" if answer == "yes" else "  "
            extra = ""
            if key == "pigment_allergy" and item.get("patch_test_date"):
                extra = (f" (patch test {item['patch_test_date']}: "
                         f"{item.get('patch_test_result') or '-'})")
            note = f" - {item['note']}" if item.get("note") else ""
            yield f"   {mark} {SCREENING_ITEMS[key]}: {answer}{extra}{note}"
    yield f"  visits: {len(visits)}"
    for v in visits:
        details = [f"pigment {shade_label(v.chosen_name or v.chosen_entry_id, v.dilution, '-')}"]
        if v.batch:
            details.append(f"batch {v.batch}")
        yield f"   #{v.id}  {v.visit_date[:16]}  {v.label:<13} {', '.join(details)}"
        if v.notes:
            yield f"          notes: {v.notes}"


def _cmd_update(args: argparse.Namespace) -> int:
    fields = {key: getattr(args, key) for key in ("name", "dob", "contact", "hair_loss_pattern",
                                                   "notes") if getattr(args, key) is not None}
    if not fields:
        raise RecordsError("Nothing to change: give --name, --dob, --contact, --pattern or "
                           "--notes.")
    with _store() as store:
        client = store.update_client(args.id, **fields)
    return _emit(args, {"client": client.to_dict()},
                 [f"Updated client #{client.id} ({client.name})."])


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
    flags = screening.flags()
    return _emit(args, {"client_id": args.id, "screening": screening.to_dict()},
                 [f"Screening recorded for #{args.id}; flags: "
                  f"{', '.join(flag.upper() for flag in flags) if flags else 'none'}."])


def _cmd_consent(args: argparse.Namespace) -> int:
    with _store() as store:
        when = store.record_consent(args.id, when=args.when, note=args.note)
    return _emit(args, {"client_id": args.id, "consent_at": when},
                 [f"Consent recorded for #{args.id} at {when}."])


def _cmd_export(args: argparse.Namespace) -> int:
    with _store() as store:
        path = store.export_client(args.id, Path(args.output))
    return _emit(args, {"client_id": args.id, "path": str(path)},
                 [f"Exported client #{args.id} to {path}"])


def _cmd_import(args: argparse.Namespace) -> int:
    with _store() as store:
        client_id = store.import_client(Path(args.folder))
        client = store.get_client(client_id)
    return _emit(args, {"id": client_id, "client": client.to_dict()}, [str(client_id)])


def _cmd_delete(args: argparse.Namespace) -> int:
    with _store() as store:
        client = store.get_client(args.id)
        _confirm(f"Erase client #{client.id} {client.name} with "
                 f"{counted(client.visit_count, 'visit')}, "
                 f"their photo copies and thumbnails? This cannot be undone.\n"
                 f"Type the client id ({client.id}) to confirm: ", str(client.id), args)
        removed = store.delete_client(args.id)
    lines = [f"Erased client #{args.id} ({counted(removed['visits'], 'visit')}, "
             f"{counted(removed['photos'], 'photo copy', 'photo copies')})."]
    others = [counted(removed[key], noun) for key, noun in (
        ("reports", "report PDF"), ("autosaves", "autosave"),
        ("thumbnails", "cached thumbnail"), ("log_lines", "log line")) if removed.get(key)]
    if removed.get("backups"):
        others.append(f"{counted(removed['backups'], 'backup')} (rewritten without them)")
    if others:
        lines.append("Also removed: " + ", ".join(others) + ".")
    return _emit(args, {"deleted": args.id, **removed}, lines)


# ---------------------------------------------------------------- records, backup, restore
def _holds(counts: dict) -> str:
    return ", ".join(counted(counts[key], key[:-1]) for key in ("clients", "visits", "photos"))


def _cmd_check(args: argparse.Namespace) -> int:
    with _store() as store:
        problems = store.check()
        info = {"ok": not problems, "problems": problems, "database": str(store.db_path),
                "schema_version": store.schema_version, "counts": store.counts()}
    if problems:
        lines = [f"{counted(len(problems), 'problem')} in {info['database']}:",
                 *(f"  - {problem}" for problem in problems),
                 "See docs/RECORDS.md (Restore) to restore a backup."]
    else:
        counts = info["counts"]
        lines = [f"OK: {info['database']} ({_holds(counts)})."]
    _emit(args, info, lines)
    return 0 if not problems else 1


def _cmd_prune(args: argparse.Namespace) -> int:
    with _store() as store:
        removed = store.prune_orphans()
    return _emit(args, {"removed": [str(p) for p in removed]},
                 [f"Removed {counted(len(removed), 'unreferenced file')}."])


def _cmd_info(args: argparse.Namespace) -> int:
    with _store() as store:
        info = {"folder": str(store.root), "database": str(store.db_path),
                "backups_folder": str(store.backups_dir),
                "schema_version": store.schema_version, "counts": store.counts(),
                "backups": [str(p) for p in store.list_backups()]}
    counts = info["counts"]
    if getattr(store, "backend", "sqlite") == "postgres":
        info["server"] = store.where
        return _emit(args, info, [
            f"records server: {store.where} (back it up there with pg_dump)",
            f"photo cache: {info['folder']}",
            f"schema version: {info['schema_version']}",
            f"holds: {_holds(counts)}"])
    return _emit(args, info, [
        f"records folder: {info['folder']}",
        f"schema version: {info['schema_version']}",
        f"holds: {_holds(counts)}",
        f"backups: {len(info['backups'])} in {info['backups_folder']}"])


def _cmd_users(args: argparse.Namespace) -> int:
    with _store() as store:
        users = store.users()
    data = [{"name": u.name, "role": u.role, "created": u.created, "disabled": u.disabled}
            for u in users]
    lines = [f"{u.name}: {u.role.replace('_', ' ')}{' (disabled)' if u.disabled else ''}"
             for u in users] or ["No named users: the records are open to whoever runs "
                                 "shadematch on this workstation."]
    return _emit(args, data, lines)


def _cmd_add_user(args: argparse.Namespace) -> int:
    import getpass
    import os

    pin = os.environ.get("SHADEMATCH_NEW_PIN")
    if pin is None:
        if not sys.stdin.isatty():
            raise RecordsError("Give the new user's PIN (asked when run in a terminal, or "
                               "SHADEMATCH_NEW_PIN).")
        pin = getpass.getpass(f"New PIN for {args.name}: ")
        if getpass.getpass("Again: ") != pin:
            raise RecordsError("The two PINs differ; nothing was changed.")
    with _store() as store:
        user = store.add_user(args.name, args.role, pin)
    return _emit(args, {"name": user.name, "role": user.role},
                 [f"Added {user.name} ({user.role.replace('_', ' ')})."])


def _cmd_audit(args: argparse.Namespace) -> int:
    if args.purge:
        with _store() as store:
            done = store.purge_audit(args.retention_years)
        return _emit(args, done, [
            f"Removed {counted(done['removed'], 'audit entry', 'audit entries')} from before {done['before']} "
            f"(kept {done['retention_years']} years); the purge is in the audit log."])
    with _store() as store:
        entries = store.audit_log(limit=args.limit or None, client=args.client,
                                  user=args.user, action=args.action, since=args.since,
                                  until=args.until)
    if args.csv:
        from shadematch.atomic_files import write_text_atomic
        from shadematch.records.audit_export import audit_csv

        target = Path(args.csv)
        if target.exists():
            raise RecordsError(f"{target} already exists; choose a new file name for the "
                               f"audit export.")
        write_text_atomic(target, audit_csv(entries))
        return _emit(args, {"path": str(target), "entries": len(entries)},
                     [f"Wrote {counted(len(entries), 'audit entry', 'audit entries')} to {target}."])
    return _emit(args, entries, [
        f"{e['at']}  {e['actor'] or '-'}  {e['action']}  {e['record'] or ''}"
        f"{'  ' + e['detail'] if e['detail'] else ''}" for e in entries])


def _cmd_migrate_to(args: argparse.Namespace) -> int:
    from shadematch.records import open_store
    from shadematch.records.backends.migrate_to import migrate_to

    with open_store(database_url="") as source, open_store(database_url=args.url) as target:
        report = migrate_to(source, target, replace=args.replace)
    counts = report["counts"]
    return _emit(args, report, [
        f"Copied to {report['target']}: {_holds(counts)}, "
        f"{counted(counts['screenings'], 'screening')}, "
        f"{counted(counts['consents'], 'consent')}; verified (counts per table, "
        f"{counted(report['photos_verified'], 'photo')} by SHA-256).",
        "Use the server from now on: set SHADEMATCH_DATABASE_URL (or Preferences > Records)."])


def _cmd_backup(args: argparse.Namespace) -> int:
    with _store() as store:
        path = store.backup(args.output)
    return _emit(args, {"path": str(path)}, [f"Backed up to {path}"])


def _cmd_restore(args: argparse.Namespace) -> int:
    from shadematch.records import records_dir, restore_backup
    from shadematch.records.backups import list_backups, verify_backup
    from shadematch.records.schema import SCHEMA_VERSION

    if args.backup is None:
        backups = list_backups(records_dir() / "backups")
        if not backups:
            lines = [f"No backups in {records_dir() / 'backups'}."]
        else:
            lines = ["Backups (oldest first); restore one with `shadematch restore FILE`:",
                     *(f"  {when:%Y-%m-%d %H:%M:%S} UTC  {path}" for when, path in backups)]
        return _emit(args, {"backups": [{"path": str(p), "taken": when.isoformat()}
                                        for when, p in backups]}, lines)
    # A missing or damaged file is said before asking to confirm anything.
    verify_backup(Path(args.backup).expanduser().absolute(), SCHEMA_VERSION)
    _confirm(f"Replace the records with {args.backup}? The current database is kept as a "
             f"backup first. Type 'restore' to confirm: ", "restore", args)
    result = restore_backup(Path(args.backup))
    lines = [f"Restored {result['database']} from {result['restored_from']}."]
    if result["previous_kept_as"]:
        lines.append(f"The previous database was kept as {result['previous_kept_as']}.")
    return _emit(args, result, lines)
