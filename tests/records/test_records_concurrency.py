"""Concurrency on the server: 4 processes x 200 saves against one PostgreSQL server, saving
processes killed with SIGKILL at random points (and started again), the server restarted in
the middle. Afterwards every save that reported success is present with its photo bytes
(SHA-256 computed by the server), each save is stored exactly once, and nothing is
half-written (every visit has its photo row, the full check passes)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from records_helpers import make_photo

from shadematch.records import open_store

HERE = Path(__file__).parent
WORKERS = 4
SAVES = 200
KILLS = 6


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_four_processes_saving_with_kills_and_a_server_restart(pg_server, pg_url, tmp_path,
                                                               child_env):
    data_dir = tmp_path / "data"
    photo_dir = tmp_path / "photos"
    photo_dir.mkdir()
    for i in range(6):
        make_photo(photo_dir / f"pool-{i}.jpg", seed=300 + i)
    with open_store(data_dir, database_url=pg_url) as store:
        clients = [store.add_client(f"Worker {w}") for w in range(WORKERS)]
    rng = random.Random(20261203)
    reported: dict[str, tuple[int, str]] = {}  # token -> (visit id, sha)
    progress = [0] * WORKERS
    unavailable = [0]
    lock = threading.Lock()

    def start(worker: int) -> subprocess.Popen:
        child = subprocess.Popen(
            [sys.executable, str(HERE / "records_pg_saver.py"), pg_url, str(data_dir),
             str(photo_dir), str(worker), str(clients[worker]), str(progress[worker]),
             str(SAVES)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env,
            cwd=str(tmp_path))

        def read() -> None:
            for raw in child.stdout:
                words = raw.decode().split()
                with lock:
                    if words and words[0] == "visit":
                        reported[words[2]] = (int(words[1]), words[3])
                        progress[worker] = int(words[2].split("-")[1]) + 1
                    elif words == ["unavailable"]:
                        unavailable[0] += 1

        threading.Thread(target=read, daemon=True).start()
        return child

    children = [start(w) for w in range(WORKERS)]
    kills = 0
    restarted = False
    # Kills and the restart are placed by progress (a number of reported saves), not by the
    # clock: on an idle machine the savers finish in seconds, under load in minutes.
    total_saves = WORKERS * SAVES
    kill_at = sorted(rng.sample(range(total_saves // 20, total_saves * 6 // 10), KILLS))
    restart_at = total_saves // 2
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(0.005, 0.03))
        with lock:
            total = len(reported)
        running = [w for w in range(WORKERS) if children[w].poll() is None]
        if not restarted and total >= restart_at:
            pg_server.stop("immediate")  # the server goes away in the middle...
            time.sleep(1.0)
            pg_server.start()  # ...and comes back
            restarted = True
        elif kills < KILLS and total >= kill_at[kills] and running:
            worker = rng.choice(running)
            children[worker].send_signal(signal.SIGKILL)
            children[worker].wait(30)
            kills += 1
            time.sleep(0.1)  # let the reader take the last lines
            children[worker] = start(worker)
        if not running and all(child.poll() is not None for child in children):
            break
    for child in children:
        child.wait(timeout=300)
        assert child.returncode == 0, child.stderr.read().decode(errors="replace")
    time.sleep(0.2)
    assert restarted and kills == KILLS
    assert len(reported) == WORKERS * SAVES  # every save reported success once done

    with open_store(data_dir, database_url=pg_url) as store:
        assert store.check() == []
        with store._read() as conn:
            rows = conn.execute(
                "SELECT v.id, v.save_token, vp.sha256, encode(sha256(p.data), 'hex') "
                "FROM visits v LEFT JOIN visit_photos vp ON vp.visit_id = v.id "
                "LEFT JOIN photos p ON p.sha256 = vp.sha256").fetchall()
    by_token = {token: (vid, sha, computed) for vid, token, sha, computed in rows}
    assert len(rows) == WORKERS * SAVES  # exactly once each: no duplicate, no extra row
    assert len(by_token) == len(rows)
    for token, (vid, sha) in reported.items():
        assert by_token[token] == (vid, sha, sha), token
    print(f"\n{WORKERS} x {SAVES} saves, {kills} SIGKILLs, 1 server restart, "
          f"{unavailable[0]} retries while the server was away")
