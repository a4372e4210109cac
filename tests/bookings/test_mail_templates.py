"""Every booking mail renders as text and HTML with the data it is given."""
from __future__ import annotations

import pytest
from flask import render_template

CONTEXT = {
    "subject": "Ämne", "name": "Alva Berg", "premises": "Möteslokal Bäckby",
    "address": "Bäckby torg 1, 72470 Västerås", "reference": "B000042",
    "number": "LOK 2027/00012", "booker": "Bäckby IF", "activity": "Styrelsemöte",
    "occurrences": [{"date": "tisdag 2 februari 2027", "start": "18:00", "end": "20:00",
                     "price": "500\u00a0kr", "state": "Bekräftad"}],
    "total": "500\u00a0kr", "link": "http://localhost/bokningar/42", "deadline_hours": 48,
    "reasons": "Lokalen behövs för val.", "reason": "Vattenläcka.", "by_officer": True,
    "cancelled": [{"date": "tisdag 2 februari 2027", "start": "18:00", "end": "20:00"}],
    "changed": [{"date": "onsdag 3 februari 2027", "start": "17:00", "end": "19:00",
                 "price": "500\u00a0kr"}],
}

EXPECTED = {
    "booking_confirmed": ["Bokningen B000042 av Möteslokal Bäckby är klar.", "Totalt: 500"],
    "booking_received": ["ärendenummer LOK 2027/00012", "Tiderna hålls åt dig"],
    "booking_rejected": ["har fått avslag", "Lokalen behövs för val."],
    "booking_cancelled": ["Lokalbokningen har avbokat", "Vattenläcka."],
    "booking_changed": ["Lokalbokningen har ändrat tider", "onsdag 3 februari 2027 17:00–19:00"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mail_renders_both_parts(app, name):
    with app.test_request_context():
        text = render_template(f"mail/{name}.txt", **CONTEXT)
        html = render_template(f"mail/{name}.html", **CONTEXT)
    for phrase in EXPECTED[name]:
        assert phrase in text
        assert phrase in html.replace("&nbsp;", "\u00a0")
    assert "Hej Alva Berg!" in text and "http://localhost/bokningar/42" in html
    assert "\n\n\n\n" not in text
