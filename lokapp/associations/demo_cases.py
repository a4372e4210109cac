"""Demo register cases: ``flask lok demo`` runs :func:`load_demo_register_cases`.

The demo associations (:mod:`.demo`) are registered already; this step gives the officer's
queue (``/handlaggning``) the register's own workflow to try:

- two new associations' registrations, each sent in by a new demo account
  (``ordforande.<förening>@demo.lokapp.se``): one nobody has taken yet, one assigned to
  ``handlaggare@demo.lokapp.se`` who asked for a completion with a deadline in two weeks –
  waiting for the association's answer;
- this year's annual update of PRO Skultuna, sent in by its chair with member counts and the
  year's documents;
- a new bankgiro for Sverigefinska föreningen i Västerås, waiting for an officer (nothing
  changes on the association before approval);
- a third new association's registration, approved by the demo officer, with its decision
  letter.

Everything goes through the register's services (:mod:`.services`) – the same rules, history,
audit and mail as the pages. Idempotent: a registration is keyed on its organisationsnummer,
the annual update on (association, year), the change on its new bankgiro, so a second run
creates nothing. Each case is made in a savepoint; one a rule refuses is left out with a line
saying why.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from stdnum import luhn
from werkzeug.datastructures import FileStorage

from lokapp.associations import demo as association_demo
from lokapp.associations import services
from lokapp.associations.demo import DEMO_PASSWORD, _phone, _slug, demo_orgnr
from lokapp.associations.models import (
    AgeBand,
    Association,
    Category,
    District,
    DocumentType,
    Gender,
    SensitiveChange,
    TargetGroup,
)
from lokapp.associations.queries_register import document_types_for_year, has_statutes
from lokapp.associations.status import YEARLY_DOCUMENTS
from lokapp.auth.demo import demo_step
from lokapp.auth.models import User
from lokapp.casework.services import assign
from lokapp.core.time import today_local, utcnow
from lokapp.extensions import db

OFFICER_EMAIL = "handlaggare@demo.lokapp.se"
ANNUAL_UPDATE_ASSOCIATION = "PRO Skultuna"
CHANGE_ASSOCIATION = "Sverigefinska föreningen i Västerås"


def _bankgiro(seed: int) -> str:
    base = f"5991{seed:03d}"
    return base + luhn.calc_check_digit(base)


CHANGE_BANKGIRO = _bankgiro(9)


@dataclass(frozen=True)
class NewAssociation:
    index: int  # for the invented organisationsnummer (after the registered demo associations)
    name: str
    category: str
    districts: tuple[str, ...]
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    description: str
    founded_year: int
    board: tuple[tuple[str, str], ...]  # (name, role); the first is the applicant
    counts: dict[tuple[str, str], int]
    outcome: str  # "submitted", "completion" or "approved"


REGISTRATIONS: tuple[NewAssociation, ...] = (
    NewAssociation(
        901, "Råby Läxhjälpsförening", "children_youth", ("raby", "ronnby"),
        ("children", "youth", "newcomers"), ("sv", "ar", "so"),
        "Läxhjälp för barn och unga i årskurs 4–9, två kvällar i veckan i Råby "
        "bibliotek. Volontärerna är studenter och pensionerade lärare.", 2025,
        (("Amina Yusuf", "chair"), ("Lars Ekström", "treasurer"), ("Hanna Berg", "secretary")),
        {("7-12", "woman"): 14, ("7-12", "man"): 11, ("13-20", "woman"): 9,
         ("13-20", "man"): 8, ("26-64", "woman"): 6, ("26-64", "man"): 3,
         ("65+", "woman"): 2, ("65+", "man"): 2},
        "submitted"),
    NewAssociation(
        902, "Hammarby Dansklubb", "culture", ("hammarby",), ("youth", "adults"), ("sv", "en"),
        "Dansklubb med bugg, salsa och lindy hop för ungdomar och vuxna. Vi tränar i "
        "Hammarby fritidsgård på måndagar och ordnar danskvällar en gång i månaden.", 2024,
        (("Johan Lind", "chair"), ("Maria Santos", "treasurer"), ("Eva Holm", "secretary")),
        {("13-20", "woman"): 12, ("13-20", "man"): 7, ("21-25", "woman"): 8,
         ("21-25", "man"): 6, ("26-64", "woman"): 21, ("26-64", "man"): 15},
        "completion"),
    NewAssociation(
        903, "Skiljebo Trädgårdsförening", "environment", ("skiljebo",),
        ("everyone", "seniors", "families"), ("sv", "fi"),
        "Vi sköter odlingslotterna vid Skiljebo, byter plantor och frön och håller "
        "kurser i odling för nybörjare om våren.", 2023,
        (("Birgitta Nyström", "chair"), ("Kalle Virtanen", "treasurer"),
         ("Sara Åberg", "secretary")),
        {("0-6", "woman"): 2, ("0-6", "man"): 3, ("26-64", "woman"): 18, ("26-64", "man"): 12,
         ("65+", "woman"): 16, ("65+", "man"): 9},
        "approved"),
)

COMPLETION_MESSAGE = (
    "Tack för registreringen. Vi behöver protokollet från mötet där föreningen bildades och "
    "stadgarna antogs, och uppgift om vem som är föreningens firmatecknare. Komplettera "
    "registreringen senast det datum som står nedan.")
APPROVAL_NOTE = "Stadgar och styrelse uppfyller kraven i LÖK. Föreningen registreras."

_DOCUMENT_TEXTS = {
    DocumentType.STATUTES: "Stadgar antagna vid årsmötet. Föreningen är partipolitiskt och "
                           "religiöst obunden och öppen för alla som delar dess syfte.",
    DocumentType.ANNUAL_MEETING_MINUTES: "Protokoll från årsmötet: val av styrelse, revisorer "
                                         "och valberedning.",
    DocumentType.ACTIVITY_REPORT: "Verksamhetsberättelse: boule, cirkelträning, två resor och "
                                  "kaffe med föredrag varje månad.",
    DocumentType.FINANCIAL_REPORT: "Ekonomisk berättelse med resultat- och balansräkning.",
    DocumentType.AUDIT_REPORT: "Revisionsberättelse: revisorerna tillstyrker ansvarsfrihet för "
                               "styrelsen.",
}

ANNUAL_COUNTS = {("26-64", "woman"): 14, ("26-64", "man"): 9, ("65+", "woman"): 118,
                 ("65+", "man"): 74, ("65+", "unknown"): 2}


def _counts(counts: dict[tuple[str, str], int]) -> dict[tuple[AgeBand, Gender], int]:
    return {(AgeBand(band), Gender(gender)): n for (band, gender), n in counts.items()}


def _pdf(filename: str, title: str, text: str) -> FileStorage:
    from lokapp.grants.demo import demo_pdf

    return FileStorage(stream=io.BytesIO(demo_pdf(title, text)), filename=filename,
                       content_type="application/pdf")


def _user(email: str) -> User | None:
    return db.session.scalar(User.select_by_email(email))


def _chair_email(name: str) -> str:
    return f"ordforande.{_slug(name)}@demo.lokapp.se"[:254]


def _applicant(spec: NewAssociation) -> User:
    """The new demo account that registers the association (verified, the demo password)."""
    email = _chair_email(spec.name)
    user = _user(email)
    if user is None:
        # Looked up on the module so the tests' one-hash fixture applies.
        user = User(email=email, name=spec.board[0][0], created_at=utcnow(),
                    email_verified_at=utcnow(),
                    password_hash=association_demo.hash_password(DEMO_PASSWORD))
        db.session.add(user)
        db.session.flush()
    return user


def _registration_data(spec: NewAssociation) -> services.RegistrationData:
    def ids(model, keys) -> list[int]:
        return list(db.session.scalars(select(model.id).where(model.key.in_(keys))))

    slug = _slug(spec.name)
    domain = f"{slug}.example"
    return services.RegistrationData(
        name=spec.name,
        category_id=db.session.scalar(select(Category.id).where(Category.key == spec.category)),
        district_ids=ids(District, spec.districts),
        target_group_ids=ids(TargetGroup, spec.target_groups),
        languages=list(spec.languages), description=spec.description,
        email=f"kontakt@{domain}", phone=_phone(spec.index), website=f"https://{domain}",
        street_address=f"Föreningsgatan {spec.index - 850}", postal_code="72215",
        city="Västerås", founded_year=spec.founded_year, is_public=True,
        board=[services.BoardEntry(name=name, role=role,
                                   email=f"{_slug(name).replace('-', '.')}@{domain}")
               for name, role in spec.board],
        orgnr=demo_orgnr(spec.index), bankgiro=_bankgiro(spec.index - 900),
        counts=_counts(spec.counts))


def _register(spec: NewAssociation, officer: User) -> None:
    user = _applicant(spec)
    case = services.register_association(_registration_data(spec), user)
    if spec.outcome == "submitted":
        return
    assign([case.id], officer, officer)
    if spec.outcome == "completion":
        services.request_completion(case, officer, COMPLETION_MESSAGE,
                                    today_local() + timedelta(days=14))
    elif spec.outcome == "approved":
        services.approve_registration(case, officer, APPROVAL_NOTE)


def _annual_update(association: Association) -> str:
    user = _user(_chair_email(association.name))
    if user is None:
        return f"ingen årlig uppdatering för {association.name}: föreningen har inget demokonto"
    year = today_local().year
    existing = set(db.session.scalars(document_types_for_year(association.id, year)))
    wanted = [t for t in YEARLY_DOCUMENTS if t.value not in {str(e) for e in existing}]
    if db.session.scalar(has_statutes(association.id)) is None:
        wanted.append(DocumentType.STATUTES)
    files = {t: _pdf(f"{t.value}-{year}.pdf", f"{association.name} – {t.label}",
                     _DOCUMENT_TEXTS[t]) for t in wanted}
    services.submit_annual_update(association, year, _counts(ANNUAL_COUNTS), files, user)
    return ""


def _bank_change(association: Association) -> str:
    user = _user(_chair_email(association.name))
    if user is None:
        return f"ingen ändring för {association.name}: föreningen har inget demokonto"
    services.request_sensitive_change(association, services.PaymentData(
        orgnr=association.orgnr, bankgiro=CHANGE_BANKGIRO, plusgiro=association.plusgiro), user)
    return ""


@demo_step(order=60)
def load_demo_register_cases() -> list[str]:
    """Registrations, an annual update and a bankgiro change in the officer's queue."""
    officer = _user(OFFICER_EMAIL)
    if officer is None:
        return ["registerärenden: inga (demokontona saknas)"]
    year = today_local().year
    orgnrs = {demo_orgnr(spec.index) for spec in REGISTRATIONS}
    taken = set(db.session.scalars(select(Association.orgnr).where(
        Association.orgnr.in_(orgnrs))))
    existing = {a.name: a for a in db.session.scalars(select(Association).where(
        Association.name.in_((ANNUAL_UPDATE_ASSOCIATION, CHANGE_ASSOCIATION))))}
    made = kept = 0
    lines: list[str] = []

    def attempt(label: str, make: Callable[[], str | None]) -> None:
        nonlocal made
        try:
            with db.session.begin_nested():
                problem = make()
        except Exception as error:  # noqa: BLE001 - a refused rule leaves out one case
            lines.append(f"inget demoärende {label}: {type(error).__name__}: {error}")
            return
        if problem:
            lines.append(problem)
        else:
            made += 1

    for spec in REGISTRATIONS:
        if demo_orgnr(spec.index) in taken:
            kept += 1
        else:
            attempt(f"registrering av {spec.name}",
                    lambda spec=spec: _register(spec, officer))

    association = existing.get(ANNUAL_UPDATE_ASSOCIATION)
    if association is None:
        lines.append(f"ingen årlig uppdatering: {ANNUAL_UPDATE_ASSOCIATION} saknas")
    elif services.annual_update_for(association, year) is not None:
        kept += 1
    else:
        attempt(f"årlig uppdatering för {association.name}",
                lambda: _annual_update(association))

    association = existing.get(CHANGE_ASSOCIATION)
    if association is None:
        lines.append(f"ingen ändring av bankgiro: {CHANGE_ASSOCIATION} saknas")
    elif db.session.scalar(select(SensitiveChange.id).where(
            SensitiveChange.association_id == association.id,
            SensitiveChange.new_bankgiro == CHANGE_BANKGIRO).limit(1)) is not None:
        kept += 1
    else:
        attempt(f"ändring av bankgiro för {association.name}",
                lambda: _bank_change(association))
    db.session.flush()
    return [f"registerärenden: {made} skapade, {kept} fanns redan", *lines]
