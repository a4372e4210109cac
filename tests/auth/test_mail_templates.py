"""Every account mail renders in Swedish as text and HTML, with its link, and escapes names."""
from __future__ import annotations

import pytest

from lokapp.core.mail import queue_mail

CONTEXTS = {
    "mail/auth_verify": {"name": "Anna <b>", "link": "http://localhost/verifiera/abc",
                         "hours": 48},
    "mail/auth_reset": {"name": "Anna <b>", "link": "http://localhost/aterstall-losenord/abc",
                        "minutes": 60},
    "mail/auth_register_exists": {"name": "Anna <b>", "login_link": "http://localhost/logga-in",
                                  "reset_link": "http://localhost/glomt-losenord"},
    "mail/auth_staff_invite": {"name": "Anna <b>", "link":
                               "http://localhost/aterstall-losenord/abc", "hours": 72,
                               "roles": ["Handläggare"]},
    "mail/auth_password_changed": {"name": "Anna <b>",
                                   "reset_link": "http://localhost/glomt-losenord"},
}


@pytest.mark.parametrize("template", CONTEXTS)
def test_mail_renders(app, db, template):
    with app.test_request_context():
        message = queue_mail(to="anna@example.se", subject="Ämne", template=template,
                             context=CONTEXTS[template])
    assert message.body_text.startswith("Hej Anna <b>!")
    assert "Anna &lt;b&gt;" in message.body_html
    for key, value in CONTEXTS[template].items():
        if key.endswith("link"):
            assert value in message.body_text
            assert f'href="{value}"' in message.body_html
    assert "Västerås stad" in message.body_text
