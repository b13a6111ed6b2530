"""The small adversarial campaign (tests/records/campaign.py) in CI: every hostile input ends
as a clean error or is accepted with the records still sound; no traceback, hang or lie; no
record lost to a kill; nothing readable by others; no copy of an erased client left."""

from __future__ import annotations

import campaign
import pytest


@pytest.mark.slow
def test_small_campaign_finds_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("SHADEMATCH_DATA_DIR", raising=False)
    tally = campaign.run(scale=1, seed=20261203, work=tmp_path)
    assert tally.failures == []
    assert tally.bad() == 0
    tried = {kind: sum(counts.values()) for kind, counts in tally.kinds.items()}
    assert tried == {"client.json": 40, "database fault": 16, "cli arguments": 40}
    # Hostile inputs really were refused, and some good ones really were taken.
    assert all(counts["clean"] > 0 for counts in tally.kinds.values())
    assert tally.figures["records lost"] == 0
    assert tally.figures["copies of an erased client left"] == 0
    assert tally.figures["erased clients back after a restore"] == 0
    assert tally.figures["records files readable by others"] == 0
    assert tally.figures["files checked for permissions"] > 20
