"""A child process for the kill test: saves clients and visits in a loop, reporting each success.

Usage: python records_saver.py DATA_DIR PHOTO_DIR SEED. Prints one line per completed operation,
flushed, only after the store call returned: ``client ID``, ``visit ID CLIENT_ID SHA256|-``,
``deleted ID`` (announced by ``deleting ID`` before it starts: a kill in between may or may not
have erased it). The parent kills it with SIGKILL at a random moment.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from records_helpers import make_analysis, make_photo

from shadematch.records import open_store


def main() -> None:
    data_dir, photo_dir, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    pool = sorted(photo_dir.glob("pool-*.jpg"))
    store = open_store(data_dir)
    print("open", flush=True)
    mine: list[int] = []
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if not mine or roll < 0.12:
            cid = store.add_client(f"Kill {seed}-{n}", dob="1980-01-01")
            mine.append(cid)
            print(f"client {cid}", flush=True)
        elif roll < 0.2 and len(mine) > 1:
            cid = mine.pop(rng.randrange(len(mine)))
            print(f"deleting {cid}", flush=True)
            store.delete_client(cid)
            print(f"deleted {cid}", flush=True)
        elif roll < 0.27:
            store.set_screening(rng.choice(mine), {"keloid": rng.choice(["yes", "no"])})
        else:
            cid = rng.choice(mine)
            choice = rng.random()
            if choice < 0.3:
                photo = make_photo(photo_dir / f"new-{seed}-{n}.jpg", seed=seed * 100000 + n)
            elif choice < 0.8:
                photo = rng.choice(pool)
            else:
                photo = None
            kind = rng.choice(["consultation", "session", "touch-up"])
            vid = store.save_visit(cid, make_analysis(hair=(20 + n % 7, 2, 3)), photo, kind=kind,
                                   batch=f"B{n}")
            sha = store.get_visit(vid).photo.sha256 if photo else "-"
            print(f"visit {vid} {cid} {sha}", flush=True)


if __name__ == "__main__":
    main()
