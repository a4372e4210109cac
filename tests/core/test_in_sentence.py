"""Required-field messages name the field as it reads inside a sentence."""
from __future__ import annotations

import pytest

from lokapp.core.forms import in_sentence


@pytest.mark.parametrize(("label", "expected"), [
    ("Namn", "namn"),
    ("Beskrivning av bilden", "beskrivning av bilden"),
    ("E-post", "e-post"),
    ("LÖK-datum", "LÖK-datum"),
    ("Telefon:", "telefon"),
    ("Beskriv problemet", "”Beskriv problemet”"),
    ("Vad behöver kompletteras?", "”Vad behöver kompletteras?”"),
    ("Varför är du jävig?", "”Varför är du jävig?”"),
    ("Describe the problem", "”Describe the problem”"),
])
def test_labels_in_a_sentence(app, label, expected):
    with app.test_request_context():
        assert str(in_sentence(label)) == expected
