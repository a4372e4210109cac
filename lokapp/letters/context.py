"""The plain-data context of a letter – the only place that reads ORM objects for a letter.

:func:`build_context` turns a decided case into a dictionary of strings, numbers and lists
(stored as JSON on the letter); :func:`sample_context` gives the same shape from sample data for
previews and ``flask lok letter-sample``. Rendering sees nothing but this dictionary.

Configuration (``app.config``, defaults in :data:`DEFAULTS`, see README "Decision letters"):

``LETTER_AUTHORITY``        the city, the deciding committee and department, address, phone,
                            web, e-mail and the administrative court (förvaltningsrätt).
``LETTER_APPEAL_ROUTES``    case type → ``"laglighetsprovning"`` or ``"forvaltningsbesvar"``.
``LETTER_DEFAULT_APPEAL``   for case types not listed.
``LETTER_DELEGATION``       case type → the delegationsordning reference the decision rests on.
``LETTER_RULES``            case type → the rules or programme the decision applies (a list).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from flask import current_app
from sqlalchemy import select

from lokapp.core.cases import Case, CaseHistory
from lokapp.core.time import to_local, utcnow
from lokapp.extensions import db
from lokapp.letters import sandbox
from lokapp.letters.kinds import KindSpec, spec_for
from lokapp.letters.models import LetterKind, LetterTemplate

SCHEMA_VERSION = 1
APPEAL_ROUTES = ("laglighetsprovning", "forvaltningsbesvar")

DEFAULTS: dict[str, Any] = {
    "LETTER_AUTHORITY": {
        "city": "Västerås stad",
        "municipality": "Västerås",
        "committee": "kultur-, idrotts- och fritidsnämnden",
        "department": "Kultur-, idrotts- och fritidsförvaltningen",
        "postal_address": "721 87 Västerås",
        "mail_address": "Västerås stad, Kultur-, idrotts- och fritidsförvaltningen, "
                        "721 87 Västerås",
        "phone": "021-39 00 00",
        "email": "lok@vasteras.se",
        "web": "www.vasteras.se",
        "court": "Förvaltningsrätten i Uppsala",
    },
    # Decisions in the association register rest on the city's own rules (no special law
    # gives förvaltningsbesvär), so they are appealed by laglighetsprövning.
    "LETTER_APPEAL_ROUTES": {
        "registration": "laglighetsprovning",
        "annual_update": "laglighetsprovning",
        "sensitive_change": "laglighetsprovning",
    },
    "LETTER_DEFAULT_APPEAL": "laglighetsprovning",
    "LETTER_DELEGATION": {
        "registration": "kultur-, idrotts- och fritidsnämndens delegationsordning, "
                        "avsnitt Föreningsregister, punkt 1 (registrering av förening)",
        "annual_update": "kultur-, idrotts- och fritidsnämndens delegationsordning, "
                         "avsnitt Föreningsregister, punkt 2 (årlig uppdatering)",
        "sensitive_change": "kultur-, idrotts- och fritidsnämndens delegationsordning, "
                            "avsnitt Föreningsregister, punkt 3 (ändring av uppgifter)",
    },
    "LETTER_RULES": {
        "registration": ["Västerås stads regler för föreningsregistret och föreningsbidrag",
                         "Lokal överenskommelse (LÖK) mellan Västerås stad och "
                         "civilsamhället"],
        "annual_update": ["Västerås stads regler för föreningsregistret och föreningsbidrag"],
        "sensitive_change": ["Västerås stads regler för föreningsregistret och "
                             "föreningsbidrag"],
    },
}


def init_config(config: dict) -> None:
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)
    for case_type, route in {**config["LETTER_APPEAL_ROUTES"],
                             "*": config["LETTER_DEFAULT_APPEAL"]}.items():
        if route not in APPEAL_ROUTES:
            from lokapp.config import ConfigurationError

            raise ConfigurationError(
                f"LETTER_APPEAL_ROUTES[{case_type!r}] must be one of {APPEAL_ROUTES}, "
                f"got {route!r}")


# Per case type defaults a domain registered (``register_case_type``): appeal, delegation,
# rules. The configuration wins where it names the case type.
CASE_TYPE_DEFAULTS: dict[str, dict[str, Any]] = {}


def appeal_route(case_type: str) -> str:
    config = current_app.config
    return config["LETTER_APPEAL_ROUTES"].get(
        case_type, CASE_TYPE_DEFAULTS.get(case_type, {}).get(
            "appeal", config["LETTER_DEFAULT_APPEAL"]))


def delegation_for(case_type: str) -> str:
    return current_app.config["LETTER_DELEGATION"].get(
        case_type, CASE_TYPE_DEFAULTS.get(case_type, {}).get("delegation", ""))


def rules_for(case_type: str) -> list[str]:
    return list(current_app.config["LETTER_RULES"].get(
        case_type, CASE_TYPE_DEFAULTS.get(case_type, {}).get("rules", [])))


def long_date(value: date, language: str) -> str:
    return format_date(value, "d MMMM y", locale=language)


# --- kind-specific data from the domains --------------------------------------------------------

def _register_extras(case: Case) -> dict[str, Any]:
    from lokapp.associations.models import AnnualUpdate, SensitiveChange
    from lokapp.associations.services import change_lines

    if case.case_type == "annual_update":
        year = db.session.scalar(select(AnnualUpdate.year).where(AnnualUpdate.case_id == case.id))
        return {"year": year}
    if case.case_type == "sensitive_change":
        change = db.session.scalar(select(SensitiveChange).where(
            SensitiveChange.case_id == case.id))
        return {"changes": [{k: str(v) for k, v in line.items()}
                            for line in change_lines(change)]}
    return {}


def _register_case_url(case: Case) -> str:
    from lokapp.auth.services import absolute_url

    if case.case_type == "registration" and case.state != "approved":
        return absolute_url("register.registration", case_id=case.id)
    return absolute_url("register.overview", association_id=case.association_id)


EXTRAS: dict[str, Callable[[Case], dict[str, Any]]] = {
    "registration": _register_extras, "annual_update": _register_extras,
    "sensitive_change": _register_extras,
}
CASE_URLS: dict[str, Callable[[Case], str]] = {
    "registration": _register_case_url, "annual_update": _register_case_url,
    "sensitive_change": _register_case_url,
}


# --- building ------------------------------------------------------------------------------------

def decision_row(case: Case) -> CaseHistory | None:
    """The history row that put the case in its current (decided) state."""
    return db.session.scalar(
        select(CaseHistory).where(CaseHistory.case_id == case.id,
                                  CaseHistory.to_state == case.state)
        .order_by(CaseHistory.occurred_at.desc(), CaseHistory.id.desc()).limit(1))


def _presenter(case: Case, decider_id: int | None) -> dict[str, str] | None:
    """Whoever proposed the decision (four-eyes cases), if it was not the decider."""
    row = db.session.scalar(
        select(CaseHistory).where(CaseHistory.case_id == case.id,
                                  CaseHistory.action == "propose")
        .order_by(CaseHistory.occurred_at.desc(), CaseHistory.id.desc()).limit(1))
    if row is None or row.actor is None or row.actor_id == decider_id:
        return None
    return {"name": row.actor.name, "title": row.actor.title or ""}


def _postal_code(code: str | None) -> str:
    digits = (code or "").replace(" ", "")
    return f"{digits[:3]} {digits[3:]}" if len(digits) == 5 and digits.isdigit() else (code or "")


def _recipient_lines(association: Any, applicant: Any) -> list[str]:
    lines = [association.name] if association is not None else []
    if applicant is not None:
        lines.append(f"Att: {applicant.name}")
    if association is not None:
        if association.street_address:
            lines.append(association.street_address)
        place = " ".join(p for p in (_postal_code(association.postal_code),
                                     association.city or "") if p)
        if place:
            lines.append(place)
    return lines[:6]


def recipients_for(case: Case) -> list[str]:
    """Where the letter is e-mailed: the applicant, else the association's address."""
    from lokapp.associations.models import Association

    applicant = case.applicant
    if applicant is not None and not applicant.is_disabled:
        return [applicant.email]
    association = db.session.get(Association, case.association_id) \
        if case.association_id else None
    if association is not None and association.email:
        return [association.email]
    return []


def template_variables(base: dict[str, Any]) -> dict[str, Any]:
    """The part of a context a staff template may see (see ``TEMPLATE_VARIABLES``)."""
    return {
        "association": base["association"], "applicant": base["applicant"],
        "case": {k: base["case"][k] for k in ("number", "subject", "submitted_on")},
        "decision": {"date": base["decision"]["date"]},
        "officer": {"name": base["officer"]["name"]},
        "year": base.get("year") or "", "changes": base.get("changes") or [],
    }


def complete(base: dict[str, Any], template: LetterTemplate | dict[str, str]) -> dict[str, Any]:
    """Render the staff wording into ``base`` (title and body); raises TemplateProblem."""
    language = base["language"]
    if isinstance(template, dict):
        subject_src, body_src = template[f"subject_{language}"], template[f"body_{language}"]
    else:
        subject_src, body_src = template.texts(language)
    variables = template_variables(base)
    title = " ".join(sandbox.render_checked(subject_src, variables, markup=False).split())
    body = sandbox.render_checked(body_src, variables)
    return {**base, "title": title[:300], "body_html": body}


def build_context(case: Case, kind: LetterKind, template: LetterTemplate, *,
                  language: str = "sv", now: datetime | None = None) -> dict[str, Any]:
    """The full plain-data context of ``kind``'s letter for the decided ``case``."""
    from lokapp.associations.models import Association
    from lokapp.associations.numbers import format_orgnr

    spec: KindSpec = spec_for(kind)
    config = current_app.config
    row = decision_row(case)
    decider = row.actor if row is not None else None
    decided_at = case.decided_at or (row.occurred_at if row is not None else utcnow())
    note = (row.note or "").strip() if row is not None else ""
    association = db.session.get(Association, case.association_id) \
        if case.association_id else None
    applicant = case.applicant
    officer = decider or case.assigned_officer
    authority = dict(config["LETTER_AUTHORITY"])
    decided_on = to_local(decided_at).date()
    submitted_on = to_local(case.submitted_at).date() if case.submitted_at else decided_on
    created = to_local(now or utcnow()).replace(microsecond=0)
    base = {
        "schema": SCHEMA_VERSION,
        "kind": spec.kind.value,
        "outcome": spec.outcome,
        "language": language,
        "created_at": created.isoformat(),
        "authority": authority,
        "case": {"id": case.id, "number": case.number or "", "subject": case.subject,
                 "type": case.case_type, "type_label": str(case.workflow.label),
                 "submitted_on": long_date(submitted_on, language),
                 "url": CASE_URLS[case.case_type](case) if case.case_type in CASE_URLS
                 else ""},
        "decision": {"date": long_date(decided_on, language), "iso_date": decided_on.isoformat(),
                     "reasons": note if spec.requires_reasons else "",
                     "note": "" if spec.requires_reasons else note},
        "decided_by": {"name": decider.name if decider else authority["department"],
                       "title": (decider.title or "") if decider else ""},
        "delegation": delegation_for(case.case_type),
        "presenter": _presenter(case, decider.id if decider else None),
        "officer": {"name": officer.name if officer else authority["department"],
                    "title": (officer.title or "") if officer else "",
                    "email": officer.email if officer else authority["email"],
                    "phone": (officer.phone or "") if officer else authority["phone"]},
        "association": {"name": association.name if association else "",
                        "orgnr": format_orgnr(association.orgnr)
                        if association is not None and association.orgnr else ""},
        "applicant": {"name": applicant.name if applicant else ""},
        "recipient": {"lines": _recipient_lines(association, applicant)},
        "rules": rules_for(case.case_type),
        "appeal": appeal_route(case.case_type),
        "year": None, "changes": [],
    }
    if case.case_type in EXTRAS:
        base.update(EXTRAS[case.case_type](case))
    check_lawful(base, spec)
    return complete(base, template)


class UnlawfulLetter(ValueError):
    """A letter that would lack a part the law requires; ``str()`` is the Swedish message."""


def check_lawful(base: dict[str, Any], spec: KindSpec) -> None:
    from flask_babel import gettext as _

    if spec.requires_reasons and not base["decision"]["reasons"].strip():
        raise UnlawfulLetter(_("Ett beslut som går emot den som ansökt måste motiveras. Skriv "
                               "skälen för beslutet."))
    if not base["case"]["number"]:
        raise UnlawfulLetter(_("Ärendet har inget ärendenummer ännu."))


# --- sample data ---------------------------------------------------------------------------------

def sample_context(kind: LetterKind | str, template: LetterTemplate | dict[str, str], *,
                   language: str = "sv", appeal: str | None = None) -> dict[str, Any]:
    """A complete context from demo data, for previews and ``flask lok letter-sample``."""
    spec = spec_for(kind)
    config = current_app.config
    decided_on, submitted_on = date(2026, 3, 12), date(2026, 3, 2)
    reasons = ("Föreningen har inte lämnat in stadgar som är antagna av ett årsmöte, och "
               "styrelsen har färre än tre ledamöter.\n\nEnligt reglerna för "
               "föreningsregistret ska en förening ha antagna stadgar och en styrelse med "
               "minst tre ledamöter.")
    base = {
        "schema": SCHEMA_VERSION, "kind": spec.kind.value, "outcome": spec.outcome,
        "language": language, "created_at": "2026-03-12T10:00:00+01:00",
        "authority": dict(config["LETTER_AUTHORITY"]),
        "case": {"id": 0, "number": "LOK 2026/00042", "subject": "Exempelärende",
                 "type": spec.case_type, "type_label": spec.case_type,
                 "submitted_on": long_date(submitted_on, language),
                 "url": config.get("SERVER_BASE_URL", "") + "/"},
        "decision": {"date": long_date(decided_on, language),
                     "iso_date": decided_on.isoformat(),
                     "reasons": reasons if spec.requires_reasons else "",
                     "note": "" if spec.requires_reasons else
                     "Kom ihåg att ladda upp årsmötesprotokollet efter nästa årsmöte."},
        "decided_by": {"name": "Karin Handläggare", "title": "Föreningskonsulent"},
        "delegation": delegation_for(spec.case_type),
        "presenter": None,
        "officer": {"name": "Karin Handläggare", "title": "Föreningskonsulent",
                    "email": "karin.handlaggare@vasteras.se", "phone": "021-39 12 34"},
        "association": {"name": "Bäckby Schackklubb", "orgnr": "802432-0015"},
        "applicant": {"name": "Sara Sökande"},
        "recipient": {"lines": ["Bäckby Schackklubb", "Att: Sara Sökande", "Bäckbyvägen 1",
                                "723 45 Västerås"]},
        "rules": rules_for(spec.case_type),
        "appeal": appeal or appeal_route(spec.case_type),
        "year": None, "changes": [],
        **spec.sample,
    }
    return complete(base, template)
