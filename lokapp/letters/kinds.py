"""Every letter kind, described once: its case type, outcome, default wording and sample data.

The default wording is version 1 of each kind's template (created on first use, see
:func:`lokapp.letters.services.current_template`); administrators change it in the letter
template editor. Wording is Jinja run in the letter sandbox (:mod:`lokapp.letters.sandbox`)
with the variables listed in :data:`TEMPLATE_VARIABLES`, and may use the HTML tags listed in
:data:`lokapp.letters.sandbox.ALLOWED_TAGS`.

To add a kind (a grant decision, a booking decision …): add a member to
:class:`~lokapp.letters.models.LetterKind` (and a migration for its CHECK constraint), describe
it here, register the case type once with :func:`lokapp.letters.services.register_case_type`
(its extra letter data, the case's page, which kind a decided state gives, its appeal route),
and call :func:`lokapp.letters.services.issue_letter` from the domain's decision service.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from lokapp.letters.models import LetterKind

APPROVED, PARTIALLY_APPROVED, REJECTED = "approved", "partially_approved", "rejected"
OUTCOMES = (APPROVED, PARTIALLY_APPROVED, REJECTED)

# The variables a staff-edited template may use (all plain data), with a Swedish description
# for the editor. Nothing else is reachable from a template.
TEMPLATE_VARIABLES: dict[str, Any] = {
    "association.name": _l("Föreningens namn"),
    "association.orgnr": _l("Föreningens organisationsnummer (kan vara tomt)"),
    "applicant.name": _l("Namnet på den som skickade in ärendet"),
    "case.number": _l("Ärendenummer, till exempel LOK 2026/00042"),
    "case.subject": _l("Ärendets rubrik"),
    "case.submitted_on": _l("Dagen ärendet kom in, till exempel 3 mars 2026"),
    "decision.date": _l("Beslutsdagen, till exempel 12 mars 2026"),
    "officer.name": _l("Handläggarens namn"),
    "year": _l("Året uppgifterna gäller (årlig uppdatering)"),
    "changes": _l("Ändrade uppgifter: en lista där varje rad har label, old och new"),
}


@dataclass(frozen=True)
class KindSpec:
    kind: LetterKind
    case_type: str
    outcome: str
    subject_sv: str
    body_sv: str
    subject_en: str
    body_en: str
    sample: dict[str, Any] = field(default_factory=dict)
    # Whether the case's decided state alone says this is its letter (KIND_BY_STATE). A kind
    # that follows a later step on a decided case (a cancellation) sets False and is found by
    # the case type's own finder (``register_case_type(kind_for=...)``).
    is_state_decision: bool = True


    @property
    def requires_reasons(self) -> bool:
        """Förvaltningslagen 32 §: a decision that goes against a party must give reasons."""
        return self.outcome in (REJECTED, PARTIALLY_APPROVED)


_CHANGES_SAMPLE = {"changes": [{"label": "Bankgiro", "old": "5050-1055", "new": "5402-9681"}]}
_BOOKING_SAMPLE = {"changes": [
    {"label": "Möteslokal Bäckby", "old": "", "new": "tisdag 2 februari 2027 18:00–20:00"},
    {"label": "Möteslokal Bäckby", "old": "", "new": "tisdag 9 februari 2027 18:00–20:00"}]}

KINDS: dict[LetterKind, KindSpec] = {spec.kind: spec for spec in (
    KindSpec(
        LetterKind.REGISTRATION_APPROVED, "registration", APPROVED,
        subject_sv="Beslut: {{ association.name }} är registrerad i föreningsregistret",
        body_sv=(
            "<p>{{ association.name }} är registrerad i Västerås stads föreningsregister från "
            "och med {{ decision.date }}.</p>\n"
            "<p>Välkomna! Föreningen kan nu skriva under den lokala överenskommelsen (LÖK), "
            "söka bidrag och boka de lokaler som föreningar i registret får boka.</p>\n"
            "<p>{{ applicant.name }}, som registrerade föreningen, är föreningens administratör "
            "i lokapp och kan bjuda in fler från föreningen, till exempel ordförande och "
            "kassör.</p>\n"
            "<p>Varje år efter årsmötet lämnar föreningen en årlig uppdatering med "
            "medlemsantal, verksamhetsberättelse och ekonomisk redovisning.</p>"),
        subject_en="Decision: {{ association.name }} is registered in the register of "
                   "associations",
        body_en=(
            "<p>{{ association.name }} is registered in the City of Västerås register of "
            "associations from {{ decision.date }}.</p>\n"
            "<p>Welcome! The association can now sign the local agreement (LÖK), apply for "
            "grants and book the premises that registered associations may book.</p>\n"
            "<p>{{ applicant.name }}, who registered the association, is its administrator in "
            "lokapp and can invite others from the association.</p>\n"
            "<p>Every year after the annual meeting the association submits an annual update "
            "with its membership, annual report and accounts.</p>"),
    ),
    KindSpec(
        LetterKind.REGISTRATION_REJECTED, "registration", REJECTED,
        subject_sv="Beslut om registrering av {{ association.name }}",
        body_sv=(
            "<p>{{ association.name }} blir inte registrerad i Västerås stads "
            "föreningsregister.</p>\n"
            "<p>Varför vi har beslutat så står under rubriken Skäl för beslutet. Föreningen är "
            "välkommen att ansöka igen när den uppfyller villkoren.</p>"),
        subject_en="Decision on the registration of {{ association.name }}",
        body_en=(
            "<p>{{ association.name }} will not be registered in the City of Västerås register "
            "of associations.</p>\n"
            "<p>The reasons are given under the heading Reasons for the decision. The "
            "association is welcome to apply again when it meets the conditions.</p>"),
    ),
    KindSpec(
        LetterKind.ANNUAL_UPDATE_APPROVED, "annual_update", APPROVED,
        subject_sv="Beslut: den årliga uppdateringen för {{ association.name }} är godkänd",
        body_sv=(
            "<p>Den årliga uppdateringen för {{ year }} från {{ association.name }} är "
            "godkänd.</p>\n"
            "<p>Föreningen finns kvar i föreningsregistret och kan fortsätta att söka "
            "bidrag.</p>"),
        subject_en="Decision: the annual update of {{ association.name }} is approved",
        body_en=(
            "<p>The annual update for {{ year }} from {{ association.name }} is approved.</p>\n"
            "<p>The association stays in the register and may go on applying for grants.</p>"),
        sample={"year": 2026},
    ),
    KindSpec(
        LetterKind.CHANGE_APPROVED, "sensitive_change", APPROVED,
        subject_sv="Beslut: ändringen för {{ association.name }} är godkänd",
        body_sv=(
            "<p>Ändringen av föreningens uppgifter är godkänd och gäller från och med "
            "{{ decision.date }}:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.old }} ändras "
            "till {{ change.new }}</li>{% endfor %}</ul>"),
        subject_en="Decision: the change for {{ association.name }} is approved",
        body_en=(
            "<p>The change of the association's details is approved and applies from "
            "{{ decision.date }}:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.old }} becomes "
            "{{ change.new }}</li>{% endfor %}</ul>"),
        sample=_CHANGES_SAMPLE,
    ),
    KindSpec(
        LetterKind.CHANGE_REJECTED, "sensitive_change", REJECTED,
        subject_sv="Beslut: ändringen för {{ association.name }} är avslagen",
        body_sv=(
            "<p>Ändringen av föreningens uppgifter godkänns inte. De tidigare uppgifterna "
            "gäller fortfarande:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.old }} (begärd "
            "ändring: {{ change.new }})</li>{% endfor %}</ul>"),
        subject_en="Decision: the change for {{ association.name }} is rejected",
        body_en=(
            "<p>The change of the association's details is not approved. The earlier details "
            "still apply:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.old }} (requested: "
            "{{ change.new }})</li>{% endfor %}</ul>"),
        sample=_CHANGES_SAMPLE,
    ),
    # One kind for every grant outcome. The grants domain passes the outcome, the amounts and
    # the programme's appeal variant (lokapp.grants.letters): the decision lines come as
    # ``changes`` (label and new value), the reasons for a partial or rejected grant under
    # the heading Skäl för beslutet.
    KindSpec(
        LetterKind.GRANT_DECISION, "grant_application", APPROVED,
        subject_sv="Beslut om {{ case.subject }}",
        body_sv=(
            "<p>Vi har beslutat om ansökan {{ case.number }} från {{ association.name }}, som "
            "kom in {{ case.submitted_on }}.</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>Ett beviljat bidrag betalas ut till föreningens bankgiro eller plusgiro. Om "
            "bidraget ska redovisas får föreningen veta hur och när i lokapp.</p>"),
        subject_en="Decision on {{ case.subject }}",
        body_en=(
            "<p>We have decided on application {{ case.number }} from {{ association.name }}, "
            "received {{ case.submitted_on }}.</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>A grant is paid to the association's bankgiro or plusgiro. If the grant must "
            "be reported on, the association is told how and when in lokapp.</p>"),
        sample={"changes": [
            {"label": "Beslut", "old": "", "new": "Delvis beviljad"},
            {"label": "Sökt belopp", "old": "", "new": "40 000 kronor"},
            {"label": "Beviljat belopp", "old": "", "new": "25 000 kronor"}]},
    ),
    # Återkrav: the association pays back (part of) a grant – the report was not given, or
    # showed the money was not used as granted. lokapp.grants.letters passes the amounts as
    # ``changes`` and the officer's reasons under Skäl för beslutet (always required).
    KindSpec(
        LetterKind.GRANT_RECOVERY, "grant_application", REJECTED,
        subject_sv="Beslut om återkrav: {{ case.subject }}",
        body_sv=(
            "<p>Vi har beslutat att {{ association.name }} ska betala tillbaka bidrag som "
            "beviljades i ärende {{ case.number }}.</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>Bidrag som ännu inte har betalats ut betalas inte ut. Västerås stad skickar en "
            "faktura på det belopp som ska betalas tillbaka. Varför vi har beslutat så står "
            "under rubriken Skäl för beslutet.</p>"),
        subject_en="Decision on recovery: {{ case.subject }}",
        body_en=(
            "<p>We have decided that {{ association.name }} shall pay back grant money granted "
            "in case {{ case.number }}.</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>Grant money not yet paid out will not be paid. The City of Västerås sends an "
            "invoice for the amount to be paid back. The reasons are given under the heading "
            "Reasons for the decision.</p>"),
        sample={"changes": [
            {"label": "Beviljat belopp", "old": "", "new": "40 000 kronor"},
            {"label": "Belopp som ska betalas tillbaka", "old": "", "new": "15 000 kronor"}]},
        # Registered by lokapp.grants.letters for the grant's recovery state.
        is_state_decision=False,
    ),
    # The result of a seasonal allocation round (säsongsbokning), one kind whatever the
    # outcome: lokapp.bookings.season_letters passes one line per wish as ``changes`` (the
    # wish and what it got) and the reasons for the wishes not met under Skäl för beslutet.
    KindSpec(
        LetterKind.SEASON_ALLOCATION, "season_application", APPROVED,
        subject_sv="Beslut om {{ case.subject }}",
        body_sv=(
            "<p>Vi har fördelat tiderna i säsongsbokningen. Så här blev det för "
            "{{ association.name }} (ansökan {{ case.number }}, inkommen "
            "{{ case.submitted_on }}):</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>De tider föreningen har fått är bokade för hela säsongen och finns under Mina "
            "bokningar i lokapp. Helgdagar och dagar då lokalen är stängd är inte bokade.</p>\n"
            "<p>Tider som ingen har fått (resttider) kan bokas som vanligt i lokapp. Har ni "
            "frågor om fördelningen, kontakta lokalbokningen.</p>"),
        subject_en="Decision on {{ case.subject }}",
        body_en=(
            "<p>We have allocated the times of the seasonal booking round. This is the result "
            "for {{ association.name }} (application {{ case.number }}, received "
            "{{ case.submitted_on }}):</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>The times the association was given are booked for the whole season and are "
            "listed under My bookings in lokapp. Public holidays and days the premises is "
            "closed are not booked.</p>\n"
            "<p>Times nobody was given (leftover times) can be booked as usual in lokapp. If "
            "you have questions about the allocation, contact the bookings office.</p>"),
        sample={"changes": [
            {"label": "Tisdagar 18:00–20:00, Bäckby idrottshall", "old": "",
             "new": "Tilldelad (Bäckby idrottshall)"},
            {"label": "Torsdagar 17:00–19:00, Skiljebohallen", "old": "",
             "new": "Inte tilldelad"}]},
    ),
    # Booking requests on premises that need approval, and cancellations by the city of
    # booked times (lokapp.bookings.letters). The times are the ``changes`` (label = the
    # premises, new = the date and time); the reasons of a rejection or cancellation come
    # under Skäl för beslutet. Appeal: laglighetsprövning (a municipal decision under no
    # special law).
    KindSpec(
        LetterKind.BOOKING_APPROVED, "booking", APPROVED,
        subject_sv="Beslut: din bokning {{ case.number }} är godkänd",
        body_sv=(
            "<p>Din bokningsförfrågan {{ case.number }}, som kom in {{ case.submitted_on }}, "
            "är godkänd. Du får använda lokalen de här tiderna:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>Priset, villkoren och hur du kommer in i lokalen finns under bokningen i "
            "lokapp. Om du avbokar gäller lokalens regler för avbokning.</p>"),
        subject_en="Decision: your booking {{ case.number }} is approved",
        body_en=(
            "<p>Your booking request {{ case.number }}, received {{ case.submitted_on }}, is "
            "approved. You may use the premises at these times:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>The price, the terms and how to get into the premises are shown with the "
            "booking in lokapp. If you cancel, the premises' cancellation rules apply.</p>"),
        sample=_BOOKING_SAMPLE,
    ),
    KindSpec(
        LetterKind.BOOKING_REJECTED, "booking", REJECTED,
        subject_sv="Beslut: din bokningsförfrågan {{ case.number }} är avslagen",
        body_sv=(
            "<p>Din bokningsförfrågan {{ case.number }}, som kom in {{ case.submitted_on }}, "
            "är avslagen. Beslutet gäller de här tiderna:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>Varför vi har beslutat så står under rubriken Skäl för beslutet. Tiderna är "
            "lediga igen, och du är välkommen att boka en annan tid.</p>"),
        subject_en="Decision: your booking request {{ case.number }} is rejected",
        body_en=(
            "<p>Your booking request {{ case.number }}, received {{ case.submitted_on }}, is "
            "rejected. The decision concerns these times:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>The reasons are given under the heading Reasons for the decision. The times "
            "are free again, and you are welcome to book another time.</p>"),
        sample=_BOOKING_SAMPLE,
    ),
    KindSpec(
        LetterKind.BOOKING_CANCELLED, "booking", REJECTED,
        subject_sv="Beslut: tider i din bokning {{ case.number }} är avbokade",
        body_sv=(
            "<p>Vi har avbokat de här tiderna i din bokning {{ case.number }}:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>Varför står under rubriken Skäl för beslutet. Du betalar inte för tider som "
            "vi har avbokat. Dina andra tider i bokningen gäller som förut.</p>"),
        subject_en="Decision: times in your booking {{ case.number }} are cancelled",
        body_en=(
            "<p>We have cancelled these times in your booking {{ case.number }}:</p>\n"
            "<ul>{% for change in changes %}<li>{{ change.label }}: {{ change.new }}</li>"
            "{% endfor %}</ul>\n"
            "<p>The reasons are given under the heading Reasons for the decision. You do not "
            "pay for times we have cancelled. Your other times in the booking stay as they "
            "were.</p>"),
        sample=_BOOKING_SAMPLE,
        is_state_decision=False,
    ),
)}

# The register's decisions (``issue_decision_letter(case, decision)``) are kind names.
DECISIONS = {kind.value: kind for kind in KINDS}


def spec_for(kind: LetterKind | str) -> KindSpec:
    return KINDS[LetterKind(kind)]
