"""`shadematch match`'s plain-text table: what a practitioner reads in a terminal."""

from __future__ import annotations

import json

from shadematch.cli import main
from shadematch.resources import assets_dir

DEMO = assets_dir() / "demo" / "astronaut.jpg"


def test_the_pigment_column_does_not_repeat_the_dilution(capsys):
    argv = ["match", str(DEMO), "--hair", "190,30,80,30", "--skin", "242,110,16,14", "--top", "4",
            "--palette", "carbon-black-dilution-modelled"]
    assert main([*argv, "--json"]) == 0
    ranking = json.loads(capsys.readouterr().out)["ranking"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["#", "pigment",
                                                                             "dilution"])
    rows = lines[header + 1: header + 1 + len(ranking)]
    for row, entry in zip(rows, ranking, strict=True):
        assert row.split()[:4] == [str(entry["rank"]), *entry["pigment_name"].split(),
                                   entry["dilution"]], row
        assert entry["name"] not in row  # "Carbon Black 4:1 ... 4:1" before
