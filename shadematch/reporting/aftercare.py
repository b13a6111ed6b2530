"""The client's aftercare page: plain-language care after a scalp micropigmentation session.

In line with common SMP aftercare guidance; the practitioner's own instructions always come first,
which the page says.
"""

from __future__ import annotations

from shadematch.reporting import text
from shadematch.reporting.canvas import ACCENT, INK, MUTED, rule

TITLE = "Caring for your scalp after your session"

INTRO = ("These notes help the pigment settle evenly and your scalp heal well. If your "
         "practitioner has given you different instructions, follow theirs.")

# (heading, [points]) in the order a client needs them.
SECTIONS: list[tuple[str, list[str]]] = [
    ("The first days (about 4 to 7 days)", [
        "Keep your scalp dry. Do not wash it, and keep it out of the rain and the shower spray.",
        "Avoid sweating: no gym, running or heavy work, and keep away from hot rooms.",
        "No swimming, saunas, steam rooms or hot tubs.",
        "Do not pick, scratch or rub your scalp, even if it itches or small flakes form. "
        "Let them come off on their own.",
        "Sleep on a clean pillowcase, and avoid tight hats, helmets or headbands.",
        "Do not put creams, oils or hair products on the treated area unless your "
        "practitioner gave them to you.",
    ]),
    ("Washing", [
        "Wash your scalp only when your practitioner says you may, usually after about "
        "4 to 5 days.",
        "Use lukewarm water and a mild shampoo, pat dry gently with a soft towel, and do not "
        "scrub.",
    ]),
    ("Sun", [
        "Keep your scalp out of direct sun while it heals: wear a loose hat if you go out.",
        "Once healed (about 4 weeks), use a high-factor sunscreen (SPF 30 to 50) on your scalp "
        "every day you are in the sun. Sun fades the pigment over time.",
    ]),
    ("Follow-up sessions and touch-ups", [
        "SMP is built up over several sessions. The colour looks darker at first and softens as "
        "the skin heals; this is normal.",
        "Come to every follow-up session you have booked, usually one to two weeks apart.",
        "A touch-up every few years keeps the shade fresh. Bring this report: it records the "
        "exact shade and dilution used today.",
    ]),
    ("When to call us", [
        "Contact your practitioner, or a doctor, if you see spreading redness, swelling, heat, "
        "pus, or you feel unwell or feverish.",
    ]),
]


def draw_page(page, options) -> None:
    """Start a new page of ``page`` (a :class:`~shadematch.reporting.canvas.Page`) with the
    aftercare notes, addressed to ``options.client_name``."""
    page.new_page()
    c = page.canvas
    page.y -= 18
    text.draw(c, page.left, page.y, TITLE, 17, text.BOLD, color=ACCENT)
    page.y -= 16
    if options.client_name.strip():
        text.draw(c, page.left, page.y, f"For {options.client_name.strip()}", 10, color=INK)
        page.y -= 14
    page.y = text.draw_wrapped(c, page.left, page.y - 4, INTRO, 10.5,
                               page.content_width, color=INK, leading=14) - 6
    for title, points in SECTIONS:
        page.ensure(60)
        page.y -= 20
        text.draw(c, page.left, page.y, title, 12, text.BOLD, color=INK)
        page.y -= 6
        for point in points:
            lines = text.wrap(point, 10.5, page.content_width - 16)
            page.ensure(14 * len(lines) + 4)
            page.y -= 14
            c.setFillColorRGB(*ACCENT)
            c.circle(page.left + 5, page.y + 3.5, 2, stroke=0, fill=1)
            for i, line in enumerate(lines):
                if i:
                    page.y -= 14
                text.draw(c, page.left + 16, page.y, line, 10.5, color=INK)
            page.y -= 2
    phone = getattr(options, "clinic_phone", "").strip()
    contact = [v for v in (options.clinic_name, options.clinic_address.replace("\n", ", "))
               if v and v.strip()]
    if contact or options.practitioner or phone:
        page.ensure(50)
        page.y -= 24
        rule(c, page.left, page.left + page.content_width, page.y + 12)
        if options.practitioner:
            text.draw(c, page.left, page.y, f"Your practitioner: {options.practitioner}", 10,
                      color=INK)
            page.y -= 14
        if phone:
            text.draw(c, page.left, page.y, f"Any question or worry about your healing: call "
                      f"{phone}", 10, text.BOLD, color=INK)
            page.y -= 14
        if contact:
            page.y = text.draw_wrapped(c, page.left, page.y, " — ".join(contact), 9,
                                       page.content_width, color=MUTED)
