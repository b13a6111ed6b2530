"""The matching panel shows how the selected shade is predicted to heal in this client's skin:
hair, healed, fresh and on-card swatches side by side, the session plan and the warnings; the
skin or scar region switched or edited updates it all at once."""

from __future__ import annotations

import html

import pytest
from gui_helpers import consultation_rgb, wait_measured
from PySide6.QtCore import Qt

from shadematch.gui.common.swatch import lab_to_qcolor

SCAR_TISSUE_RGB = (222, 172, 158)  # a scar the skin model can reproduce


@pytest.fixture
def scar_photo(tmp_path):
    from PIL import Image

    rgb = consultation_rgb()
    rgb[210:, 300:] = SCAR_TISSUE_RGB
    path = tmp_path / "client.png"
    Image.fromarray(rgb).save(path)
    return path


def _top_colour(swatch):
    image = swatch.grab().toImage()
    return image.pixelColor(image.width() // 2, 5)


def _mark(qtbot, window, scar=False):
    ws = window.workspace
    ws.add_region("rect", {"x": 20, "y": 20, "w": 120, "h": 150}, "hair")
    ws.add_region("ellipse", {"cx": 300, "cy": 100, "rx": 50, "ry": 40}, "skin")
    if scar:
        ws.add_region("rect", {"x": 320, "y": 230, "w": 60, "h": 50}, "scar")
    wait_measured(qtbot, window)
    qtbot.waitUntil(lambda: window.matching_panel.model.rowCount() > 0, timeout=5000)


def test_the_selected_row_shows_hair_healed_fresh_and_card_side_by_side(qtbot, make_window,
                                                                        scar_photo):
    window = make_window(scar_photo)
    _mark(qtbot, window)
    ws, panel = window.workspace, window.matching_panel
    assert ws.healed.basis == "healed"
    panel.table.selectRow(2)
    record = next(r for r in ws.ranking_records() if r["id"] == panel.selected_entry_id())
    for swatch, key in ((panel.healed_swatch, "healed_lab"), (panel.fresh_swatch, "fresh_lab"),
                        (panel.pigment_swatch, "card_lab")):
        expected, _ = lab_to_qcolor(record[key])
        assert _top_colour(swatch) == expected, key
    hair, _ = lab_to_qcolor(ws.samples["hair"].Lab)
    assert _top_colour(panel.target_swatch) == hair
    # side by side, in this order
    xs = [s.mapTo(panel, s.rect().topLeft()).x()
          for s in (panel.target_swatch, panel.healed_swatch, panel.fresh_swatch,
                    panel.pigment_swatch)]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert "healed, it is predicted" in panel.comparison.text()


def test_the_plan_and_the_warnings_are_shown(qtbot, make_window, scar_photo):
    window = make_window(scar_photo)
    _mark(qtbot, window)
    ws, panel = window.workspace, window.matching_panel
    plan = panel.plan_label.text()
    assert panel.plan_label.isVisible()
    assert html.escape(ws.plan["first_session"]["name"]) in plan
    assert html.escape(ws.plan["final"]["name"]) in plan
    assert "Scar" not in plan
    assert ws.guardrails, "the synthetic hair heals lighter/cooler: a guardrail is expected"
    assert panel.warnings.isVisible()
    for guardrail in ws.guardrails:
        assert html.escape(guardrail["message"]) in panel.warnings.text()


def test_a_scar_region_and_the_scar_area_update_the_panel_live(qtbot, make_window, scar_photo):
    window = make_window(scar_photo)
    _mark(qtbot, window, scar=True)
    ws, panel = window.workspace, window.matching_panel
    assert ws.plan["scar"] is not None
    assert "Scar:" in panel.plan_label.text()
    panel.table.selectRow(0)
    scalp_healed = _top_colour(panel.healed_swatch)
    combo = panel.area_combo
    combo.setCurrentIndex(combo.findData("scar"))
    combo.activated.emit(combo.currentIndex())
    assert ws.area == "scar" and ws.healed.basis == "healed"
    assert panel.plan_label.text().startswith("Scar plan") and "Scar:" not in panel.plan_label.text()
    panel.table.selectRow(0)
    assert _top_colour(panel.healed_swatch) != scalp_healed  # predicted in the scar tissue now
    record = next(r for r in ws.ranking_records() if r["id"] == panel.selected_entry_id())
    expected, _ = lab_to_qcolor(record["healed_lab"])
    assert _top_colour(panel.healed_swatch) == expected
    # moving the scar region onto the skin changes the prediction again, without a click
    before = [r["healed_lab"] for r in ws.ranking_records()]
    scar = next(r for r in ws.regions if r.region_class == "scar")
    ws.set_region_params(scar.id, {"x": 250, "y": 60, "w": 60, "h": 50})
    wait_measured(qtbot, window)
    assert [r["healed_lab"] for r in ws.ranking_records()] != before


def test_card_colours_only_is_a_choice_and_said(qtbot, make_window, scar_photo):
    window = make_window(scar_photo)
    _mark(qtbot, window)
    ws, panel = window.workspace, window.matching_panel
    qtbot.mouseClick(panel.card_only_box, Qt.LeftButton)
    assert ws.card_only and ws.healed.basis == "card"
    assert "as asked" in panel.warnings.text()
    assert panel.healed_swatch.Lab is None and panel.fresh_swatch.Lab is None
    assert "on card colours" in panel.plan_label.text()
