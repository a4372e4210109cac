"""The benchmarks must not rot: each seeds and measures at a tiny size on the test database.

Timings are not checked here (the benchmarks are run by hand, see their docstrings); what is
checked is that the seeding still fits the schema and that every measured page answers 200.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def casework():
    return _load("casework")


def test_casework_benchmark_seeds_and_measures(app, db, casework):
    seeded = casework.seed(30)
    assert seeded.counts["applications"] == 30
    assert seeded.application_ids and seeded.counts["history"] > 30

    small = casework.measure(app, seeded, 1)

    assert set(small) == set(casework.plan(seeded, 1))
    assert all(r["queries"][0] > 0 for r in small.values())
    # More data, same number of statements on every list page.
    more = casework.seed(60, seed=2027)
    seeded.application_ids += more.application_ids
    seeded.application_states.update(more.application_states)
    larger = casework.measure(app, seeded, 1)
    for kind, result in small.items():
        if kind != casework.CASE_PAGE:  # its statements follow the case's state
            assert larger[kind]["queries"] == result["queries"], kind
    assert casework.same_queries(small, larger)


@pytest.fixture
def seasons_benchmark():
    return _load("seasons")


def test_seasons_benchmark_seeds_and_measures(app, db, seasons_benchmark):
    with app.test_request_context():
        seeded = seasons_benchmark.seed(4)
    assert seeded.counts["wishes"] == 4 * seasons_benchmark.WISHES
    small = seasons_benchmark.measure(app, seeded, 1)
    assert set(small) == {"page", "premises", "proposal", "publish"}
    assert all(r["queries"][0] > 0 for r in small.values())
    # A bigger round (its own premises and officer): the pages run as many statements.
    with app.test_request_context():
        bigger = seasons_benchmark.seed(12, seed=2027)
    larger = seasons_benchmark.measure(app, bigger, 1)
    for kind in ("page", "premises"):
        assert larger[kind]["queries"] == small[kind]["queries"], kind


def test_directory_benchmark_builds_and_measures(tmp_path):
    """Its own database from scratch (it drops every table first), so never the test database."""
    directory = _load("directory")
    app = directory.build(f"sqlite:///{tmp_path / 'directory.sqlite'}", 120)
    try:
        result = directory.measure(app, directory.MIX, len(directory.MIX))
    finally:
        _dispose(app)
    assert set(result["queries"]) == {label for label, _ in directory.MIX}
    assert all(counts and min(counts) > 0 for counts in result["queries"].values())
    assert result["p50"] > 0 and result["sql50"] > 0


def test_bookings_benchmark_builds_and_measures(tmp_path):
    bookings = _load("bookings")
    app = bookings.build(f"sqlite:///{tmp_path / 'bookings.sqlite'}", bookings.PREMISES * 2)
    try:
        result = bookings.measure(app, 2)
    finally:
        _dispose(app)
    assert set(result) == {"week", "search", "book", "reports"}
    assert all(r["queries"][0] > 0 for r in result.values())


def test_letters_benchmark_renders_a_letter():
    letters = _load("letters")
    assert letters.render_one(1) > 1000  # bytes of PDF
    assert letters.floor_seconds(repeat=1) > 0


def _dispose(app):
    from lokapp.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
