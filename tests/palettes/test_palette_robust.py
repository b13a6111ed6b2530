"""One bad file in the user palette folder is skipped and named; the other palettes stay and
`match` keeps working (issue 16: deep nesting, huge numbers, lone surrogates, CR-only CSV,
CSV fields over 131,072 characters)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shadematch.errors import PaletteError
from shadematch.palettes import check_palette_file, scan_palettes

SHIPPED = Path(__file__).resolve().parents[2] / "palettes" / "smp-undertones-modelled.json"


def _valid(name: str) -> dict:
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    document["name"] = name
    return document


BAD_FILES = {
    "deep.json": '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "huge-number.json": json.dumps(_valid("Huge")).replace('"version": "2.0"',
                                                           '"version": ' + "9" * 5000, 1),
    "surrogate.json": json.dumps(_valid("Lone \ud800 surrogate")),
    "long-field.csv": 'name,L,a,b\n"' + "x" * 200_000 + '",20,1,1\n',
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_user_palette_is_named_and_the_rest_kept(data_dir, name):
    folder = data_dir / "palettes"
    folder.mkdir()
    (folder / name).write_text(BAD_FILES[name], encoding="utf-8", errors="surrogatepass")
    (folder / "good.csv").write_text("name,L,a,b\nMine,20,1,1\n", encoding="utf-8")
    palettes, problems = scan_palettes()
    names = {p.name for p in palettes}
    assert "good" in names and "smp-undertones-modelled" in names
    assert [p.path.name for p in problems] == [name]
    assert problems[0].message.startswith(name)
    with pytest.raises(PaletteError, match=name.replace(".", r"\.")):
        check_palette_file(folder / name)


def test_a_cr_only_csv_is_read(tmp_path):
    path = tmp_path / "old-mac.csv"
    path.write_bytes(b"name,L,a,b\rDark,20,1,1\rLight,40,2,2\r")
    palette = check_palette_file(path)
    assert [e.name for e in palette.entries] == ["Dark", "Light"]


def test_palettes_and_match_work_beside_a_bad_user_palette(data_dir, tmp_path, capsys):
    import numpy as np
    from PIL import Image

    from shadematch.cli import main

    folder = data_dir / "palettes"
    folder.mkdir()
    for name, text in BAD_FILES.items():
        (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    code = main(["palettes"])
    out, err = capsys.readouterr()
    assert code == 0 and "smp-undertones-modelled" in out
    assert all(name in out + err for name in BAD_FILES)
    photo = tmp_path / "scalp.png"
    pixels = np.zeros((60, 80, 3), np.uint8)
    pixels[:, :40] = (60, 45, 35)
    pixels[:, 40:] = (200, 160, 140)
    Image.fromarray(pixels).save(photo)
    code = main(["match", str(photo), "--hair", "2,2,30,50", "--skin", "45,2,30,50", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["ranking"]
