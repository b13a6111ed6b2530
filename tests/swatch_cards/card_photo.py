"""A photographed swatch card, synthesised: the printed layout, cells painted with colours a
known pigment gives on card, seen in perspective under a colour cast, beside a ColorChecker."""

from __future__ import annotations

import numpy as np

from shadematch.swatch_cards.layout import MARK_HOLE_MM, MARK_MM, PAGE_MM, CardLayout

PX_PER_MM = 4.0
CAST = np.array([1.12, 1.0, 0.82])       # warm light, in linear RGB


def page_raster(layout: CardLayout, cell_Lab: dict[int, tuple], paper=(94.0, 0.5, 3.0),
                px_per_mm: float = PX_PER_MM) -> np.ndarray:
    """The card as printed and painted: sRGB float 0..1 (h, w, 3)."""
    from shadematch.color.conversion import Lab_to_sRGB

    h, w = int(PAGE_MM[1] * px_per_mm), int(PAGE_MM[0] * px_per_mm)
    white, _ = Lab_to_sRGB(np.asarray(paper, dtype=float))
    page = np.tile(np.clip(white, 0, 1), (h, w, 1))

    def fill(x0, y0, x1, y1, rgb):
        page[int(y0 * px_per_mm):int(y1 * px_per_mm), int(x0 * px_per_mm):int(x1 * px_per_mm)] = rgb

    for mx, my in layout.marks:
        fill(mx - MARK_MM / 2, my - MARK_MM / 2, mx + MARK_MM / 2, my + MARK_MM / 2, 0.02)
        fill(mx - MARK_HOLE_MM / 2, my - MARK_HOLE_MM / 2, mx + MARK_HOLE_MM / 2,
             my + MARK_HOLE_MM / 2, white)
    for cell in layout.cells:
        fill(cell.x - 0.2, cell.y - 0.2, cell.x + cell.size + 0.2, cell.y + cell.size + 0.2, 0.55)
        fill(cell.x + 0.2, cell.y + 0.2, cell.x + cell.size - 0.2, cell.y + cell.size - 0.2, white)
        if cell.number in cell_Lab:
            rgb, _ = Lab_to_sRGB(np.asarray(cell_Lab[cell.number], dtype=float))
            # hand painting: a little short of the edges
            fill(cell.x + 1.0, cell.y + 1.0, cell.x + cell.size - 1.0, cell.y + cell.size - 1.0,
                 np.clip(rgb, 0, 1))
    return page


def photograph(page: np.ndarray, seed: int = 0, cast=CAST, turn: int = 0
               ) -> tuple[np.ndarray, str]:
    """The card in perspective on a grey table with a ColorChecker to its right, under
    ``cast``; returns (sRGB uint8 photo, the chart's corners 'x,y;x,y;x,y;x,y')."""
    from skimage.transform import ProjectiveTransform, warp

    from shadematch.calibration.charts import chart_reference
    from shadematch.color.conversion import Lab_to_sRGB, linear_to_sRGB, sRGB_to_linear

    rng = np.random.default_rng(seed)
    H, W = 1300, 1500
    ph, pw = page.shape[:2]
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=float)
    dst = np.array([[80, 60], [80 + 0.92 * pw, 90], [60 + 0.95 * pw, 40 + 0.97 * ph],
                    [50, 20 + ph]], dtype=float) * 0.95
    transform = ProjectiveTransform.from_estimate(dst, src)   # photo -> page (warp's map)
    lin_page = sRGB_to_linear(page)
    photo = np.full((H, W, 3), 0.18)
    warped = warp(lin_page, transform, output_shape=(H, W), order=1, cval=-1.0)
    on_card = warped[..., 0] >= 0
    photo[on_card] = warped[on_card]
    # the ColorChecker to the right: 6 x 4 patches of 40 px at a 50 px pitch
    patches, _ = Lab_to_sRGB(np.asarray(chart_reference("colorchecker24", "after-2014").Lab))
    x0, y0, pitch, size = 1140, 300, 52, 42
    photo[y0 - 20:y0 + 4 * pitch + 10, x0 - 20:x0 + 6 * pitch + 10] = sRGB_to_linear(
        np.array([0.1, 0.1, 0.1]))
    for i, rgb in enumerate(patches):
        r, c = divmod(i, 6)
        photo[y0 + r * pitch:y0 + r * pitch + size, x0 + c * pitch:x0 + c * pitch + size] = \
            sRGB_to_linear(np.clip(rgb, 0, 1))
    centre = [(x0 + c * pitch + size / 2, y0 + r * pitch + size / 2)
              for r, c in ((0, 0), (0, 5), (3, 5), (3, 0))]
    corners = ";".join(f"{x:.1f},{y:.1f}" for x, y in centre)
    photo = photo * np.asarray(cast)[None, None, :]
    rgb = linear_to_sRGB(np.clip(photo, 0, 1)) * 255 + rng.normal(0, 1.2, photo.shape)
    out = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    if turn:
        out = np.ascontiguousarray(np.rot90(out, turn))
    return out, corners
