"""The safety net itself: the checker really runs axe-core and reports what it finds."""
from __future__ import annotations


def test_checker_reports_violations_in_served_html(axe_checker, base_url):
    broken = ('<!doctype html><html><head><title>Trasig</title></head><body><main>'
              '<img src="/static/css/lokapp.css"><input type="text"></main></body></html>')
    violations = axe_checker.violations_of_html(f"{base_url}/axe-sjalvtest", broken)
    rules = {v.split(" ", 1)[0] for v in violations}
    assert {"html-has-lang", "image-alt", "label"} <= rules, violations
    assert any("main > img" in v or "img" in v for v in violations if v.startswith("image-alt"))


def test_checker_passes_a_clean_page(axe_checker, base_url):
    clean = ('<!doctype html><html lang="sv"><head><title>Hel</title></head><body><main>'
             '<h1>Hel sida</h1><label for="f">Namn</label><input id="f" type="text">'
             '</main></body></html>')
    assert axe_checker.violations_of_html(f"{base_url}/axe-sjalvtest", clean) == []
