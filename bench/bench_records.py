"""Records speed on both backends: save and list with 1,000 clients and 3,000 visits.

    python bench/bench_records.py [--repeat 15] [--url postgresql://...]

Run from the project root. Without ``--url`` a throw-away PostgreSQL server is started with the
installed ``initdb``/``pg_ctl`` (as the tests do; the server has fsync off, so its figures are a
lower bound for a real server on the network). Each backend is seeded with 1,000 clients (one
screening and one consent each) and 3,000 visits in one transaction, then timed in interleaved
rounds (each round runs every case once in a new shuffled order); the table gives the median
wall time of each case and its ratio to the baseline timed in the same rounds: JSON
round-trips of the analysis record, 1,000 times (a fixed amount of pure-Python work).
Speed is measured here, never asserted in a unit test.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "records"))

from records_helpers import make_analysis, make_photo  # noqa: E402

from shadematch.records import open_store  # noqa: E402

CLIENTS = 1000
VISITS = 3000
BASELINE = "json round-trip of an analysis record x 1,000"


def seed(store) -> list[int]:
    analysis = json.dumps(make_analysis())
    stamp = "2026-01-01T10:00:00+00:00"
    ids = []
    with store._write() as conn:
        for n in range(CLIENTS):
            cursor = conn.execute(
                "INSERT INTO clients (uid, name, dob, contact, created, updated) VALUES "
                "(?, ?, ?, ?, ?, ?)", (uuid.uuid4().hex, f"Client {n:04d} Bench",
                                       "1980-01-01", f"c{n}@example.org", stamp, stamp))
            ids.append(int(cursor.lastrowid))
            conn.execute("INSERT INTO screenings (client_id, recorded_at, answers_json) VALUES "
                         "(?, ?, ?)", (ids[-1], stamp, json.dumps({"keloid": "no"})))
            conn.execute("INSERT INTO consents (client_id, given_at) VALUES (?, ?)",
                         (ids[-1], stamp))
        for n in range(VISITS):
            conn.execute("INSERT INTO visits (client_id, visit_date, kind, analysis_json, "
                         "created) VALUES (?, ?, 'consultation', ?, ?)",
                         (ids[n % CLIENTS], f"2026-0{1 + n % 9}-1{n % 10}", analysis, stamp))
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--url", default=None, help="an empty PostgreSQL database to use")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-records-"))
    server = None
    url = args.url
    if url is None:
        from pg_server import PgServer, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            print("No initdb/pg_ctl found: pass --url, or install postgresql.")
            return 1
        server = PgServer(bin_dir)
        server.start()
        url = server.create_database()
    try:
        stores = {"sqlite": open_store(work / "sqlite"),
                  "postgres": open_store(work / "pg", database_url=url)}
        ids = {name: seed(store) for name, store in stores.items()}
        photo = make_photo(work / "photo.jpg", seed=3)
        analysis = make_analysis()
        text = json.dumps(analysis)
        counter = [0]

        def save_visit(name):
            store = stores[name]
            counter[0] += 1
            store.save_visit(random.choice(ids[name]), analysis, photo, batch=f"B{counter[0]}")

        def add_client(name):
            counter[0] += 1
            stores[name].add_client(f"New {counter[0]}", dob="1990-02-02")

        def update_client(name):
            store = stores[name]
            cid = random.choice(ids[name])
            store.update_client(cid, expected=store.get_client(cid), notes="n")

        cases = {"baseline": lambda: [json.loads(json.dumps(json.loads(text)))
                                      for _ in range(1000)]}
        for name in stores:
            cases[f"{name}: save a visit with a photo"] = lambda n=name: save_visit(n)
            cases[f"{name}: add a client"] = lambda n=name: add_client(n)
            cases[f"{name}: read + update a client (row version)"] = \
                lambda n=name: update_client(n)
            cases[f"{name}: list all clients (1,000)"] = \
                lambda n=name: stores[n].search_clients("")
            cases[f"{name}: search clients ('0042')"] = \
                lambda n=name: stores[n].search_clients("0042")
            cases[f"{name}: a client's visits"] = \
                lambda n=name: stores[n].visits(ids[n][7])
        times: dict[str, list[float]] = {key: [] for key in cases}
        for _round in range(args.repeat):
            order = list(cases)
            random.shuffle(order)
            for key in order:
                start = time.perf_counter()
                cases[key]()
                times[key].append(time.perf_counter() - start)
        base = statistics.median(times["baseline"])
        print(f"{CLIENTS} clients, {VISITS} visits; median of {args.repeat} rounds; "
              f"baseline = {BASELINE}")
        print(f"{'case':52} {'median ms':>10} {'x baseline':>11}")
        for key, values in times.items():
            med = statistics.median(values)
            print(f"{key:52} {med * 1000:10.2f} {med / base:11.2f}")
        for store in stores.values():
            store.close()
    finally:
        if server is not None:
            server.cleanup()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
