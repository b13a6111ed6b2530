"""Draw the application icon, ``packaging/shadematch.png`` (256 x 256, transparent corners).

Run from the project root: ``python packaging/make_icon.py``. The icon: a round swatch card with a
dilution series of a black pigment (neat to lightest) around a skin-coloured centre.
"""

from __future__ import annotations

import math
from pathlib import Path

OUT = Path(__file__).resolve().parent / "shadematch.png"


def main() -> None:
    from PIL import Image, ImageDraw

    size, scale = 256, 4  # drawn 4x larger and reduced: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    pad = 8 * scale
    draw.ellipse((pad, pad, big - pad, big - pad), fill=(236, 232, 226, 255),
                 outline=(90, 86, 82, 255), width=6 * scale)
    centre = big / 2
    draw.ellipse((centre - 52 * scale, centre - 52 * scale, centre + 52 * scale,
                  centre + 52 * scale), fill=(206, 160, 128, 255))
    greys = [28, 48, 70, 92, 116, 140, 164, 188]
    for i, grey in enumerate(greys):
        angle = -math.pi / 2 + i * 2 * math.pi / len(greys)
        x = centre + 84 * scale * math.cos(angle)
        y = centre + 84 * scale * math.sin(angle)
        r = 20 * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(grey, grey - 2, grey - 4, 255))
    image.resize((size, size), Image.LANCZOS).save(OUT)


if __name__ == "__main__":
    main()
