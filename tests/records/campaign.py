"""An adversarial campaign against the client records: mutated exports, damaged databases,
hostile command-line arguments, SIGKILLs while saving, erasures, and a permission sweep.

CI runs a small campaign (``tests/records/test_records_campaign.py``); the full one runs on
demand and prints its figures::

    PYTHONPATH=. python tests/records/campaign.py [--scale 20] [--seed 1]

Each input ends as one of: ``accepted`` (the records took it and still pass ``check()``), a
``clean`` error (a RecordsError / exit code 1 or 2 with one line), a ``traceback`` (any other
exception: a bug), a ``hang`` (over :data:`HANG_SECONDS`), or a ``lie`` (the records opened and
said all was well while they had lost data). The goal is no traceback, hang or lie.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from records_helpers import make_analysis, make_photo  # noqa: E402

HANG_SECONDS = 20.0
OUTCOMES = ("accepted", "clean", "traceback", "hang", "lie")


class Tally:
    """Outcomes per input kind, plus the figures of the kill, erasure and permission runs."""

    def __init__(self) -> None:
        self.kinds: dict[str, Counter] = defaultdict(Counter)
        self.figures: Counter = Counter()
        self.failures: list[str] = []

    def add(self, kind: str, outcome: str, detail: str = "") -> None:
        self.kinds[kind][outcome] += 1
        if outcome in ("traceback", "hang", "lie"):
            self.failures.append(f"{kind}: {outcome}: {detail[-1500:]}")

    def bad(self) -> int:
        return sum(c[o] for c in self.kinds.values() for o in ("traceback", "hang", "lie"))

    def table(self) -> str:
        lines = [f"{'kind':<22}{'tried':>7}" + "".join(f"{o:>11}" for o in OUTCOMES)]
        for kind, counts in sorted(self.kinds.items()):
            lines.append(f"{kind:<22}{sum(counts.values()):>7}"
                         + "".join(f"{counts[o]:>11}" for o in OUTCOMES))
        lines += [f"{name}: {value}" for name, value in sorted(self.figures.items())]
        return "\n".join(lines)


def _judge(tally: Tally, kind: str, action, *, lie_check=None) -> None:
    """Run ``action()``; file its outcome under ``kind``."""
    from shadematch.errors import ShadematchError

    start = time.monotonic()
    try:
        action()
        outcome, detail = "accepted", ""
        if lie_check is not None:
            detail = lie_check() or ""
            outcome = "lie" if detail else "accepted"
    except ShadematchError:
        outcome, detail = "clean", ""
    except Exception:  # noqa: BLE001 - that is what the campaign counts
        outcome, detail = "traceback", traceback.format_exc(limit=4)
    if outcome in ("accepted", "clean") and time.monotonic() - start > HANG_SECONDS:
        outcome, detail = "hang", f"{time.monotonic() - start:.1f} s"
    tally.add(kind, outcome, detail)


# ---------------------------------------------------------------------------- exports
def _mutations(rng: random.Random, manifest: dict, photo_name: str) -> dict | str | bytes:
    """One hostile version of a valid ``client.json``."""
    m = copy.deepcopy(manifest)
    visit = m["visits"][0]
    choice = rng.randrange(16)
    values = [None, 0, -1, 10 ** 30, 1.5, float("inf"), "", " ", "x" * 200_000, [], {},
              "\ud800", "23/04/1980", "2999-01-01", "../../etc/hostname", "/etc/hostname",
              True, "session 0", "\x00"]
    if choice == 0:
        return "[" * rng.choice([10, 1000, 100_000]) + "]" * 3
    if choice == 1:
        return json.dumps(m).replace('"format_version": 1',
                                     '"format_version": ' + "7" * rng.choice([30, 5000]))
    if choice == 2:
        text = json.dumps(m).encode()
        return text[:rng.randrange(len(text))]
    if choice == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    if choice == 4:
        m["client"][rng.choice(list(m["client"]))] = rng.choice(values)
    elif choice == 5:
        visit[rng.choice(list(visit))] = rng.choice(values)
    elif choice == 6:
        visit["photos"][0]["file"] = rng.choice(values)
    elif choice == 7:
        m[rng.choice(["client", "visits", "screenings", "consents", "format",
                      "format_version"])] = rng.choice(values)
    elif choice == 8:
        m["screenings"] = [{"recorded_at": rng.choice(values),
                            "answers": {rng.choice(["keloid", "under_18", "nope"]):
                                        rng.choice(values + ["yes", "no"])}}]
    elif choice == 9:
        m["consents"] = [{"given_at": rng.choice(values), "note": rng.choice(values)}]
    elif choice == 10:
        m["client"]["dob"] = "2015-01-01"  # a minor with a session
    elif choice == 11:
        depth = rng.choice([500, 3000, 50_000])
        return json.dumps(m).replace('"analysis": {', '"analysis": {"n": ' + "[" * depth
                                     + "]" * depth + ", ", 1)
    elif choice == 12:
        visit["photos"][0]["sha256"] = rng.choice(["0" * 64, "zz", None, 5])
    elif choice == 13:
        m["visits"] = [visit] * rng.choice([2, 50])
    elif choice == 14:
        visit["kind"] = rng.choice(["session", "touch-up", "consultation", "Session 3", "x"])
        visit["session_number"] = rng.choice([None, 1, 0, -3, "2", 2.0, 10 ** 20])
    else:
        m["client"]["name"] = rng.choice(["Zoë", "\u202eevil", "a" * 1001, "\ud83d", "  "])
    return m


def export_campaign(tally: Tally, rng: random.Random, count: int, work: Path) -> None:
    from shadematch.records import open_store

    data_dir = work / "export-data"
    photo = make_photo(work / "export-photo.jpg", seed=7)
    with open_store(data_dir) as store:
        cid = store.add_client("Campaign Client", dob="1980-04-23")
        store.set_screening(cid, {"keloid": "no"})
        store.record_consent(cid)
        store.save_visit(cid, make_analysis(), photo, kind="session")
        source = store.export_client(cid, work / "export-source")
        store.delete_client(cid)
    manifest = json.loads((source / "client.json").read_text(encoding="utf-8"))
    photo_name = manifest["visits"][0]["photos"][0]["file"]
    for n in range(count):
        folder = work / f"export-{n}"
        shutil.copytree(source, folder)
        bad = _mutations(rng, manifest, photo_name)
        if isinstance(bad, bytes):
            (folder / "client.json").write_bytes(bad)
        else:
            text = bad if isinstance(bad, str) else json.dumps(bad, allow_nan=True)
            (folder / "client.json").write_text(text, encoding="utf-8", errors="surrogatepass")

        with open_store(data_dir) as store:
            def action(store=store, folder=folder):
                client_id = store.import_client(folder)
                store.get_client(client_id).to_dict()
                store.delete_client(client_id)

            def lie_check(store=store):
                problems = store.check()
                return "; ".join(problems[:3]) if problems else None

            _judge(tally, "client.json", action, lie_check=lie_check)
        shutil.rmtree(folder, ignore_errors=True)
    # Nothing from outside an export folder reached the store.
    hostname = Path("/etc/hostname")
    if hostname.is_file():
        from shadematch.records.photos import sha256_file

        leaked = sha256_file(hostname)
        tally.figures["files copied from outside an export"] += sum(
            leaked in p.name for p in (data_dir / "records" / "photos").rglob("*"))


# ---------------------------------------------------------------------------- databases
def _damage(rng: random.Random, db: Path) -> str:
    size = db.stat().st_size
    how = rng.randrange(12)
    if how == 8:
        os.chmod(db, 0o400)
        return "read-only file"
    if how == 9:
        os.chmod(db.parent, 0o500)
        return "read-only folder"
    if how == 10:
        db.unlink()
        db.mkdir()
        return "a folder in its place"
    if how == 11:
        db.with_name(db.name + "-shm").write_bytes(os.urandom(rng.randrange(1, 40000)))
        return "garbage -shm"
    if how == 0:
        db.write_bytes(b"")
        return "empty"
    if how == 1:
        with open(db, "r+b") as handle:
            handle.truncate(rng.randrange(1, size))
        return "truncated"
    if how == 2:
        data = bytearray(db.read_bytes())
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        db.write_bytes(bytes(data))
        return "bytes flipped"
    if how == 3:
        data = bytearray(db.read_bytes())
        page = rng.randrange(1, max(2, size // 4096))
        data[page * 4096:(page + 1) * 4096] = os.urandom(4096)[:len(data[page * 4096:
                                                                          (page + 1) * 4096])]
        db.write_bytes(bytes(data))
        return "page overwritten"
    if how == 4:
        db.write_bytes(b"SQLite format 3\x00" + os.urandom(rng.randrange(10, 9000)))
        return "header only"
    if how == 5:
        conn = sqlite3.connect(db)
        conn.execute("UPDATE clients SET dob = ? WHERE id = (SELECT MIN(id) FROM clients)",
                     (rng.choice(["23/04/1980", "soon", "2999-01-01"]),))
        conn.commit()
        conn.close()
        return "content: bad dob"
    if how == 6:
        conn = sqlite3.connect(db)
        conn.execute("UPDATE visits SET analysis_json = ? WHERE id = (SELECT MIN(id) FROM "
                     "visits)", (rng.choice(["{", "[]", "null", "x"]),))
        conn.commit()
        conn.close()
        return "content: bad analysis"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    return "newer schema"


def database_campaign(tally: Tally, rng: random.Random, count: int, work: Path) -> None:
    from shadematch.records import open_store

    template = work / "db-template"
    with open_store(template) as store:
        for i in range(30):
            cid = store.add_client(f"Db Client {i:02d}", dob="1970-01-01")
            store.save_visit(cid, make_analysis(hair=(20 + i % 9, 2, 3)), None,
                             kind="consultation")
        store.backup()
        names = sorted(c.name for c in store.search_clients())
    for n in range(count):
        data_dir = work / f"db-{n}"
        shutil.copytree(template, data_dir)
        how = _damage(rng, data_dir / "records" / "records.db")
        seen: dict[str, object] = {}

        def action(data_dir=data_dir, seen=seen):
            with open_store(data_dir) as store:
                seen["names"] = sorted(c.name for c in store.search_clients())
                seen["problems"] = store.check()
                for client in store.search_clients():
                    client.to_dict()

        def lie_check(seen=seen, how=how):
            if seen["names"] != names and not seen["problems"]:
                return f"{how}: {len(seen['names'])} of {len(names)} clients, check said OK"
            return None

        _judge(tally, "database fault", action, lie_check=lie_check)
        tally.figures[f"database fault: {how}"] += 1
        for path in [data_dir, *data_dir.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o700)
            elif path.is_file():
                os.chmod(path, 0o600)
        shutil.rmtree(data_dir, ignore_errors=True)


# ---------------------------------------------------------------------------- CLI
def cli_campaign(tally: Tally, rng: random.Random, count: int, work: Path) -> None:
    from shadematch.cli import main

    os.environ["SHADEMATCH_DATA_DIR"] = str(work / "cli-data")
    words = ["\udcff", "\udc80abc", "Zoë", "", " ", "-1", "0", "99999999999999999999", "#",
             "%", "_", "\\", "'; DROP TABLE clients; --", "\x00"[:0] + "nul", "x" * 100_000,
             "2026-13-45", "23/04/1980", "../x", "/etc/hostname"]
    commands = [["clients", "add", "--name", None], ["clients", "add", "--name", "A",
                                                    "--dob", None],
                ["clients", "list", "--search", None], ["clients", "show", None],
                ["clients", "update", "1", "--notes", None], ["clients", "delete", None,
                                                              "--yes"],
                ["clients", "consent", "1", "--when", None], ["clients", "screening", "1",
                                                              "--set", None],
                ["clients", "import", None], ["clients", "export", "1", "-o", None],
                ["restore", None, "--yes"], ["backup", "-o", None]]
    # Relative names the arguments hold ("Zoë", "../x", "-1") are made inside the work folder.
    cwd = work / "cli-cwd" / "inner"
    cwd.mkdir(parents=True)
    old_cwd = os.getcwd()
    os.chdir(cwd)
    try:
        _cli_inputs(tally, rng, count, work, main, words, commands)
    finally:
        os.chdir(old_cwd)


def _cli_inputs(tally, rng, count, work, main, words, commands) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        main(["clients", "add", "--name", "Cli Client"])
    for _n in range(count):
        argv = [rng.choice(words) if part is None else part
                for part in rng.choice(commands)]
        if "/etc/hostname" in argv and ("backup" in argv or "export" in argv):
            # Never written to (it exists), but keep the campaign off the system's files.
            argv = [str(work / "cli-out") if w == "/etc/hostname" else w for w in argv]

        def action(argv=argv):
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                try:
                    code = main(argv)
                except SystemExit as exc:       # argparse usage errors
                    code = exc.code
            if code not in (0, 1, 2):
                raise AssertionError(f"exit {code}")
            if code == 1 and err.getvalue().count("\n") != 1:
                raise AssertionError(f"not one line: {err.getvalue()[:300]!r}")
            if code:
                from shadematch.errors import ShadematchError

                raise ShadematchError("clean")

        _judge(tally, "cli arguments", action)
        shutil.rmtree(work / "cli-out", ignore_errors=True)


# ---------------------------------------------------------------------------- kills
def kill_campaign(tally: Tally, rng: random.Random, rounds: int, work: Path) -> None:
    from shadematch.records import open_store

    data_dir = work / "kill-data"
    photo_dir = work / "kill-photos"
    photo_dir.mkdir()
    for i in range(4):
        make_photo(photo_dir / f"pool-{i}.jpg", seed=100 + i)
    env = dict(os.environ, SHADEMATCH_DATA_DIR=str(data_dir),
               PYTHONPATH=os.pathsep.join([str(HERE), *sys.path]))
    visits: dict[int, int] = {}
    deleted: set[int] = set()
    deleting: set[int] = set()
    for n in range(rounds):
        child = subprocess.Popen(
            [sys.executable, str(HERE / "records_saver.py"), str(data_dir), str(photo_dir),
             str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        time.sleep(rng.uniform(0.2, 1.2))
        child.send_signal(signal.SIGKILL)
        out, _err = child.communicate(timeout=60)
        for line in out.decode().splitlines():
            word, *rest = line.split()
            if word == "visit":
                visits[int(rest[0])] = int(rest[1])
            elif word == "deleting":
                deleting.add(int(rest[0]))
            elif word == "deleted":
                deleted.add(int(rest[0]))
        tally.figures["kills"] += 1
    with open_store(data_dir) as store:
        problems = store.check()
        present = {c.id for c in store.search_clients()}
        lost = [v for v, c in visits.items() if c not in deleted | deleting
                and store.conn.execute("SELECT 1 FROM visits WHERE id = ?",
                                       (v,)).fetchone() is None]
    tally.figures["kills survived (store whole after)"] += tally.figures["kills"] \
        if not problems else 0
    tally.figures["saves confirmed before a kill"] += len(visits)
    tally.figures["records lost"] += len(lost)
    tally.figures["erased clients still present"] += len(deleted & present)
    if problems or lost:
        tally.failures.append(f"kills: problems {problems[:3]}, lost visits {lost[:5]}")


# ---------------------------------------------------------------------------- erasure
def erasure_campaign(tally: Tally, rng: random.Random, count: int, work: Path) -> None:
    from shadematch.imaging.thumbnail_cache import ThumbnailCache
    from shadematch.records import open_store

    data_dir = work / "erase-data"
    camera = work / "erase-camera"
    camera.mkdir()
    names = [f"Erasable Person {n:03d}" for n in range(count)]
    cache = ThumbnailCache(data_dir / "thumbnails")
    with open_store(data_dir) as store:
        ids = []
        shared = make_photo(camera / "shared.jpg", seed=999)
        for n, name in enumerate(names):
            cid = store.add_client(name, notes=name)
            own = make_photo(camera / f"{name}.jpg", seed=n)
            vid = store.save_visit(cid, make_analysis(), own, notes=name)
            if rng.random() < 0.5:
                store.save_visit(cid, make_analysis(), shared)
            report = work / f"report {name}.pdf"
            report.write_bytes(b"%PDF " + name.encode())
            store.update_visit(vid, report_path=str(report))
            cache.get(own)
            ids.append(cid)
            if n % 3 == 0:
                store.backup(work / f"outside-{n}.db")
            if n % 4 == 0:
                store.backup()
        for cid in ids:
            store.delete_client(cid)
    needles = [name.encode() for name in names]
    left = 0
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            left += sum(needle in data for needle in needles)
    left += sum(1 for n in names if (work / f"report {n}.pdf").exists())
    tally.figures["clients erased"] += len(names)
    tally.figures["copies of an erased client left"] += left
    # A restore of a copy taken before the erasures erases them again.
    from shadematch.records import restore_backup

    outside = sorted(work.glob("outside-*.db"))
    if outside:
        restore_backup(outside[-1], data_dir)
        with open_store(data_dir) as store:
            tally.figures["erased clients back after a restore"] += len(store.search_clients())


# ---------------------------------------------------------------------------- permissions
def permission_sweep(tally: Tally, roots: list[Path]) -> None:
    for root in roots:
        for path in [root, *root.rglob("*")]:
            if "records" in path.parts and path.exists() and not path.is_symlink():
                tally.figures["files checked for permissions"] += 1
                if path.stat().st_mode & 0o077:
                    tally.figures["records files readable by others"] += 1
                    tally.failures.append(f"permissions: {path} {oct(path.stat().st_mode)}")


def run(scale: int = 1, seed: int = 1, work: Path | None = None, kills: bool = True) -> Tally:
    """The campaign at ``scale`` (1: the CI run, about 20 s)."""
    rng = random.Random(seed)
    tally = Tally()
    owned = work is None
    work = Path(tempfile.mkdtemp(prefix="records-campaign-")) if owned else Path(work)
    old_env = os.environ.get("SHADEMATCH_DATA_DIR")
    try:
        export_campaign(tally, rng, 40 * scale, work)
        database_campaign(tally, rng, 16 * scale, work)
        cli_campaign(tally, rng, 40 * scale, work)
        if kills and hasattr(signal, "SIGKILL"):
            kill_campaign(tally, rng, 4 * scale, work)
        erasure_campaign(tally, rng, 4 * scale, work)
        permission_sweep(tally, [p for p in work.iterdir() if p.is_dir()])
    finally:
        if old_env is None:
            os.environ.pop("SHADEMATCH_DATA_DIR", None)
        else:
            os.environ["SHADEMATCH_DATA_DIR"] = old_env
        if owned:
            shutil.rmtree(work, ignore_errors=True)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20, help="inputs x scale (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    tally = run(args.scale, args.seed)
    print(tally.table())
    print(f"time: {time.monotonic() - started:.0f} s")
    for failure in tally.failures[:20]:
        print("FAIL", failure)
    bad = tally.bad() + tally.figures["records lost"] + tally.figures[
        "copies of an erased client left"] + tally.figures["records files readable by others"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
