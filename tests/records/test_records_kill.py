"""Reliability: processes saving visits are killed with SIGKILL at random moments, many times.

Afterwards the store must pass its full integrity check, and every save that reported success
(printed its id before the kill) must be present with its photo copy; every deletion that
reported success must be complete.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from records_helpers import make_photo

from shadematch.records import open_store

HERE = Path(__file__).parent
ROUNDS = 16
PARALLEL = 2


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_while_saving_keeps_the_store_consistent(tmp_path, child_env):
    data_dir = tmp_path / "data"
    photo_dir = tmp_path / "photos"
    photo_dir.mkdir()
    for i in range(4):
        make_photo(photo_dir / f"pool-{i}.jpg", seed=100 + i)
    env = dict(child_env, SHADEMATCH_DATA_DIR=str(data_dir))  # records_saver.py: its own folder
    rng = random.Random(20261121)
    visits: dict[int, tuple[int, str]] = {}
    clients: set[int] = set()
    deleted: set[int] = set()
    deleting: set[int] = set()  # in flight when killed: either outcome is correct
    killed_while_working = 0
    for round_number in range(ROUNDS):
        children = [subprocess.Popen(
            [sys.executable, str(HERE / "records_saver.py"), str(data_dir), str(photo_dir),
             str(round_number * PARALLEL + k)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(tmp_path),
            # Unbuffered: readline() below must not read ahead, since communicate() reads the
            # raw pipe and would never see lines (a "deleted N") left in a buffer.
            bufsize=0)
            for k in range(PARALLEL)]
        if round_number % 5 == 0:
            # Some kills land during start-up (creation, migration, daily backup, sweep).
            time.sleep(rng.uniform(0.05, 1.0))
        else:
            started = [child.stdout.readline() for child in children]
            assert all(line == b"open\n" for line in started), started
            time.sleep(rng.uniform(0.05, 0.5))
        for child in children:
            child.send_signal(signal.SIGKILL)
        for child in children:
            out, err = child.communicate(timeout=30)
            assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")
            lines = out.decode().splitlines()
            killed_while_working += bool(lines)
            for line in lines:
                word, *rest = line.split()
                if word == "client":
                    clients.add(int(rest[0]))
                elif word == "visit":
                    visits[int(rest[0])] = (int(rest[1]), rest[2])
                elif word == "deleting":
                    deleting.add(int(rest[0]))
                elif word == "deleted":
                    deleted.add(int(rest[0]))
    # Most kills landed while saves were going on (not only during start-up).
    assert killed_while_working >= ROUNDS
    assert len(visits) >= ROUNDS - ROUNDS // 5      # saves were going on in most rounds

    from shadematch.records.store import records_dir

    with open_store(data_dir) as store:
        assert store.check() == []
        present = {c.id for c in store.search_clients()}
        deleting -= deleted
        assert clients - deleted - deleting <= present
        assert not deleted & present
        for visit_id, (client_id, sha) in visits.items():
            if client_id in deleted or (client_id in deleting and client_id not in present):
                continue
            visit = store.get_visit(visit_id)
            assert visit.client_id == client_id
            assert visit.analysis["format"] == "shadematch-analysis"
            if sha != "-":
                assert visit.photo.sha256 == sha
                assert visit.photo.stored_path.is_file()
        for visit_id, (client_id, _sha) in visits.items():
            if client_id in deleted:
                assert store.conn.execute("SELECT 1 FROM visits WHERE id = ?",
                                          (visit_id,)).fetchone() is None
    # Files left by killed saves can be pruned; the store is still whole afterwards.
    with open_store(data_dir) as store:
        store.prune_orphans(min_age=0.0)
    with open_store(data_dir) as store:
        assert store.check() == []
        referenced = {p.stored_path for c in store.search_clients() for v in store.visits(c.id)
                      for p in v.photos}
    on_disk = set((records_dir(data_dir) / "photos").glob("*/*"))
    assert on_disk == referenced
