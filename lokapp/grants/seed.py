"""Västerås's grant programmes as lokapp starts them: ``seed_programmes()``.

Run by the demo (``flask lok demo``) and by ``flask lok grants-seed`` in a new installation;
administrators change everything afterwards. Idempotent, keyed on ``key``: an existing
programme is left as the administrators made it (its questions and scoring criteria too).
Amounts are realistic for a city of Västerås's size, not the city's actual figures – the
administrator sets those.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.grants.models import (
    AppealRoute,
    Eligibility,
    FormulaKind,
    GrantBudget,
    GrantCriterion,
    GrantProgramme,
    GrantQuestion,
    QuestionKind,
    WindowKind,
)

Q = QuestionKind

# Scoring criteria (name, English name, what is assessed, highest score, weight). The LÖK
# project grant follows the agreement's four principles (seeds/003: dialog och samverkan,
# mångfald och förnyelse, långsiktighet och kvalitet, öppenhet och tillgänglighet) plus a
# realistic budget; the event grant asks who the event is for and whether it can be done.
_LOK_PROJECT_CRITERIA = [
    ("Dialog och samverkan", "Dialogue and cooperation",
     "Samverkar projektet med andra föreningar, staden eller invånare? Höga poäng när "
     "parterna planerar och genomför projektet tillsammans.", 5, 2),
    ("Mångfald och förnyelse", "Diversity and renewal",
     "Når projektet nya grupper eller prövar nya arbetssätt? Höga poäng när fler kan "
     "delta och engagera sig.", 5, 2),
    ("Långsiktighet och kvalitet", "Long-term impact and quality",
     "Finns en plan för vad som händer efter projektet och hur resultatet följs upp?", 5, 1),
    ("Öppenhet och tillgänglighet", "Openness and accessibility",
     "Är verksamheten öppen för alla och tillgänglig, till exempel för personer med "
     "funktionsnedsättning och på flera språk?", 5, 1),
    ("Rimlig budget", "Reasonable budget",
     "Står kostnaderna i proportion till aktiviteterna och finns en egen insats?", 5, 1),
]
_EVENT_CRITERIA = [
    ("Öppet för alla", "Open to everyone",
     "Är arrangemanget öppet för allmänheten, gratis eller billigt och tillgängligt?", 5, 2),
    ("Nytta för Västerås", "Benefit for Västerås",
     "Bidrar arrangemanget till ett levande Västerås, till exempel i en stadsdel med få "
     "arrangemang?", 5, 1),
    ("Genomförbarhet och budget", "Feasibility and budget",
     "Är planen och budgeten realistiska för arrangemangets storlek?", 5, 1),
]


def _programmes(year: int) -> list[dict]:
    return [
        {
            "key": "grundbidrag", "name_sv": "Grundbidrag", "name_en": "Basic grant",
            "description_sv": "Ett årligt bidrag till föreningens grundläggande verksamhet för "
                              "barn och unga. Beloppet beror på hur många medlemmar i åldern "
                              "7–25 år föreningen har.",
            "description_en": "A yearly grant for the association's basic activities for "
                              "children and young people, based on members aged 7–25.",
            "rules_sv": "Föreningen ska vara bidragsberättigad i föreningsregistret och ha "
                        "minst 10 medlemmar i åldern 7–25 år. Ansök en gång per år, senast "
                        "den 31 mars. Bidraget betalas ut till föreningens bankgiro.",
            "eligibility": Eligibility.ELIGIBLE, "window_kind": WindowKind.DATES,
            "opens_on": date(year, 1, 15), "closes_on": date(year, 3, 31),
            "max_amount_sek": 60_000, "pot": 2_400_000, "delegation": 60_000,
            "handling_days": 45, "required_attachments": ["Verksamhetsplan för året"],
            "questions": [
                (Q.NUMBER, "Antal medlemmar 7–25 år", "Räkna medlemmar som betalat "
                 "medlemsavgift förra året.", True, []),
                (Q.LONG_TEXT, "Beskriv verksamheten för barn och unga", "", True, []),
            ],
        },
        {
            "key": "aktivitetsstod", "name_sv": "Aktivitetsstöd", "name_en": "Activity grant",
            "description_sv": "Stöd för sammankomster med deltagare i åldern 7–25 år. Ansök i "
                              "efterhand för varje halvår.",
            "description_en": "A grant per activity occasion for participants aged 7–25, "
                              "applied for after each half year.",
            "rules_sv": "En sammankomst ska vara minst 60 minuter, ledas av en ledare som är "
                        "minst 13 år och ha minst 3 deltagare i åldern 7–25 år. Bidraget är "
                        "8 kronor per deltagartillfälle och 15 kronor per sammankomst. "
                        "Ansök senast 28 februari för hösten och 31 augusti för våren.",
            "eligibility": Eligibility.ELIGIBLE, "window_kind": WindowKind.ROLLING,
            "max_amount_sek": 150_000, "pot": 3_000_000, "delegation": 150_000,
            "handling_days": 30, "required_attachments": [],
            # The amount follows from the reported occasions (lokapp.grants.formulas). The
            # figures are examples of a plausible Västerås level, not the city's decided rates.
            "formula_kind": FormulaKind.ACTIVITY, "formula_rate_sek": 8,
            "formula_occasion_sek": 15, "formula_age_min": 7, "formula_age_max": 25,
            "formula_min_group": 3,
            "questions": [
                (Q.FILE, "Närvarolistor", "PDF eller bild av närvarolistorna.", True, []),
            ],
        },
        {
            "key": "projektbidrag", "name_sv": "Projektbidrag (LÖK-projekt)",
            "name_en": "Project grant (LÖK projects)",
            "description_sv": "Bidrag till tidsbegränsade projekt som förverkligar den lokala "
                              "överenskommelsen: delaktighet, inkludering och samverkan mellan "
                              "föreningar.",
            "description_en": "Grants for time-limited projects that carry out the local "
                              "agreement (LÖK).",
            "rules_sv": "Projektet ska vara avgränsat i tid (högst 12 månader), ha en budget och "
                        "redovisas senast 60 dagar efter att det har avslutats. Föreningen "
                        "ska stå för en egen insats.",
            "eligibility": Eligibility.ELIGIBLE, "window_kind": WindowKind.DATES,
            "opens_on": date(year, 2, 1), "closes_on": date(year, 10, 31),
            "max_amount_sek": 200_000, "pot": 1_500_000, "delegation": 50_000,
            "has_budget_table": True, "follow_up_required": True, "follow_up_days": 365,
            "handling_days": 60, "appeal_route": AppealRoute.LAGLIGHETSPROVNING,
            "required_attachments": ["Projektplan"],
            # Who the project reaches, by age and gender (the equal-treatment report).
            "asks_participants": True,
            "criteria": _LOK_PROJECT_CRITERIA,
            "questions": [
                (Q.SHORT_TEXT, "Projektets namn", "", True, []),
                (Q.LONG_TEXT, "Syfte och mål", "Vad vill ni uppnå och för vilka?", True, []),
                (Q.DATE, "Startdatum", "", True, []),
                (Q.DATE, "Slutdatum", "", True, []),
                (Q.YES_NO, "Samverkar ni med andra föreningar?", "", True, []),
            ],
        },
        {
            "key": "arrangemangsbidrag", "name_sv": "Arrangemangsbidrag",
            "name_en": "Event grant",
            "description_sv": "Bidrag till öppna arrangemang i Västerås som är till för alla, "
                              "till exempel festivaler, turneringar och kulturdagar.",
            "description_en": "Grants for public events in Västerås open to everyone.",
            "rules_sv": "Arrangemanget ska vara öppet för allmänheten och äga rum i Västerås. "
                        "Ansök senast 8 veckor före arrangemanget.",
            "eligibility": Eligibility.REGISTERED, "window_kind": WindowKind.ROLLING,
            "max_amount_sek": 50_000, "pot": 800_000, "delegation": 25_000,
            "has_budget_table": True, "follow_up_required": True, "follow_up_days": 120,
            "handling_days": 30, "required_attachments": [],
            "asks_participants": True,
            "criteria": _EVENT_CRITERIA,
            "questions": [
                (Q.SHORT_TEXT, "Arrangemangets namn", "", True, []),
                (Q.DATE, "Datum för arrangemanget", "", True, []),
                (Q.NUMBER, "Väntat antal besökare", "", False, []),
            ],
        },
        {
            "key": "lokalbidrag", "name_sv": "Lokalbidrag", "name_en": "Premises grant",
            "description_sv": "Bidrag till hyran för lokaler som föreningen hyr för "
                              "verksamhet för barn och unga.",
            "description_en": "A grant towards the rent of premises used for children and "
                              "young people.",
            "rules_sv": "Bidraget är 40 procent av årshyran för lokaler som föreningen hyr av "
                        "någon annan än Västerås stad, högst 120 000 kronor per år. "
                        "Hyreskontraktet för varje lokal ska bifogas.",
            "eligibility": Eligibility.ELIGIBLE, "window_kind": WindowKind.DATES,
            "opens_on": date(year, 9, 1), "closes_on": date(year, 10, 15),
            "max_amount_sek": 120_000, "pot": 1_200_000, "delegation": 60_000,
            "handling_days": 45, "required_attachments": [],
            # requested = 40 % of the yearly rent, capped at max_amount_sek; the contract of
            # each premises is a required attachment (lokapp.grants.formulas). Example figures.
            "formula_kind": FormulaKind.RENT, "formula_share_percent": 40,
            "questions": [
                (Q.LONG_TEXT, "Beskriv verksamheten för barn och unga i lokalerna", "", True,
                 []),
            ],
        },
        {
            "key": "extern-projektansokan",
            "name_sv": "Stöd vid ansökan om externa projektmedel",
            "name_en": "Help with applications for external project funding",
            "description_sv": "Få hjälp av en handläggare att söka pengar från till exempel "
                              "Arvsfonden, EU eller stiftelser. Ingen ekonomisk ersättning.",
            "description_en": "Get help from an officer to apply for funding from e.g. the "
                              "Swedish Inheritance Fund, the EU or foundations.",
            "rules_sv": "Beskriv idén och vart ni vill söka, så kontaktar en handläggare er.",
            "eligibility": Eligibility.REGISTERED, "window_kind": WindowKind.ROLLING,
            "is_monetary": False, "handling_days": 14, "required_attachments": [],
            "questions": [
                (Q.SHORT_TEXT, "Vilken finansiär vill ni söka hos?", "", True, []),
                (Q.LONG_TEXT, "Beskriv projektidén", "", True, []),
                (Q.DATE, "När är finansiärens sista ansökningsdag?", "", False, []),
            ],
        },
    ]


def seed_programmes(year: int | None = None) -> list[str]:
    """Create the programmes that are missing; returns what was done, one line each."""
    year = year or today_local().year
    done = []
    for spec in _programmes(year):
        spec = dict(spec)
        if db.session.scalar(select(GrantProgramme.id).where(GrantProgramme.key == spec["key"])):
            continue
        questions, pot = spec.pop("questions"), spec.pop("pot", None)
        criteria = spec.pop("criteria", [])
        spec["delegation_limit_sek"] = spec.pop("delegation", None)
        programme = GrantProgramme(**spec)
        for position, (kind, label, help_text, required, choices) in enumerate(questions):
            programme.questions.append(GrantQuestion(
                position=position, kind=kind, label_sv=label, help_sv=help_text,
                is_required=required, choices=choices))
        for position, (name, name_en, description, max_score, weight) in enumerate(criteria):
            programme.criteria.append(GrantCriterion(
                position=position, name_sv=name, name_en=name_en, description_sv=description,
                max_score=max_score, weight=weight, is_active=True))
        if pot is not None:
            programme.budgets.append(GrantBudget(year=year, amount_sek=pot, committed_sek=0))
        db.session.add(programme)
        done.append(f"bidragsform {spec['key']}")
    db.session.flush()
    return done
