"""The letters' use cases; they flush, never commit.

``issue_letter(case, kind)``        render, store and e-mail the letter of a decided case, in
                                    the decision's transaction (idempotent per decision)
``issue_decision(case, decision)``  the same, for the register's decision names
``resend(letter, actor)``           e-mail the stored bytes again (never re-rendered)
``current_template(kind)``          the newest wording (version 1 = the built-in default)
``preview_template(kind, texts)``   render the sample letter with unsaved wording
``save_template(kind, texts, actor)`` check and store a new version
``create_batch / run_batch``        letters for many decided cases, resumable
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lokapp.core import audit
from lokapp.core.cases import Case
from lokapp.core.mail import queue_mail
from lokapp.core.time import utcnow
from lokapp.extensions import db
from lokapp.letters import rendering, sandbox
from lokapp.letters.context import (
    UnlawfulLetter,
    build_context,
    decision_row,
    recipients_for,
    sample_context,
)
from lokapp.letters.kinds import DECISIONS, KINDS, spec_for
from lokapp.letters.models import (
    BatchItemState,
    BatchState,
    Letter,
    LetterBatch,
    LetterBatchItem,
    LetterDispatch,
    LetterKind,
    LetterTemplate,
)

log = logging.getLogger(__name__)

__all__ = ["LetterError", "TemplateProblem", "UnlawfulLetter", "current_template",
           "issue_decision", "issue_letter", "preview_template", "register_case_type", "resend",
           "save_template"]

TemplateProblem = sandbox.TemplateProblem


class LetterError(Exception):
    """A refused letter action; ``str(error)`` is the Swedish message."""


# --- templates ---------------------------------------------------------------------------------

def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def current_template(kind: LetterKind | str) -> LetterTemplate:
    """The newest version of ``kind``'s wording; version 1 (the built-in default) is created
    on first use – concurrently safe (``ON CONFLICT DO NOTHING`` on ``(kind, version)``)."""
    kind = LetterKind(kind)
    template = db.session.scalar(
        select(LetterTemplate).where(LetterTemplate.kind == kind)
        .order_by(LetterTemplate.version.desc()).limit(1))
    if template is not None:
        return template
    spec = spec_for(kind)
    db.session.execute(_insert(LetterTemplate).values(
        kind=kind.value, version=1, subject_sv=spec.subject_sv, body_sv=spec.body_sv,
        subject_en=spec.subject_en, body_en=spec.body_en, created_at=utcnow(),
    ).on_conflict_do_nothing())
    return db.session.scalars(
        select(LetterTemplate).where(LetterTemplate.kind == kind, LetterTemplate.version == 1)
    ).one()


def template_versions(kind: LetterKind | str):
    return (select(LetterTemplate).where(LetterTemplate.kind == LetterKind(kind))
            .order_by(LetterTemplate.version.desc()))


@dataclass
class Preview:
    """The sample letter rendered with a template's wording, per language."""

    html: dict[str, str]       # language → the letter as a web page fragment
    titles: dict[str, str]
    pdf_bytes: dict[str, int]  # language → size of the rendered sample PDF


def preview_template(kind: LetterKind | str, texts: dict[str, str], *,
                     with_pdf: bool = True) -> Preview:
    """Render the sample letter in Swedish and English with ``texts`` (``subject_sv``,
    ``body_sv``, ``subject_en``, ``body_en``); raises :class:`TemplateProblem`.

    ``with_pdf`` also renders the PDFs through the locked-down fetcher – the last gate before
    a template is saved.
    """
    preview = Preview({}, {}, {})
    for language in ("sv", "en"):
        context = sample_context(kind, texts, language=language)
        preview.html[language] = rendering.render_html(context, page=True)
        preview.titles[language] = context["title"]
        if with_pdf:
            try:
                preview.pdf_bytes[language] = len(rendering.render_pdf(context))
            except rendering.LetterRenderError:
                raise TemplateProblem(_(
                    "Brevet gick inte att skapa som PDF med den här texten. Kontrollera att "
                    "texten inte hänvisar till bilder, filer eller webbadresser.")) from None
    return preview


def save_template(kind: LetterKind | str, texts: dict[str, str], actor: Any) -> LetterTemplate:
    """Check ``texts`` (sandbox, allowlist, sample render) and store them as a new version."""
    kind = LetterKind(kind)
    preview_template(kind, texts)
    latest = current_template(kind)
    template = LetterTemplate(kind=kind, version=latest.version + 1,
                              subject_sv=texts["subject_sv"], body_sv=texts["body_sv"],
                              subject_en=texts["subject_en"], body_en=texts["body_en"],
                              created_at=utcnow(), created_by_id=getattr(actor, "id", None))
    db.session.add(template)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise LetterError(_("Någon annan sparade mallen samtidigt. Läs in sidan igen och "
                            "gör din ändring på nytt.")) from None
    audit.record("letter_template.saved", object_type="letter_templates", object_id=template.id,
                 actor=actor, kind=kind.value, version=template.version)
    return template


# --- issuing -------------------------------------------------------------------------------------

def existing_letter(case: Case, kind: LetterKind, decision_ref: str) -> Letter | None:
    return db.session.scalar(select(Letter).where(
        Letter.case_id == case.id, Letter.kind == kind, Letter.decision_ref == decision_ref))


def _decision_ref(case: Case) -> str:
    row = decision_row(case)
    if row is None:
        raise LetterError(_("Ärendet har inget beslut att skriva brev om."))
    return f"h{row.id}"


def issue_letter(case: Case, kind: LetterKind | str, *, actor: Any = None,
                 language: str = "sv") -> Letter:
    """Render, store and e-mail ``kind``'s letter for the decided ``case``.

    Runs inside the decision's transaction (flush only): the letter row, its PDF and the
    outbox message commit together with the decision, or not at all; the mail leaves after the
    commit. One letter per case, kind and decision: called again for the same decision it
    returns the existing letter and sends nothing.
    """
    kind = LetterKind(kind)
    spec = spec_for(kind)
    if case.case_type != spec.case_type:
        raise LetterError(f"a {kind.value} letter is for {spec.case_type} cases, "
                          f"not {case.case_type}")
    if kind_for_case(case) != kind:
        raise LetterError(_("Ärendet har inte det beslut som brevet gäller (status ”%(state)s”).",
                            state=case.state_enum.label))
    ref = _decision_ref(case)
    letter = existing_letter(case, kind, ref)
    if letter is not None:
        return letter
    template = current_template(kind)
    context = build_context(case, kind, template, language=language)
    html = rendering.render_html(context)
    pdf = rendering.render_pdf(context, html=html)
    number = (case.number or str(case.id)).replace(" ", "-").replace("/", "-")
    letter = Letter(
        case_id=case.id, association_id=case.association_id, kind=kind, decision_ref=ref,
        language=language, template_id=template.id, template_version=template.version,
        title=context["title"], filename=f"beslut-{number}-{kind.value}.pdf"[:120],
        context=context, pdf=pdf, sha256=rendering.sha256(pdf), size=len(pdf),
        recipients=recipients_for(case), created_at=utcnow(),
        created_by_id=getattr(actor, "id", None))
    db.session.add(letter)
    db.session.flush()
    audit.record("letter.issued", object_type="cases", object_id=case.id, actor=actor,
                 letter_id=letter.id, kind=kind.value, sha256=letter.sha256,
                 template_version=template.version)
    dispatch(letter, actor=actor)
    return letter


def issue_decision(case: Case, decision: str) -> Letter:
    """The register's hook: ``decision`` is a kind name (``registration_approved`` …)."""
    if decision not in DECISIONS:
        raise LetterError(f"no letter kind for the decision {decision!r}")
    row = decision_row(case)
    return issue_letter(case, DECISIONS[decision], actor=row.actor if row else None)


def _mail_context(letter: Letter) -> dict[str, Any]:
    from lokapp.auth.services import absolute_url

    context = letter.context
    return {
        "name": context["applicant"]["name"] or context["association"]["name"],
        "title": letter.title,
        "number": context["case"]["number"],
        "association": context["association"]["name"],
        "body_html": context["body_html"],
        "body_text": sandbox.html_to_text(context["body_html"]),
        "reasons": context["decision"]["reasons"],
        "note": context["decision"]["note"],
        "case_url": context["case"]["url"],
        "letter_url": absolute_url("letters.show", letter_id=letter.id),
        "filename": letter.filename,
        "officer": context["officer"],
        "authority": context["authority"],
    }


def dispatch(letter: Letter, *, actor: Any = None, is_resend: bool = False
             ) -> LetterDispatch | None:
    """Queue the stored PDF by e-mail to the letter's recipients (None when it has none)."""
    if not letter.recipients:
        log.warning("Letter %s has no e-mail recipient; it is kept on the case only", letter.id)
        return None
    message = queue_mail(
        to=letter.recipients, subject=letter.title, template="mail/letter_decision",
        context=_mail_context(letter), locale=letter.language,
        attachments=[(letter.filename, "application/pdf", letter.pdf)],
        related=("cases", letter.case_id))
    now = utcnow()
    sending = LetterDispatch(letter_id=letter.id, outbox_message_id=message.id,
                             recipients=list(letter.recipients), queued_at=now,
                             actor_id=getattr(actor, "id", None), is_resend=is_resend)
    db.session.add(sending)
    if letter.sent_at is None:
        letter.sent_at = now
    db.session.flush()
    return sending


def resend(letter: Letter, actor: Any) -> LetterDispatch:
    """Send the same letter again – the stored bytes, never a new rendering."""
    if not letter.recipients:
        raise LetterError(_("Brevet har ingen e-postadress att skicka till."))
    sending = dispatch(letter, actor=actor, is_resend=True)
    audit.record("letter.resent", object_type="cases", object_id=letter.case_id, actor=actor,
                 letter_id=letter.id, sha256=letter.sha256)
    return sending


# --- batches -------------------------------------------------------------------------------------

KIND_BY_STATE = {(spec.case_type, "approved" if spec.outcome != "rejected" else "rejected"):
                 kind for kind, spec in KINDS.items() if spec.is_state_decision}
# Case types whose letter kind is not given by the state alone: case → kind (or None).
KIND_FINDERS: dict[str, Callable[[Case], LetterKind | None]] = {}


def kind_for_case(case: Case) -> LetterKind | None:
    """The letter kind for a decided case's current state (None if it has none)."""
    finder = KIND_FINDERS.get(case.case_type)
    if finder is not None:
        return finder(case)
    return KIND_BY_STATE.get((case.case_type, case.state))


def register_case_type(case_type: str, *, kinds_by_state: dict[str, LetterKind] | None = None,
                       extras: Callable[[Case], dict[str, Any]] | None = None,
                       case_url: Callable[[Case], str] | None = None,
                       kind_for: Callable[[Case], LetterKind | None] | None = None,
                       appeal: str | None = None, delegation: str | None = None,
                       rules: list[str] | None = None, staff_area: str | None = None) -> None:
    """How the letters module serves a domain's case type; called once by the domain.

    ``kinds_by_state``  decided state → the letter kind (also what the batch looks for)
    ``extras``          case → extra context (decision lines as ``changes``, a different
                        ``appeal`` or ``decision`` …), merged over the built context
    ``case_url``        case → the absolute address of the case's page
    ``kind_for``        case → kind, when the state alone does not tell (e.g. by the action
                        of the latest history row)
    ``appeal``, ``delegation``, ``rules``  defaults for this case type; the configuration
                        (``LETTER_APPEAL_ROUTES`` …) still wins where it names the case type
    ``staff_area``      the officers' area that reads and resends the case type's letters
    """
    from lokapp.letters import context
    from lokapp.letters.permissions import CASE_AREAS

    if appeal is not None and appeal not in context.APPEAL_ROUTES:
        raise ValueError(f"unknown appeal route {appeal!r}")
    for state, kind in (kinds_by_state or {}).items():
        KIND_BY_STATE[(case_type, str(state))] = LetterKind(kind)
    if extras is not None:
        context.EXTRAS[case_type] = extras
    if case_url is not None:
        context.CASE_URLS[case_type] = case_url
    if kind_for is not None:
        KIND_FINDERS[case_type] = kind_for
    defaults = {key: value for key, value in (("appeal", appeal), ("delegation", delegation),
                                              ("rules", rules)) if value is not None}
    context.CASE_TYPE_DEFAULTS.setdefault(case_type, {}).update(defaults)
    if staff_area is not None:
        CASE_AREAS[case_type] = str(staff_area)


def cases_without_letter(case_types: Iterable[str] | None = None):
    """Decided cases of the kinds above that have no letter for their decision yet."""
    has_letter = select(Letter.id).where(Letter.case_id == Case.id).exists()
    pairs = [(t, s) for (t, s) in KIND_BY_STATE
             if case_types is None or t in set(case_types)]
    conditions = [(Case.case_type == t) & (Case.state == s) for t, s in pairs]
    from sqlalchemy import or_

    return (select(Case).where(or_(*conditions), Case.number.is_not(None), ~has_letter)
            .order_by(Case.decided_at, Case.id))


def create_batch(case_ids: Iterable[int], actor: Any) -> LetterBatch:
    ids = sorted(set(case_ids))
    if not ids:
        raise LetterError(_("Välj minst ett ärende."))
    batch = LetterBatch(state=BatchState.QUEUED, total=len(ids), created_at=utcnow(),
                        created_by_id=getattr(actor, "id", None))
    db.session.add(batch)
    db.session.flush()
    db.session.execute(_insert(LetterBatchItem), [
        {"batch_id": batch.id, "case_id": case_id, "state": BatchItemState.PENDING.value}
        for case_id in ids])
    audit.record("letter_batch.created", object_type="letter_batches", object_id=batch.id,
                 actor=actor, total=len(ids))
    db.session.flush()
    return batch


def batch_counts(batch_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(LetterBatchItem.state, func.count()).where(LetterBatchItem.batch_id == batch_id)
        .group_by(LetterBatchItem.state)).all()
    counts = {state.value: 0 for state in BatchItemState}
    counts.update({str(state): n for state, n in rows})
    return counts


def run_batch(batch_id: int, *, limit: int | None = None, on_item=None) -> dict[str, int]:
    """Work through the batch's pending items, one committed transaction per item.

    Resumable: a stopped run leaves the rest ``pending`` and the next run continues. Never
    twice: an item is claimed with ``UPDATE … WHERE state = 'pending'``, and a case whose
    decision already has a letter is marked ``skipped`` (the letter's unique constraint makes
    even two concurrent runs safe: the loser rolls back its item). Commits – meant for the
    CLI / a worker, never inside a request.
    """
    db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id)
                       .values(state=BatchState.RUNNING, started_at=func.coalesce(
                           LetterBatch.started_at, utcnow())))
    db.session.commit()
    done = 0
    while limit is None or done < limit:
        item_id = db.session.scalar(
            select(LetterBatchItem.id).where(LetterBatchItem.batch_id == batch_id,
                                             LetterBatchItem.state == BatchItemState.PENDING)
            .order_by(LetterBatchItem.id).limit(1))
        if item_id is None:
            break
        _run_item(item_id)
        done += 1
        if on_item is not None:
            on_item(done)
    counts = batch_counts(batch_id)
    if counts[BatchItemState.PENDING.value] == 0:
        db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id)
                           .values(state=BatchState.FINISHED, finished_at=utcnow()))
        db.session.commit()
    return counts


def _run_item(item_id: int) -> None:
    claimed = db.session.execute(
        update(LetterBatchItem).where(LetterBatchItem.id == item_id,
                                      LetterBatchItem.state == BatchItemState.PENDING)
        .values(processed_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        return
    item = db.session.get(LetterBatchItem, item_id)
    case = db.session.get(Case, item.case_id)
    state, letter_id, error = BatchItemState.FAILED, None, None
    try:
        with db.session.begin_nested():
            kind = kind_for_case(case)
            if kind is None:
                raise LetterError(_("Ärendet har inget beslut som det finns brevmall för."))
            ref = _decision_ref(case)
            existing = existing_letter(case, kind, ref)
            if existing is not None:
                state, letter_id = BatchItemState.SKIPPED, existing.id
            else:
                row = decision_row(case)
                letter = issue_letter(case, kind, actor=row.actor if row else None)
                state, letter_id = BatchItemState.ISSUED, letter.id
    except IntegrityError:
        state, error = BatchItemState.SKIPPED, "issued concurrently by another run"
    except (LetterError, UnlawfulLetter, TemplateProblem, rendering.LetterRenderError) as exc:
        error = str(exc)[:2000]
    item = db.session.get(LetterBatchItem, item_id)
    item.state, item.letter_id, item.error = state, letter_id, error
    db.session.commit()


def failed_items(batch_id: int):
    return (select(LetterBatchItem).where(LetterBatchItem.batch_id == batch_id,
                                          LetterBatchItem.state == BatchItemState.FAILED)
            .order_by(LetterBatchItem.id))
