"""Every example in a ``--help`` text and in the README's code blocks runs and succeeds.

The examples are read from the parsers themselves (every sub-command's description and epilog)
and from the README's fenced code blocks, so a new example is tested without being listed here.
Their file names are placeholders: each input file an example names (a photo, a session, a
palette) is generated under that name in an empty folder the example runs in, and each ``-o``
output must be written. A photo example with ``--chart-corners`` gets a ColorChecker drawn at
those corners.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shadematch.cli import build_parser, main

README = Path(__file__).resolve().parents[2] / "README.md"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".heic", ".heif", ".webp"}
OUTPUT_OPTIONS = {"-o", "--output"}


# -- finding the examples -----------------------------------------------------------------------
def _parsers(parser: argparse.ArgumentParser):
    """The parser and every sub-command's parser (aliases once)."""
    seen: set[int] = set()
    stack = [parser]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())


def _commands_in(text: str) -> list[str]:
    """Lines that are ``shadematch ...`` commands (``example:`` prefixes, ``\\`` joins)."""
    text = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:examples?:)?\s*", "", line)
        if line.startswith("shadematch "):
            commands.append(line.strip())
    return commands


def help_examples() -> dict[str, list[str]]:
    """{prog: [command, ...]} for every parser whose help text holds an example."""
    found = {}
    for parser in _parsers(build_parser()):
        text = "\n".join(t for t in (parser.description, parser.epilog) if t)
        commands = _commands_in(text)
        if commands or re.search(r"\bexamples?\b", text, re.IGNORECASE):
            found[parser.prog] = commands
    return found


def readme_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    return [c for block in blocks for c in _commands_in(block)]


HELP = help_examples()
EXAMPLES = ([pytest.param(c, id=f"help:{c[:60]}") for cs in HELP.values() for c in cs]
            + [pytest.param(c, id=f"README:{c[:60]}") for c in readme_examples()])


def test_the_examples_are_found():
    """Guard against parsing them all away: the runs below must not skip silently."""
    assert README.is_file(), "the README is part of the checkout the tests run from"
    assert {"shadematch match", "shadematch report"} <= set(HELP)
    for prog, commands in HELP.items():
        assert commands, f"`{prog} --help` mentions an example but none was found"
    assert sum(len(c) for c in HELP.values()) >= 3
    readme = readme_examples()
    assert len(readme) >= 7 and any("--chart-corners" in c for c in readme)
    assert len(EXAMPLES) == sum(len(c) for c in HELP.values()) + len(readme)


# -- the placeholders ---------------------------------------------------------------------------
def _patch_colours() -> np.ndarray:
    from shadematch.calibration.charts import chart_reference
    from shadematch.color import Lab_to_sRGB

    srgb, _ = Lab_to_sRGB(np.asarray(chart_reference("colorchecker24", "after-2014").Lab))
    return np.round(srgb * 255).astype(np.uint8)


def _grid_to_image(corners: np.ndarray) -> np.ndarray:
    """The homography from chart grid coordinates (column, row) to the given patch centres."""
    grid = np.array([[0, 0], [5, 0], [5, 3], [0, 3]], dtype=float)
    A, b = [], []
    for (x, y), (u, v) in zip(grid, corners, strict=True):
        A += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        b += [u, v]
    return np.append(np.linalg.solve(np.array(A), np.array(b)), 1.0).reshape(3, 3)


def client_photo(chart_corners: str | None) -> np.ndarray:
    """The astronaut portrait (whose hair and skin the examples mark) on a grey canvas, with a
    ColorChecker 24 whose corner patch centres are at ``chart_corners`` ('x,y;x,y;x,y;x,y')."""
    from skimage.data import astronaut

    portrait = astronaut()
    corners = (np.array([[float(v) for v in p.split(",")] for p in chart_corners.split(";")])
               if chart_corners else None)
    height, width = portrait.shape[:2]
    if corners is not None:
        width = max(width, int(corners[:, 0].max()) + 200)
        height = max(height, int(corners[:, 1].max()) + 200)
    canvas = np.full((height, width, 3), 128, dtype=np.uint8)
    canvas[:portrait.shape[0], :portrait.shape[1]] = portrait
    if corners is not None:
        inverse = np.linalg.inv(_grid_to_image(corners))
        ys, xs = np.mgrid[0:height, 0:width]
        points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)], axis=0).astype(float)
        u, v, w = inverse @ points
        col, row = u / w, v / w
        on_chart = (col > -0.6) & (col < 5.6) & (row > -0.6) & (row < 3.6)
        c, r = np.round(col), np.round(row)
        in_patch = on_chart & (np.abs(col - c) < 0.4) & (np.abs(row - r) < 0.4)
        flat = canvas.reshape(-1, 3)
        flat[on_chart] = 25  # the chart's black frame
        index = (r * 6 + c)[in_patch].astype(int)
        flat[in_patch] = _patch_colours()[index]
    return canvas


def _palette_json(path: Path) -> None:
    from shadematch.palettes import load_palette, palette_to_dict

    document = palette_to_dict(load_palette("carbon-black-dilution-modelled"))
    document["name"] = path.stem
    path.write_text(json.dumps(document), encoding="utf-8")


def make_inputs(argv: list[str], folder: Path) -> list[Path]:
    """Generate every input file ``argv`` names; return the outputs it should write."""
    outputs = []
    corners = argv[argv.index("--chart-corners") + 1] if "--chart-corners" in argv else None
    for i, token in enumerate(argv):
        suffix = Path(token).suffix.lower()
        if not suffix or token.startswith("-"):
            continue
        path = folder / token
        if i > 0 and argv[i - 1] in OUTPUT_OPTIONS:
            outputs.append(path)
        elif suffix in PHOTO_SUFFIXES:
            if suffix in (".heic", ".heif"):
                import pillow_heif

                pillow_heif.register_heif_opener()
            Image.fromarray(client_photo(corners)).save(path, quality=95)
        elif suffix == ".shadematch":
            from shadematch.demo import prepare_demo_session

            prepare_demo_session(folder / "made").rename(path)
        elif suffix == ".json":
            _palette_json(path)
        elif suffix == ".csv":
            path.write_text("name,L,a,b\nMy Black,20,0.5,1\nMy Brown,30,5,10\n",
                            encoding="utf-8")
        else:
            pytest.fail(f"no placeholder file for {token!r}: teach make_inputs() to make one")
    return outputs


# -- running them -------------------------------------------------------------------------------
@pytest.mark.parametrize("command", EXAMPLES)
def test_example_runs(command, tmp_path, monkeypatch, capsys):
    argv = shlex.split(command, comments=True)
    assert argv[0] == "shadematch" and len(argv) > 1, "a command-line example names a command"
    argv = argv[1:]
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "user-data"))
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    outputs = make_inputs(argv, folder)
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, f"`{command}` exited {code}:\n{err}"
    assert "error" not in err.lower(), err
    if "--json" in argv:
        json.loads(out)
    if "--chart" in argv and "--json" not in argv:
        assert "Calibration: colorchecker24" in out, out  # the chart was found and fitted
    for path in outputs:
        assert path.is_file() and path.stat().st_size > 0, f"{path.name} was not written"
