"""The client's aftercare page: plain-language care after a scalp micropigmentation session.

In line with common SMP aftercare guidance; the practitioner's own instructions always come first,
which the page says.
"""

from __future__ import annotations

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
