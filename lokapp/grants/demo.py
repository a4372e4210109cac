"""Demo grant applications for development: ``flask lok demo`` runs :func:`load_demo_grants`.

About twenty applications from the demo associations that have a chair's demo account (the
associations that sign the LÖK; Bäckby Kulturförening through ``forening@demo.lokapp.se``), so
the officer's queue, the case pages, payouts, follow-up reports and the public lists of
granted applications (``/bidrag/<key>/beviljade/<year>``) have something to show:

- drafts, submitted applications nobody has taken, applications in review by the demo officer
  ``handlaggare@demo.lokapp.se`` (delegation 50 000 kr) – with scores, an internal note and a
  message with the association's reply – one waiting for completion (with a deadline), one
  withdrawn;
- a large aktivitetsstöd above the officer's delegation, proposed and waiting for the
  supervisor ``chef@demo.lokapp.se`` (four-eyes);
- decisions – approved, partly approved and rejected with reasons – each with its decision
  letter (PDF) in the outbox, payout lines (some exported to finance, one paid, one stopped
  because the association's bank details are not checked) and a follow-up report sent in and
  waiting for the officer.

Everything goes through the services the pages use (:mod:`.services`, :mod:`.formulas`,
:mod:`.participants`, :mod:`.scoring`, :mod:`.payouts`, :mod:`.follow_up`, the casework
notes and messages, the letters), so the same rules hold: eligibility, windows, delegation,
the budget pot, mail. The times are today's – the services stamp submissions and decisions
with the current time – so every demo case was submitted and decided on the day the demo ran.

What the services need first, done the way the people responsible would do it:

- *Bidragsberättigad*: the applying associations upload their statutes and this year's
  documents through the register's service (``upload_document``), so the status rule makes
  them eligible; Kvinnors Nätverk Mälardalen does not, so its draft shows what is missing.
- *Checked bank details*: the payout lines that are exported or paid belong to associations
  whose bankgiro the register has checked (``bank_details_verified_at``, set here as a
  registration would have it; the register's own path is a change-of-payment case).
- *Budget*: a programme without a pot for this year gets one from the demo administrator
  (``set_budget``), as after New Year.
- *Window*: projektbidrag has dated application windows. When today is outside the window the
  demo administrator extends it through the programme service (``save_programme``, audited),
  so the demo's project applications can be submitted on any day of the year. The other
  programmes used for submitted applications are open all year.

Idempotent: an application is made only if its association has none to that programme (one
query for all), so a second run creates nothing. Each application is made in a savepoint; one
that a rule refuses is left out with a line saying why, and the others are still made.
"""
from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from lokapp.associations.demo import REPRESENTATIVE_ASSOCIATION, REPRESENTATIVE_EMAIL, _slug
from lokapp.associations.models import Association, DocumentType
from lokapp.associations.status import compute_status
from lokapp.auth.demo import demo_step
from lokapp.auth.models import User
from lokapp.core import audit
from lokapp.core.time import today_local, utcnow
from lokapp.extensions import db
from lokapp.grants import follow_up, formulas, participants, payouts, scoring, services
from lokapp.grants.models import (
    BudgetLineKind,
    GrantApplication,
    GrantBudget,
    GrantPayout,
    GrantProgramme,
    Outcome,
    PayoutState,
    QuestionKind,
    WindowKind,
)

OFFICER_EMAIL = "handlaggare@demo.lokapp.se"
SUPERVISOR_EMAIL = "chef@demo.lokapp.se"
ADMIN_EMAIL = "admin@demo.lokapp.se"
# Not made eligible: its draft shows the register's list of what is missing.
NOT_ELIGIBLE = "Kvinnors Nätverk Mälardalen"

COST, INCOME = BudgetLineKind.COST, BudgetLineKind.INCOME


# --- a small, valid PDF ---------------------------------------------------------------------

def demo_pdf(title: str, text: str) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi) with a title and a few lines – valid enough for
    every viewer, small enough to make by the dozen."""
    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > 80:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    body = ("BT /F1 16 Tf 56 780 Td 22 TL (" + escape(title) + ") Tj T* /F1 11 Tf 15 TL "
            + " ".join(f"({escape(x)}) Tj T*" for x in lines) + " ET")
    content = body.encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _upload(filename: str, title: str, text: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(demo_pdf(title, text)), filename=filename,
                       content_type="application/pdf")


# --- the people and what the rules need first ----------------------------------------------

@dataclass
class Context:
    today: date
    officer: User
    supervisor: User
    admin: User
    programmes: dict[str, GrantProgramme]
    associations: dict[str, Association]
    lines: list[str] = field(default_factory=list)
    to_export: list[GrantPayout] = field(default_factory=list)
    to_pay: list[GrantPayout] = field(default_factory=list)

    def applicant(self, association: Association) -> User | None:
        email = REPRESENTATIVE_EMAIL if association.name == REPRESENTATIVE_ASSOCIATION \
            else f"ordforande.{_slug(association.name)}@demo.lokapp.se"[:254]
        return db.session.scalar(User.select_by_email(email))


def _make_eligible(association: Association, user: User, today: date) -> None:
    """Upload the statutes and this year's documents the status rule asks for (the register's
    service, as the association would); nothing if it is eligible already."""
    from lokapp.associations.services import upload_document

    status = compute_status(association, today)
    if status.is_eligible:
        return
    texts = {
        DocumentType.STATUTES: "Stadgar antagna vid årsmötet. Föreningen är partipolitiskt "
                               "och religiöst obunden och öppen för alla som delar dess syfte.",
        DocumentType.ANNUAL_MEETING_MINUTES: "Protokoll från årsmötet: val av styrelse, "
                                             "revisorer och valberedning.",
        DocumentType.ACTIVITY_REPORT: "Verksamhetsberättelse: träffar, kurser och "
                                      "arrangemang under året.",
        DocumentType.FINANCIAL_REPORT: "Ekonomisk berättelse med resultat- och "
                                       "balansräkning.",
        DocumentType.AUDIT_REPORT: "Revisionsberättelse: revisorerna tillstyrker "
                                   "ansvarsfrihet för styrelsen.",
    }
    year = today.year
    have = {(d.doc_type, d.year) for d in association.documents}
    for doc_type, text in texts.items():
        if (doc_type, year) in have:
            continue
        upload_document(association, doc_type, year,
                        _upload(f"{doc_type.value}-{year}.pdf",
                                f"{association.name} – {doc_type.label}", text), user)


def _verify_bank_details(association: Association) -> None:
    """The bankgiro counts as checked (as at registration), so its payouts can be exported."""
    if association.bank_details_verified_at is None and association.bankgiro:
        association.bank_details_verified_at = utcnow()
        db.session.flush()
        audit.record("register.demo_bank_details_checked", association,
                     bankgiro=association.bankgiro)


def _ensure_budget(programme: GrantProgramme, ctx: Context) -> None:
    """This year's pot, as the administrator sets it after New Year (the latest pot's size)."""
    if not programme.is_monetary:
        return
    year = ctx.today.year
    budgets = {b.year: b for b in db.session.scalars(
        select(GrantBudget).where(GrantBudget.programme_id == programme.id))}
    if year in budgets:
        return
    latest = budgets[max(budgets)].amount_sek if budgets else 1_000_000
    services.set_budget(programme, year, latest, ctx.admin)
    ctx.lines.append(f"bidrag: budget {year} för {programme.name_sv} lagd in av administratören")


def _ensure_open(programme: GrantProgramme, ctx: Context) -> None:
    """Extend a dated window that does not cover today (the administrator's programme
    service, audited): from at most today (not before New Year) to at least 30 days ahead."""
    today = ctx.today
    if programme.is_open_on(today) or programme.window_kind != WindowKind.DATES:
        return
    opens = max(min(programme.opens_on or today, today), date(today.year, 1, 1))
    closes = max(programme.closes_on or today, today + timedelta(days=30))
    # The programme as it is (every column the administrator's form edits), new dates.
    data = services.ProgrammeData(
        **{name: getattr(programme, name) for name in services._COLUMNS},
        category_ids=[c.id for c in programme.categories])
    data.opens_on, data.closes_on = opens, closes
    services.save_programme(programme, data, ctx.admin)
    ctx.lines.append(f"bidrag: ansökningstiden för {programme.name_sv} förlängd till "
                     f"{closes.isoformat()} (demo)")


# --- how applications are filled in ---------------------------------------------------------

def _answers(application: GrantApplication, values: dict[str, str], user: User) -> None:
    """Answer the programme's questions by their Swedish label."""
    by_label = {q.label_sv: q for q in application.programme.questions
                if q.kind != QuestionKind.FILE}
    services.save_answers(application, {by_label[label].id: value
                                        for label, value in values.items()
                                        if label in by_label}, user)


def _file_questions(application: GrantApplication, user: User, text: str) -> None:
    for question in application.programme.questions:
        if question.kind == QuestionKind.FILE:
            services.attach(application, _upload(f"{_slug(question.label_sv)}.pdf",
                                                 question.label_sv, text),
                            label=question.label_sv, user=user, question_id=question.id)


def _required_attachments(application: GrantApplication, user: User, text: str) -> None:
    for label in application.programme.required_attachments or []:
        services.attach(application, _upload(f"{_slug(label)}.pdf", label, text), label=label,
                        user=user)


def _budget(application: GrantApplication, lines: list[tuple[BudgetLineKind, str, int]],
            own: int, user: User) -> None:
    services.save_budget(application, lines=[services.BudgetLineData(k, d, a)
                                             for k, d, a in lines],
                         own_contribution_sek=own, requested_sek=None, user=user)


def _participants(application: GrantApplication, counts: dict[tuple[str, str], int],
                  user: User) -> None:
    participants.save_participants(application, counts, user)


def last_half_year(today: date) -> tuple[date, date]:
    """The last half year that has ended: spring (Jan–Jun) from July, else last autumn."""
    if today.month >= 7:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year - 1, 7, 1), date(today.year - 1, 12, 31)


def _occasions(today: date, groups: list[tuple[str, int, int, int]], seed: str
               ) -> tuple[date, date, list[formulas.Occasion]]:
    """Weekly occasions of each group (activity, weekday, usual participants, leaders) over
    the last half year, except the summer and Christmas breaks."""
    start, end = last_half_year(today)
    rng = random.Random(seed)
    rows = []
    for activity, weekday, usual, leaders in groups:
        day = start + timedelta(days=(weekday - start.weekday()) % 7)
        while day <= end:
            if not (day.month == 6 and day.day > 20) and not (day.month == 12 and day.day > 20):
                rows.append(formulas.Occasion(day, activity,
                                              max(usual + rng.randint(-3, 3), 0), leaders))
            day += timedelta(days=7)
    rows.sort(key=lambda o: (o.occurred_on, o.activity))
    return start, end, rows


# --- the applications ----------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    association: str
    programme: str
    fill: Callable[[GrantApplication, User, Context], None]
    # What happens after the draft is filled in: see _STEPS.
    steps: tuple[str, ...] = ()
    eligible: bool = True


def _project(name: str, purpose: str, costs: list[tuple[str, int]], income: list[tuple[str, int]],
             own: int, counts: dict[tuple[str, str], int], cooperates: bool = True,
             months: int = 10) -> Callable[[GrantApplication, User, Context], None]:
    def fill(application: GrantApplication, user: User, ctx: Context) -> None:
        starts = ctx.today + timedelta(days=45)
        _answers(application, {
            "Projektets namn": name, "Syfte och mål": purpose,
            "Startdatum": starts.isoformat(),
            "Slutdatum": (starts + timedelta(days=30 * months)).isoformat(),
            "Samverkar ni med andra föreningar?": "Ja" if cooperates else "Nej"}, user)
        _participants(application, counts, user)
        _budget(application, [(COST, d, a) for d, a in costs] + [(INCOME, d, a)
                                                                  for d, a in income],
                own, user)
        _required_attachments(application, user, f"Projektplan för {name}. {purpose}")
    return fill


def _event(name: str, days_ahead: int, visitors: int, costs: list[tuple[str, int]],
           income: list[tuple[str, int]], own: int, counts: dict[tuple[str, str], int]
           ) -> Callable[[GrantApplication, User, Context], None]:
    def fill(application: GrantApplication, user: User, ctx: Context) -> None:
        _answers(application, {
            "Arrangemangets namn": name,
            "Datum för arrangemanget": (ctx.today + timedelta(days=days_ahead)).isoformat(),
            "Väntat antal besökare": str(visitors)}, user)
        _participants(application, counts, user)
        _budget(application, [(COST, d, a) for d, a in costs] + [(INCOME, d, a)
                                                                  for d, a in income],
                own, user)
    return fill


def _activity(groups: list[tuple[str, int, int, int]], seed: str
              ) -> Callable[[GrantApplication, User, Context], None]:
    def fill(application: GrantApplication, user: User, ctx: Context) -> None:
        start, end, rows = _occasions(ctx.today, groups, seed)
        formulas.save_occasions(application, period_start=start, period_end=end,
                                occasions=rows, user=user)
        _file_questions(application, user, "Närvarolistor för perioden "
                                           f"{start.isoformat()}–{end.isoformat()}, "
                                           "signerade av ledarna.")
    return fill


def _rent(premises: list[formulas.Premises], activity: str
          ) -> Callable[[GrantApplication, User, Context], None]:
    def fill(application: GrantApplication, user: User, ctx: Context) -> None:
        formulas.save_premises(application, premises=premises, user=user)
        for _value, label in formulas.attachment_choices(application):
            services.attach(application, _upload(f"{_slug(label)}.pdf", label,
                                                 "Hyreskontrakt, undertecknat av båda parter."),
                            label=label, user=user)
        _answers(application, {"Beskriv verksamheten för barn och unga i lokalerna": activity},
                 user)
    return fill


def _external(funder: str, idea: str, days_ahead: int | None
              ) -> Callable[[GrantApplication, User, Context], None]:
    def fill(application: GrantApplication, user: User, ctx: Context) -> None:
        values = {"Vilken finansiär vill ni söka hos?": funder, "Beskriv projektidén": idea}
        if days_ahead is not None:
            values["När är finansiärens sista ansökningsdag?"] = \
                (ctx.today + timedelta(days=days_ahead)).isoformat()
        _answers(application, values, user)
    return fill


YOUTH = {("7-12", "woman"): 14, ("7-12", "man"): 12, ("13-20", "woman"): 18,
         ("13-20", "man"): 15, ("13-20", "other"): 1, ("26-64", "woman"): 4,
         ("26-64", "man"): 3}
EVERYONE = {("0-6", "woman"): 20, ("0-6", "man"): 20, ("7-12", "woman"): 35,
            ("7-12", "man"): 35, ("13-20", "woman"): 40, ("13-20", "man"): 40,
            ("26-64", "woman"): 120, ("26-64", "man"): 100, ("65+", "woman"): 40,
            ("65+", "man"): 30}
SENIORS = {("65+", "woman"): 28, ("65+", "man"): 17, ("26-64", "woman"): 3}

SPECS: tuple[Spec, ...] = (
    # Bäckby Kulturförening – the demo representative's own cases, in four states.
    Spec(REPRESENTATIVE_ASSOCIATION, "projektbidrag", _project(
        "Läxhjälp och kulturkvällar i Bäckby",
        "Vi vill ge barn och unga i Bäckby läxhjälp två kvällar i veckan och en kulturkväll "
        "i månaden där de själva står på scen. Projektet görs tillsammans med Somaliska "
        "föräldraföreningen och biblioteket, så att fler familjer hittar till föreningslivet.",
        [("Arvoden till läxhjälpare", 48_000), ("Hyra av samlingssal", 18_000),
         ("Material och fika", 12_000), ("Ljud och scen till kulturkvällarna", 15_000)],
        [("Deltagaravgifter kulturkvällar", 5_000)], 8_000, YOUTH),
        ("submit", "assign", "score", "message", "note")),
    Spec(REPRESENTATIVE_ASSOCIATION, "aktivitetsstod", _activity(
        [("Läxhjälp", 1, 11, 2), ("Musikgrupp för unga", 3, 8, 1),
         ("Syjunta för unga", 5, 2, 1)], "backby"),
        ("submit", "assign", "approve", "export", "pay")),
    Spec(REPRESENTATIVE_ASSOCIATION, "arrangemangsbidrag", _event(
        "Kulturfest på Bäckby torg", 70, 600,
        [("Scen, ljud och tält", 14_000), ("Artister", 9_000)], [], 2_000, EVERYONE)),
    Spec(REPRESENTATIVE_ASSOCIATION, "extern-projektansokan", _external(
        "Arvsfonden",
        "En mötesplats för unga mellan 13 och 20 år i Bäckby under tre år, med musikstudio "
        "och läxhjälp. Vi behöver hjälp med budgeten och med att beskriva hur ungdomarna är "
        "med och bestämmer.", 75), ("submit",)),
    # Large and small aktivitetsstöd: a proposal for the supervisor, one waiting, decisions.
    Spec("Västerås Simsällskap", "aktivitetsstod", _activity(
        [("Simskola nybörjare", 0, 24, 3), ("Simskola fortsättning", 1, 22, 2),
         ("Tävlingsgrupp 10–12 år", 1, 18, 2), ("Tävlingsgrupp 13–16 år", 2, 20, 2),
         ("Simskola nybörjare", 2, 24, 3), ("Vattenpolo ungdom", 3, 16, 2),
         ("Simskola fortsättning", 3, 22, 2), ("Crawlkurs ungdom", 4, 18, 2),
         ("Tävlingsgrupp 13–16 år", 4, 20, 2), ("Simskola 7–9 år", 5, 22, 2),
         ("Livräddning för unga", 5, 14, 2), ("Tävlingsgrupp 10–12 år", 6, 18, 2),
         ("Simhopp ungdom", 6, 12, 1), ("Simskola 7–9 år", 0, 22, 2)], "simsallskap"),
        ("submit", "assign", "propose")),
    Spec("Fotbollsklubben Vallby United", "aktivitetsstod", _activity(
        [("Fotboll flickor 8–10 år", 0, 14, 2), ("Fotboll pojkar 8–10 år", 1, 16, 2),
         ("Fotboll flickor 11–13 år", 2, 13, 2), ("Fotboll pojkar 11–13 år", 3, 15, 2)],
        "vallby"), ("submit",)),
    Spec("Ungdomens Hus Bjurhovda", "aktivitetsstod", _activity(
        [("Musikstudio", 1, 9, 1), ("Läxhjälp", 3, 12, 2)], "bjurhovda"),
        ("submit", "assign", "partial")),
    # Lokalbidrag by the formula, a draft (the window is in the autumn): the city's own hall
    # does not count.
    Spec("Ungdomens Hus Bjurhovda", "lokalbidrag", _rent(
        [formulas.Premises("Källarlokalen Bjurhovda", "Bjurhovdagatan 12, Västerås", 96_000),
         formulas.Premises("Fritidsgårdens sal", "Bjurhovda torg 3, Västerås", 18_000,
                           is_municipal=True)],
        "Musikstudio, e-sport och läxhjälp fem kvällar i veckan för unga mellan 13 och 20 "
        "år. Lokalen är öppen för alla och gratis.")),
    Spec("Islamiska församlingen Al-Salam", "aktivitetsstod", _activity(
        [("Fotboll för tjejer", 2, 12, 2), ("Samtalsgrupp för unga", 4, 9, 1)], "alsalam"),
        ("submit", "assign", "approve")),
    # Project grants: scored, completion, decided, waiting.
    Spec("Somaliska föräldraföreningen i Västerås", "projektbidrag", _project(
        "Föräldrar i skolan",
        "Föräldrar som är nya i Sverige får lära sig hur skolan fungerar, träffa lärare och "
        "andra föräldrar och stötta sina barns skolgång. Träffarna hålls på somaliska och "
        "svenska.", [("Arvoden till samtalsledare", 36_000), ("Tolk", 14_000),
                     ("Lokalhyra", 9_000), ("Fika och barnpassning", 8_000)],
        [], 5_000, {("26-64", "woman"): 30, ("26-64", "man"): 14, ("7-12", "woman"): 10,
                    ("7-12", "man"): 12}),
        ("submit", "assign", "completion")),
    Spec("Sverigefinska föreningen i Västerås", "projektbidrag", _project(
        "Finska språkbad för barn",
        "Lördagsträffar där barn och föräldrar leker, sjunger och lagar mat på finska, så "
        "att minoritetsspråket lever vidare i nästa generation.",
        [("Ledararvoden", 26_000), ("Lokalhyra", 12_000), ("Material och mat", 9_000)],
        [("Bidrag från Sverigefinländarnas delegation", 4_000)], 3_000,
        {("0-6", "woman"): 8, ("0-6", "man"): 7, ("7-12", "woman"): 10, ("7-12", "man"): 9,
         ("26-64", "woman"): 14, ("26-64", "man"): 6}),
        ("submit", "assign", "approve", "export")),
    Spec("Folkbildningsföreningen Ljuset", "projektbidrag", _project(
        "Digital vardag för nyanlända",
        "Studiecirklar där vuxna som är nya i Sverige lär sig e-legitimation, 1177, "
        "skolans lärplattform och att söka jobb på nätet, med stöd på arabiska, dari och "
        "svenska.", [("Cirkelledare", 30_000), ("Datorer att låna", 16_000),
                     ("Lokal och fika", 6_000)], [], 4_000,
        {("26-64", "woman"): 28, ("26-64", "man"): 22, ("65+", "woman"): 4}),
        ("submit",)),
    Spec("Funktionsrättsföreningen Tillsammans", "projektbidrag", _project(
        "Tillgängliga föreningar",
        "Vi går igenom tio föreningars lokaler och webbplatser tillsammans med personer med "
        "olika funktionsnedsättningar och ger råd om hur fler kan vara med.",
        [("Arvoden till granskare", 28_000), ("Resor och färdtjänst", 6_000),
         ("Tryck av checklista i lättläst och punktskrift", 9_000)], [], 3_000,
        {("26-64", "woman"): 12, ("26-64", "man"): 10, ("13-20", "woman"): 3,
         ("65+", "man"): 4}),
        ("submit", "assign", "score")),
    Spec(NOT_ELIGIBLE, "projektbidrag", _project(
        "Cykelkurs för kvinnor",
        "Kvinnor som aldrig har cyklat får lära sig cykla och hitta säkra cykelvägar till "
        "jobb, skola och fritid.", [("Cyklar och hjälmar", 22_000), ("Instruktörer", 18_000)],
        [], 2_000, {("26-64", "woman"): 40}), (), eligible=False),
    # Event grants: decided three ways, a report sent in, one withdrawn.
    Spec("Syrianska kulturföreningen i Västerås", "arrangemangsbidrag", _event(
        "Syrisk kulturdag i Vasaparken", -14, 1500,
        [("Scen och ljud", 12_000), ("Artister och dansgrupper", 10_000),
         ("Tillstånd och städning", 3_000)], [("Försäljning av mat", 4_000)], 3_000,
        EVERYONE), ("submit", "assign", "approve", "export", "report")),
    Spec("Eritreanska föreningen Västerås", "arrangemangsbidrag", _event(
        "Fotbollsturnering för unga i Råby", 60, 400,
        [("Planhyra och domare", 9_000), ("Priser och tröjor", 14_000),
         ("Mat till lagen", 9_000)], [], 2_000, YOUTH),
        ("submit", "assign", "partial")),
    Spec("PRO Skultuna", "arrangemangsbidrag", _event(
        "Medlemsresa till Astrid Lindgrens Värld", 50, 45,
        [("Buss", 8_000), ("Entréer", 6_000)], [], 2_000, SENIORS),
        ("submit", "assign", "reject")),
    Spec("Frikyrkoförsamlingen Källan", "arrangemangsbidrag", _event(
        "Loppis och familjedag", 40, 300, [("Hyra av tält", 4_000), ("Ansiktsmålning", 2_000)],
        [], 1_000, EVERYONE), ("submit", "withdraw")),
    # Help with external funding: in review with a note.
    Spec("Irsta Hembygdsförening", "extern-projektansokan", _external(
        "Länsstyrelsen Västmanland (landsbygdsprogrammet)",
        "Vi vill rusta upp hembygdsgårdens loge till en tillgänglig samlingslokal för hela "
        "Irsta, med ramp och toalett för rullstol.", 40),
        ("submit", "assign", "note")),
)


# --- what happens after the draft -------------------------------------------------------------

def _step(name: str, application: GrantApplication, user: User, ctx: Context) -> None:
    officer = ctx.officer
    case = application.case
    if name == "submit":
        services.submit_application(application, user)
    elif name == "withdraw":
        services.withdraw_application(application, user)
    elif name == "assign":
        services.assign_to_me(application, officer)
    elif name == "completion":
        services.request_completion(
            application, officer, deadline=ctx.today + timedelta(days=14),
            message="Budgeten saknar en uppskattning av hur många träffar tolken behövs på. "
                    "Skriv också vilken skola ni samarbetar med och bifoga en bekräftelse "
                    "från skolan om att ni får vara där.")
    elif name == "score":
        criteria = application.programme.active_criteria
        comments = ["Samarbetar med biblioteket och en annan förening.",
                    "Når barn och familjer som sällan är med i föreningslivet.", "",
                    "Öppet för alla, flera språk.", "Rimlig budget med egen insats."]
        for officer_, shift in ((officer, 0), (ctx.supervisor, -1)):
            scoring.save_scores(application, officer_, {
                c.id: scoring.ScoreInput(max(min(c.max_score - 1 - (i % 2) + shift,
                                                 c.max_score), 0),
                                         comments[i % len(comments)] if shift == 0 else "")
                for i, c in enumerate(criteria)})
    elif name == "message":
        from lokapp.casework.services import reply, send_message

        send_message(case, officer, "Hej! Tack för ansökan. Kan ni berätta hur många "
                                    "läxhjälpare ni räknar med och om de får arvode per "
                                    "kväll eller per termin?")
        reply(case, user, "Hej Hugo! Vi räknar med fyra läxhjälpare, två per kväll. De får "
                          "arvode per kväll, 300 kronor, enligt vår arvodespolicy. Hälsningar "
                          "Fatima")
    elif name == "note":
        from lokapp.casework.services import add_note

        add_note(case, officer, "Stämt av med kultur- och fritidsförvaltningen: inga andra "
                                "ansökningar från föreningen om samma verksamhet i år.")
    elif name in ("approve", "partial", "reject", "propose"):
        _decide(name, application, ctx)
    elif name == "export":
        payout = _payout(application)
        if payout is not None:
            _verify_bank_details(application.association)
            ctx.to_export.append(payout)
    elif name == "pay":
        payout = _payout(application)
        if payout is not None:
            ctx.to_pay.append(payout)
    elif name == "report":
        _report(application, user, ctx)
    else:  # pragma: no cover - a typo in SPECS
        raise ValueError(name)


def _payout(application: GrantApplication) -> GrantPayout | None:
    return db.session.scalar(select(GrantPayout).where(
        GrantPayout.application_id == application.id))


REASONS = {
    "partial": {
        "aktivitetsstod": "Närvarolistorna för sex av sammankomsterna i musikstudion saknar "
                          "ledarens underskrift. De sammankomsterna räknas inte, och bidraget "
                          "är beräknat på de övriga.",
        "arrangemangsbidrag": "Arrangemangsbidraget räcker till planhyra, domare och mat. "
                              "Priser och tröjor ingår inte, eftersom bidraget ska gå till "
                              "det som gör arrangemanget öppet för alla.",
    },
    "reject": "Arrangemangsbidrag ges till arrangemang som är öppna för allmänheten i Västerås. "
              "En resa för föreningens medlemmar är inte ett öppet arrangemang, så ansökan "
              "uppfyller inte villkoren för bidraget.",
}


def _decide(name: str, application: GrantApplication, ctx: Context) -> None:
    from lokapp.letters.models import LetterKind
    from lokapp.letters.services import issue_letter

    requested = application.requested_sek or 0
    key = application.programme.key
    if name == "partial":
        amount = requested * 7 // 10 if key == "arrangemangsbidrag" else requested * 85 // 100
        services.decide(application, ctx.officer, outcome=Outcome.PARTIALLY_APPROVED,
                        amount_sek=amount, reasons=REASONS["partial"][key])
    elif name == "reject":
        services.decide(application, ctx.officer, outcome=Outcome.REJECTED, amount_sek=None,
                        reasons=REASONS["reject"])
    elif name == "propose":
        state = services.decide(application, ctx.officer, outcome=Outcome.APPROVED,
                                amount_sek=None,
                                reasons="Alla sammankomster uppfyller villkoren. Beloppet är "
                                        "större än min delegation.")
        if state != "proposed":  # the pot or the rule changed: the demo still shows a decision
            ctx.lines.append(f"bidrag: {application.case.number} beslutades direkt")
        return
    else:
        services.decide(application, ctx.officer, outcome=Outcome.APPROVED, amount_sek=None,
                        reasons="")
    # As services.after_decision does, but inside the demo's one transaction.
    issue_letter(application.case, LetterKind.GRANT_DECISION, actor=ctx.officer)


def _report(application: GrantApplication, user: User, ctx: Context) -> None:
    row = follow_up.follow_up_of(application)
    if row is None:
        return
    follow_up.save_report(row, follow_up.ReportData(
        summary="Kulturdagen hölls i Vasaparken med dans, musik och mat från Syrien. Omkring "
                "1 300 besökare kom, många som inte hade varit på föreningens arrangemang "
                "tidigare. Vi samarbetade med Eritreanska föreningen om scenprogrammet.",
        participants={("0-6", "woman"): 60, ("0-6", "man"): 55, ("7-12", "woman"): 90,
                      ("7-12", "man"): 85, ("13-20", "woman"): 110, ("13-20", "man"): 100,
                      ("26-64", "woman"): 380, ("26-64", "man"): 320, ("65+", "woman"): 60,
                      ("65+", "man"): 40},
        lines=[follow_up.LineData(COST, "Scen och ljud", 12_500),
               follow_up.LineData(COST, "Artister och dansgrupper", 10_000),
               follow_up.LineData(COST, "Tillstånd och städning", 2_600),
               follow_up.LineData(INCOME, "Försäljning av mat", 4_800)]), user)
    follow_up.attach(row, _upload("bilder-kulturdagen.pdf", "Bilder från kulturdagen",
                                  "Affischen och bilder från scenen och matståndet."),
                     label="Affisch och bilder", user=user)
    follow_up.submit_report(row, user)


# --- the step -----------------------------------------------------------------------------

def _context() -> Context | None:
    def user(email: str) -> User | None:
        return db.session.scalar(User.select_by_email(email))

    officer, supervisor, admin = user(OFFICER_EMAIL), user(SUPERVISOR_EMAIL), user(ADMIN_EMAIL)
    if officer is None or supervisor is None or admin is None:
        return None
    names = {s.association for s in SPECS}
    return Context(
        today=today_local(), officer=officer, supervisor=supervisor, admin=admin,
        programmes={p.key: p for p in db.session.scalars(select(GrantProgramme))},
        associations={a.name: a for a in db.session.scalars(
            select(Association).where(Association.name.in_(names)))})


def _make(spec: Spec, ctx: Context) -> str:
    association = ctx.associations[spec.association]
    programme = ctx.programmes[spec.programme]
    user = ctx.applicant(association)
    if user is None:
        return f"ingen demoansökan från {association.name}: föreningen har inget demokonto"
    if spec.eligible and "submit" in spec.steps:
        _make_eligible(association, user, ctx.today)
    _ensure_budget(programme, ctx)
    if "submit" in spec.steps:
        _ensure_open(programme, ctx)
    application = services.start_application(programme, association, user)
    spec.fill(application, user, ctx)
    for name in spec.steps:
        _step(name, application, user, ctx)
    return ""


@demo_step(order=50)
def load_demo_grants() -> list[str]:
    """About twenty grant applications in every state, made through the grants services."""
    ctx = _context()
    if ctx is None:
        return ["bidragsansökningar: inga (demokontona saknas)"]
    existing = set(db.session.execute(
        select(GrantApplication.association_id, GrantApplication.programme_id)).all())
    made = kept = 0
    for spec in SPECS:
        association = ctx.associations.get(spec.association)
        programme = ctx.programmes.get(spec.programme)
        if association is None or programme is None:
            ctx.lines.append(f"ingen demoansökan {spec.programme} från {spec.association}: "
                             "föreningen eller bidragsformen saknas")
            continue
        if (association.id, programme.id) in existing:
            kept += 1
            continue
        marks = len(ctx.to_export), len(ctx.to_pay)
        try:
            with db.session.begin_nested():
                problem = _make(spec, ctx)
        except Exception as error:  # noqa: BLE001 - a refused rule leaves out one application
            del ctx.to_export[marks[0]:], ctx.to_pay[marks[1]:]
            missing = getattr(error, "missing", None)
            ctx.lines.append(f"ingen demoansökan {programme.key} från {association.name}: "
                             f"{type(error).__name__}: {error}"
                             + (f" ({'; '.join(map(str, missing))})" if missing else ""))
            continue
        if problem:
            ctx.lines.append(problem)
            continue
        made += 1
    if ctx.to_export:
        payouts.export(ctx.to_export, ctx.officer)
    for payout in ctx.to_pay:
        if payout.state == PayoutState.EXPORTED:
            payouts.mark_paid(payout, ctx.officer)
    db.session.flush()
    return [f"bidragsansökningar: {made} skapade, {kept} fanns redan", *ctx.lines]
