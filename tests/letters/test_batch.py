"""Letter batches: many decided cases at once, resumable, never a letter twice."""
from __future__ import annotations

import itertools

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from lokapp.associations.models import Association, Category, LegalForm, RegisterState
from lokapp.core.mail import OutboxMessage
from lokapp.core.workflow import apply
from lokapp.extensions import db
from lokapp.letters import services
from lokapp.letters.models import BatchItemState, BatchState, Letter, LetterBatch
from tests.associations.register_helpers import numbered_case, officer, orgnr, person

_seq = itertools.count(5000)


def decided_cases(count: int, *, reject_every: int = 3) -> list[int]:
    """Registrations decided through the workflow engine only – no letter yet (as when the
    decisions were taken at a committee meeting and the letters go out afterwards)."""
    category = db.session.scalars(select(Category).order_by(Category.sort_order)).first()
    by = officer()
    ids = []
    for i in range(count):
        n = next(_seq)
        association = Association(name=f"Förening {n}", orgnr=orgnr(n), category=category,
                                  legal_form=LegalForm.NONPROFIT, description="En förening.",
                                  register_state=RegisterState.PENDING)
        db.session.add(association)
        db.session.flush()
        case = numbered_case("registration", "submitted", person(), association)
        if i % reject_every == 0:
            apply(case, "reject", by, note="Stadgar saknas.")
        else:
            apply(case, "approve", by)
        ids.append(case.id)
    db.session.commit()
    return ids


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_batch_issues_every_letter_once_and_is_resumable(app, committing_db):
    ids = decided_cases(6)
    assert {c.id for c in db.session.scalars(services.cases_without_letter())} == set(ids)
    batch = services.create_batch(ids, None)
    db.session.commit()

    counts = services.run_batch(batch.id, limit=2)  # interrupted after two
    assert counts["issued"] == 2 and counts["pending"] == 4
    assert db.session.get(LetterBatch, batch.id).state == BatchState.RUNNING

    counts = services.run_batch(batch.id)  # resumed
    assert counts == {"pending": 0, "issued": 6, "skipped": 0, "failed": 0}
    assert _count(Letter) == 6 and _count(OutboxMessage) == 6
    db.session.expire_all()
    assert db.session.get(LetterBatch, batch.id).state == BatchState.FINISHED
    kinds = sorted(letter.kind.value for letter in db.session.scalars(select(Letter)))
    assert kinds.count("registration_rejected") == 2

    # re-run the same batch, and a new batch over the same cases: nothing is sent again
    services.run_batch(batch.id)
    again = services.create_batch(ids, None)
    db.session.commit()
    counts = services.run_batch(again.id)
    assert counts["skipped"] == 6 and counts["issued"] == 0
    assert _count(Letter) == 6 and _count(OutboxMessage) == 6
    assert list(db.session.scalars(services.cases_without_letter())) == []


def test_a_case_that_cannot_get_a_letter_fails_alone(app, committing_db):
    ids = decided_cases(2)
    category = db.session.scalars(select(Category)).first()
    association = Association(name="Utan beslut", orgnr=orgnr(next(_seq)), category=category,
                              legal_form=LegalForm.NONPROFIT, description="x",
                              register_state=RegisterState.PENDING)
    db.session.add(association)
    db.session.flush()
    undecided = numbered_case("registration", "submitted", person(), association)
    db.session.commit()
    batch = services.create_batch([*ids, undecided.id], None)
    db.session.commit()
    counts = services.run_batch(batch.id)
    assert counts["issued"] == 2 and counts["failed"] == 1
    [failed] = db.session.scalars(services.failed_items(batch.id)).all()
    assert failed.case_id == undecided.id and "brevmall" in failed.error


def test_the_cli_runs_a_batch(app, committing_db):
    ids = decided_cases(3)
    batch = services.create_batch(ids, None)
    db.session.commit()
    batch_id = batch.id
    db.session.remove()
    result = CliRunner().invoke(app.cli, ["lok", "letters-batch", str(batch_id)],
                                catch_exceptions=False)
    assert "3 brev skickade" in result.output, result.output
    result = CliRunner().invoke(app.cli, ["lok", "letters-batch", str(batch_id)])
    assert "3 brev skickade" in result.output and _count(OutboxMessage) == 3
    result = CliRunner().invoke(app.cli, ["lok", "letters-batch", "999999"])
    assert result.exit_code != 0 and "inget utskick" in result.output


def test_the_batch_pages(app, committing_db):
    from tests.associations.register_helpers import login

    ids = decided_cases(3)
    user = officer()
    db.session.commit()
    client = app.test_client()
    login(client, user)
    db.session.commit()  # login read the user again; SQLite: end that read
    page = client.get("/handlaggning/brev/utskick").get_data(as_text=True)
    assert "Beslutade ärenden utan brev (3)" in page and page.count('type="checkbox"') == 3
    assert 'checked' in page
    response = client.post("/handlaggning/brev/utskick", data={"cases": [str(i) for i in ids]})
    assert response.status_code == 302
    batch_id = db.session.scalar(select(LetterBatch.id))
    db.session.commit()  # SQLite: end the read so the next request may begin
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 av 3 ärenden klara" in page and ">Uppdatera</a>" in page
    services.run_batch(batch_id)
    page = client.get(f"/handlaggning/brev/utskick/{batch_id}").get_data(as_text=True)
    assert "3 av 3 ärenden klara" in page and ">Uppdatera</a>" not in page
    assert len(db.session.scalars(select(Letter.id)).all()) == 3
    db.session.commit()
    # a resident may not
    login(client, person())
    db.session.commit()
    assert client.get("/handlaggning/brev/utskick").status_code == 403
    assert BatchItemState.ISSUED.value == "issued"


@pytest.mark.parametrize("kind", ["registration_rejected", "change_approved"])
def test_letter_sample_cli(app, db, tmp_path, kind):
    out = tmp_path / "sample.pdf"
    result = CliRunner().invoke(app.cli, ["lok", "letter-sample", "--kind", kind, "--out",
                                          str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-1.7")
    html = tmp_path / "sample.html"
    result = CliRunner().invoke(app.cli, ["lok", "letter-sample", "--kind", kind, "--out",
                                          str(html), "--appeal", "forvaltningsbesvar"])
    assert "förvaltningslagen" in html.read_text(encoding="utf-8")


def test_a_batch_with_no_case_ticked_is_refused_with_a_message(client, login_as):
    """Unticking every box posts no ``cases`` at all; that was a TypeError (a 500)."""
    decided_cases(1)
    login_as("officer", areas=("register", "grants", "bookings"))
    response = client.post("/handlaggning/brev/utskick", data={})
    assert response.status_code == 200
    assert "Välj minst ett ärende." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0
