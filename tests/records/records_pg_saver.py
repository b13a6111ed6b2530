"""A child process for the server concurrency test: SAVES visits of one client, each with a
save token, reporting each success; a save that finds the server gone is retried (same token)
until the server is back.

Usage: python records_pg_saver.py URL DATA_DIR PHOTO_DIR WORKER CLIENT_ID FIRST SAVES. Prints
``visit ID TOKEN SHA256`` after each save returned (flushed), ``unavailable`` for each retry.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from records_helpers import make_analysis

from shadematch.records import open_store
from shadematch.records.backends.errors import ServerUnavailable


def main() -> None:
    url, data_dir, photo_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    worker, client_id, first, saves = (int(v) for v in sys.argv[4:8])
    pool = sorted(photo_dir.glob("pool-*.jpg"))
    while True:
        try:
            store = open_store(data_dir, database_url=url)
            break
        except ServerUnavailable:
            time.sleep(0.2)
    print("open", flush=True)
    for n in range(first, saves):
        token = f"w{worker}-{n}"
        photo = pool[(worker * 7 + n) % len(pool)]
        while True:
            try:
                vid = store.save_visit(client_id, make_analysis(hair=(20 + n % 9, 2, 3)),
                                       photo, kind="consultation", batch=f"B{n}",
                                       save_token=token)
                sha = store.get_visit(vid).photo.sha256
                break
            except ServerUnavailable:
                # Saved or not: the same token again stores it at most once.
                print("unavailable", flush=True)
                time.sleep(0.2)
        print(f"visit {vid} {token} {sha}", flush=True)
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()
