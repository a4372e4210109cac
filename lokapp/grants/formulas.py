"""Formula rules: programmes where the requested amount follows from data.

aktivitetsstöd (``FormulaKind.ACTIVITY``)
    The association reports its sammankomster (occasions) in a period: date, activity, the
    number of participants within the programme's age range (for example 7–25 years) and the
    number of leaders. An occasion *counts* when it lies within the period, has taken place,
    has at least one leader, has at least ``formula_min_group`` participants in the age range
    and is not the same date and activity as an earlier row. Then::

        requested = participant-occasions × formula_rate_sek
                    + counted occasions × formula_occasion_sek (optional, 0 if unset)

    capped at the programme's ``max_amount_sek``. The rows are stored structured
    (``GrantOccasion``) – they are the participant-occasions the equal-treatment report uses.

lokalbidrag (``FormulaKind.RENT``)
    The association lists the premises it rents, with the yearly rent. Premises rented from
    the city do not count (the city's own premises are subsidised through its tariffs)::

        requested = ⌊ formula_share_percent % × yearly rent of counted premises ⌋

    capped at ``max_amount_sek``. Each counted premises needs its rental contract attached.

The computations (:func:`compute_activity`, :func:`compute_rent`) are pure functions of a
rule and rows, so the officer's case page shows exactly the calculation that was submitted:
``GrantApplication.formula_result`` keeps the rule's parameters and the totals as of the last
save and of the submission. Services here flush, never commit.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from lokapp.core.time import today_local
from lokapp.extensions import db
from lokapp.grants.models import (
    ABSURD_AMOUNT_SEK,
    LINE_MAX,
    FormulaKind,
    GrantApplication,
    GrantOccasion,
    GrantProgramme,
    GrantRentedPremises,
)

# Beyond these, a number is a typing mistake (or a file in the wrong columns).
MAX_PARTICIPANTS = 1000
MAX_LEADERS = 100
MAX_OCCASIONS = 2000
MAX_PREMISES = 50
MAX_RATE_SEK = 1000
MAX_OCCASION_SEK = 10_000
MAX_PERIOD_DAYS = 366
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILE_ERRORS = 20
MAX_SCAN_ROWS = 5 * MAX_OCCASIONS
CONTRACT_LABEL_PREFIX = "Hyreskontrakt – "
PROGRAMME_COLUMNS = ("formula_kind", "formula_rate_sek", "formula_occasion_sek",
                     "formula_age_min", "formula_age_max", "formula_min_group",
                     "formula_share_percent")


class FormulaError(ValueError):
    """Refused input; ``messages`` are Swedish sentences (line-numbered for files)."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def sek(amount: int) -> str:
    """``4 144 kr`` with a no-break space as thousands separator."""
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def applies(programme: GrantProgramme) -> bool:
    return programme.is_monetary and programme.formula_kind not in (None, FormulaKind.NONE)


# --- rules ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActivityRule:
    rate_sek: int
    occasion_sek: int
    age_min: int
    age_max: int
    min_group: int
    cap_sek: int | None = None

    @classmethod
    def of(cls, programme: GrantProgramme) -> ActivityRule:
        return cls(rate_sek=programme.formula_rate_sek or 0,
                   occasion_sek=programme.formula_occasion_sek or 0,
                   age_min=programme.formula_age_min if programme.formula_age_min is not None
                   else 7,
                   age_max=programme.formula_age_max if programme.formula_age_max is not None
                   else 25,
                   min_group=programme.formula_min_group or 1,
                   cap_sek=programme.max_amount_sek)

    @property
    def ages(self) -> str:
        return f"{self.age_min}–{self.age_max}"


@dataclass(frozen=True)
class RentRule:
    share_percent: int
    cap_sek: int | None = None

    @classmethod
    def of(cls, programme: GrantProgramme) -> RentRule:
        return cls(share_percent=programme.formula_share_percent or 0,
                   cap_sek=programme.max_amount_sek)


def rule_of(programme: GrantProgramme) -> ActivityRule | RentRule | None:
    if not applies(programme):
        return None
    if programme.formula_kind == FormulaKind.ACTIVITY:
        return ActivityRule.of(programme)
    return RentRule.of(programme)


def _rule_from(kind: str, params: dict[str, Any]) -> ActivityRule | RentRule:
    return (ActivityRule if kind == FormulaKind.ACTIVITY.value else RentRule)(**params)


# --- rows and results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Occasion:
    occurred_on: date
    activity: str
    participants: int
    leaders: int
    line: int | None = None  # the row of the table or file, for messages


@dataclass(frozen=True)
class Premises:
    name: str
    address: str
    yearly_rent_sek: int
    is_municipal: bool = False
    line: int | None = None


@dataclass
class Judged:
    row: Any
    number: int  # 1-based row number as the applicant sees it
    reason: str | None = None  # None: counted

    @property
    def counted(self) -> bool:
        return self.reason is None


@dataclass
class Result:
    kind: FormulaKind
    rule: ActivityRule | RentRule
    rows: list[Judged]
    computed_sek: int
    period_start: date | None = None
    period_end: date | None = None
    occasions: int = 0
    participant_occasions: int = 0
    leader_occasions: int = 0
    rent_sek: int = 0
    premises: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def requested_sek(self) -> int:
        cap = self.rule.cap_sek
        return min(self.computed_sek, cap) if cap else self.computed_sek

    @property
    def is_capped(self) -> bool:
        return self.requested_sek < self.computed_sek

    @property
    def not_counted(self) -> list[Judged]:
        return [j for j in self.rows if not j.counted]

    @property
    def counted(self) -> list[Judged]:
        return [j for j in self.rows if j.counted]

    def explanation(self) -> str:
        """The calculation in one Swedish sentence, for example
        ``42 sammankomster, 518 deltagartillfällen × 8 kr = 4 144 kr``."""
        if self.kind == FormulaKind.ACTIVITY:
            rule = self.rule
            occasions = ngettext("%(num)d sammankomst", "%(num)d sammankomster", self.occasions)
            participants = ngettext("%(num)d deltagartillfälle", "%(num)d deltagartillfällen",
                                    self.participant_occasions)
            # Only the counted nouns are words; the arithmetic reads the same in every language.
            if rule.occasion_sek:
                text = f"{occasions} × {sek(rule.occasion_sek)} + {participants} × " \
                       f"{sek(rule.rate_sek)} = {sek(self.computed_sek)}"
            else:
                text = f"{occasions}, {participants} × {sek(rule.rate_sek)} = " \
                       f"{sek(self.computed_sek)}"
        else:
            text = _("Hyra %(rent)s × %(share)d %% = %(amount)s", rent=sek(self.rent_sek),
                     share=self.rule.share_percent, amount=sek(self.computed_sek))
        if self.is_capped:
            text += " " + _("Högsta belopp är %(cap)s, så föreningen söker %(amount)s.",
                            cap=sek(self.rule.cap_sek), amount=sek(self.requested_sek))
        return text

    def snapshot(self) -> dict[str, Any]:
        """What ``GrantApplication.formula_result`` keeps: the rule and the totals."""
        return {
            "kind": self.kind.value, "params": asdict(self.rule),
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "occasions": self.occasions, "occasions_reported": len(self.rows)
            if self.kind == FormulaKind.ACTIVITY else 0,
            "participant_occasions": self.participant_occasions,
            "leader_occasions": self.leader_occasions,
            "premises": self.premises, "rent_sek": self.rent_sek,
            "computed_sek": self.computed_sek, "requested_sek": self.requested_sek,
        }


def compute_activity(rule: ActivityRule, period_start: date | None, period_end: date | None,
                     occasions: list[Occasion], *, today: date | None = None) -> Result:
    """Judge every occasion and add up the counted ones (pure; see the module docstring)."""
    today = today or today_local()
    judged: list[Judged] = []
    seen: dict[tuple[date, str], int] = {}
    for number, occasion in enumerate(occasions, start=1):
        key = (occasion.occurred_on, _fold(occasion.activity))
        if period_start and period_end and not \
                period_start <= occasion.occurred_on <= period_end:
            reason = _("Datumet ligger utanför perioden %(start)s–%(end)s.",
                       start=period_start.isoformat(), end=period_end.isoformat())
        elif occasion.occurred_on > today:
            reason = _("Sammankomsten har inte ägt rum ännu.")
        elif key in seen:
            reason = _("Samma datum och aktivitet som rad %(row)d.", row=seen[key])
        elif occasion.leaders < 1:
            reason = _("Ingen ledare.")
        elif occasion.participants < rule.min_group:
            reason = _("Färre än %(num)d deltagare i åldern %(ages)s år.",
                       num=rule.min_group, ages=rule.ages)
        else:
            reason = None
        seen.setdefault(key, number)
        judged.append(Judged(occasion, number, reason))
    counted = [j.row for j in judged if j.counted]
    participant_occasions = sum(o.participants for o in counted)
    return Result(
        kind=FormulaKind.ACTIVITY, rule=rule, rows=judged, period_start=period_start,
        period_end=period_end, occasions=len(counted),
        participant_occasions=participant_occasions,
        leader_occasions=sum(o.leaders for o in counted),
        computed_sek=participant_occasions * rule.rate_sek + len(counted) * rule.occasion_sek)


def compute_rent(rule: RentRule, premises: list[Premises]) -> Result:
    """Share of the yearly rent of premises not rented from the city (pure), whole kronor
    rounded down."""
    judged = []
    for number, row in enumerate(premises, start=1):
        if row.is_municipal:
            reason = _("Lokalen hyrs av Västerås stad och ger inte lokalbidrag.")
        elif row.yearly_rent_sek <= 0:
            reason = _("Ingen hyra.")
        else:
            reason = None
        judged.append(Judged(row, number, reason))
    rent = sum(j.row.yearly_rent_sek for j in judged if j.counted)
    return Result(kind=FormulaKind.RENT, rule=rule, rows=judged, rent_sek=rent,
                  premises=sum(1 for j in judged if j.counted),
                  computed_sek=rent * rule.share_percent // 100)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# --- an application's calculation ----------------------------------------------------------------

def _occasions_of(application: GrantApplication) -> list[Occasion]:
    return [Occasion(o.occurred_on, o.activity, o.participants, o.leaders)
            for o in application.occasions]


def _premises_of(application: GrantApplication) -> list[Premises]:
    return [Premises(p.name, p.address, p.yearly_rent_sek, p.is_municipal)
            for p in application.rented_premises]


def _compute(application: GrantApplication, rule: ActivityRule | RentRule,
             today: date | None = None) -> Result:
    if isinstance(rule, ActivityRule):
        return compute_activity(rule, application.period_start, application.period_end,
                                _occasions_of(application), today=today)
    return compute_rent(rule, _premises_of(application))


def result_for(application: GrantApplication) -> Result | None:
    """The calculation to show. While the association may change the application it follows
    the programme's current rule; after submission, the rule it was submitted under – and
    none for an application submitted before its programme had a formula."""
    if application.case.state in ("draft", "needs_completion"):
        return _compute(application, rule_of(application.programme)) \
            if applies(application.programme) else None
    stored = application.formula_result
    if not stored or stored.get("kind") not in (FormulaKind.ACTIVITY.value,
                                                FormulaKind.RENT.value):
        return None
    # Occasions are judged as of the day the calculation was stored (submission).
    return _compute(application, _rule_from(stored["kind"], stored["params"]),
                    today=_stored_day(stored))


def _stored_day(stored: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(stored.get("computed_on") or "")
    except ValueError:
        return None


def refresh(application: GrantApplication) -> Result | None:
    """Recompute with the programme's current rule and store the requested amount and the
    calculation (called when a step is saved and at submission)."""
    programme = application.programme
    if not applies(programme):
        return None
    result = _compute(application, rule_of(programme))
    application.requested_sek = result.requested_sek
    application.formula_result = {**result.snapshot(),
                                  "computed_on": today_local().isoformat()}
    db.session.flush()
    return result


def _editable(application: GrantApplication) -> None:
    from lokapp.grants.services import _editable as editable

    editable(application)  # one rule for every step of the application


def check_period(period_start: date | None, period_end: date | None) -> list[str]:
    """Messages about a bad period (empty list: fine)."""
    if period_start is None or period_end is None:
        return [_("Fyll i första och sista dag i perioden.")]
    if period_end < period_start:
        return [_("Periodens sista dag kan inte vara före den första.")]
    if period_end - period_start > timedelta(days=MAX_PERIOD_DAYS - 1):
        return [_("Perioden får vara högst ett år. Sök för varje period för sig.")]
    return []


def save_occasions(application: GrantApplication, *, period_start: date, period_end: date,
                   occasions: list[Occasion], user: Any) -> Result:
    """Replace the application's occasions and period, and recompute the amount."""
    from lokapp.grants.services import GrantError

    _editable(application)
    problems = check_period(period_start, period_end)
    if len(occasions) > MAX_OCCASIONS:
        problems.append(_("Högst %(max)d sammankomster per ansökan.", max=MAX_OCCASIONS))
    if problems:
        raise GrantError(" ".join(problems))
    application.period_start, application.period_end = period_start, period_end
    application.occasions.clear()
    db.session.flush()
    for position, occasion in enumerate(occasions):
        application.occasions.append(GrantOccasion(
            position=position, occurred_on=occasion.occurred_on,
            activity=occasion.activity[:LINE_MAX], participants=occasion.participants,
            leaders=occasion.leaders))
    db.session.flush()
    return refresh(application)


def save_premises(application: GrantApplication, *, premises: list[Premises],
                  user: Any) -> Result:
    """Replace the application's rented premises and recompute the amount. A contract
    attached for premises that are no longer listed stays among the attachments."""
    from lokapp.grants.services import GrantError

    _editable(application)
    if len(premises) > MAX_PREMISES:
        raise GrantError(_("Högst %(max)d lokaler per ansökan.", max=MAX_PREMISES))
    if sum(row.yearly_rent_sek for row in premises) > ABSURD_AMOUNT_SEK:
        # Each rent is checked in the form; their sum must also fit the amount columns.
        raise GrantError(_("Hyrorna är tillsammans orimligt stora. Kontrollera att du inte har "
                           "skrivit för många siffror."))
    application.rented_premises.clear()
    db.session.flush()
    for position, row in enumerate(premises):
        application.rented_premises.append(GrantRentedPremises(
            position=position, name=row.name[:LINE_MAX], address=row.address[:LINE_MAX],
            yearly_rent_sek=row.yearly_rent_sek, is_municipal=row.is_municipal))
    db.session.flush()
    return refresh(application)


def copy_previous(programme: GrantProgramme, source: GrantApplication,
                  application: GrantApplication) -> None:
    """"Copy last year's application": the rented premises come along (contracts do not –
    last year's files are last year's); occasions never do, they belong to their period."""
    if not applies(programme):
        return
    application.requested_sek, application.formula_result = None, None
    if programme.formula_kind != FormulaKind.RENT:
        return
    premises = [Premises(p.name, p.address, p.yearly_rent_sek, p.is_municipal)
                for p in source.rented_premises]
    for position, row in enumerate(premises):
        application.rented_premises.append(GrantRentedPremises(
            position=position, name=row.name, address=row.address,
            yearly_rent_sek=row.yearly_rent_sek, is_municipal=row.is_municipal))
    result = compute_rent(RentRule.of(programme), premises)
    application.requested_sek = result.requested_sek
    application.formula_result = {**result.snapshot(), "computed_on": today_local().isoformat()}


def contract_label(name: str) -> str:
    return (CONTRACT_LABEL_PREFIX + name)[:LINE_MAX]


def attachment_choices(application: GrantApplication) -> list[tuple[str, str]]:
    """Lokalbidrag: a rental contract for each premises that counts (``r<id>``)."""
    if not applies(application.programme) or \
            application.programme.formula_kind != FormulaKind.RENT:
        return []
    return [(f"r{p.id}", contract_label(p.name)) for p in application.rented_premises
            if not p.is_municipal and p.yearly_rent_sek > 0]


def missing_for_submit(application: GrantApplication) -> list[str]:
    """What the formula step still needs, one Swedish sentence each."""
    programme = application.programme
    if not applies(programme):
        return []
    missing: list[str] = []
    result = result_for(application)
    if programme.formula_kind == FormulaKind.ACTIVITY:
        if application.period_start is None or application.period_end is None:
            missing.append(_("Fyll i vilken period ansökan gäller."))
        if not application.occasions:
            missing.append(_("Fyll i föreningens sammankomster under perioden."))
        elif result.occasions == 0:
            missing.append(_("Ingen av sammankomsterna uppfyller villkoren, så det finns "
                             "inget att söka. Se skälen i listan över sammankomster."))
    else:
        if not application.rented_premises:
            missing.append(_("Fyll i lokalerna som föreningen hyr."))
        elif result.premises == 0:
            missing.append(_("Ingen av lokalerna ger lokalbidrag, så det finns inget att "
                             "söka."))
        labels = {a.label for a in application.attachments if a.question_id is None}
        for _value, label in attachment_choices(application):
            if label not in labels:
                missing.append(_("Bilagan ”%(label)s” saknas.", label=label))
    if result is not None and result.occasions + result.premises > 0 \
            and result.requested_sek <= 0:
        missing.append(_("Beräkningen ger 0 kronor, så det finns inget att söka."))
    return missing


def default_decision_amount(application: GrantApplication) -> str | None:
    """The decision form's amount: the computed amount of a formula programme."""
    result = result_for(application)
    return str(result.requested_sek) if result is not None else None


def normalise_programme(programme_data: Any) -> None:
    """Clear the parameters that do not belong to the chosen formula (``ProgrammeData``)."""
    kind = FormulaKind(programme_data.formula_kind or FormulaKind.NONE)
    if not programme_data.is_monetary:
        kind = FormulaKind.NONE
    programme_data.formula_kind = kind
    if kind != FormulaKind.ACTIVITY:
        programme_data.formula_rate_sek = programme_data.formula_occasion_sek = None
        programme_data.formula_age_min = programme_data.formula_age_max = None
        programme_data.formula_min_group = None
    if kind != FormulaKind.RENT:
        programme_data.formula_share_percent = None
    if kind != FormulaKind.NONE:
        programme_data.has_budget_table = False


# --- the occasion list as a file (CSV or Excel) ----------------------------------------------

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_WHOLE = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^-?\d+[,.]\d+$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_HEADERS = {
    "date": ("datum", "date", "dag"),
    "activity": ("aktivitet", "activity", "verksamhet", "sammankomst"),
    "participants": ("deltagare", "participants", "antal deltagare"),
    "leaders": ("ledare", "leaders", "antal ledare"),
}
COLUMNS = ("date", "activity", "participants", "leaders")


def save_occasion_file(application: GrantApplication, *, filename: str, data: bytes,
                       period_start: date, period_end: date, user: Any) -> Result:
    """Read an uploaded file of occasions and save them as :func:`save_occasions` does.

    Refused with :class:`FormulaError` (no file chosen, or the file's line-numbered problems)
    before anything is changed, or with ``GrantError`` by :func:`save_occasions`; either way
    nothing is to be kept and the caller rolls back.
    """
    if not filename:
        raise FormulaError(_("Välj en fil."))
    occasions = read_occasion_file(filename, data)
    return save_occasions(application, period_start=period_start, period_end=period_end,
                          occasions=occasions, user=user)


def read_occasion_file(filename: str, data: bytes) -> list[Occasion]:
    """The occasions of a CSV (semicolon, comma or tab separated) or Excel (.xlsx) file with
    the columns datum, aktivitet, deltagare, ledare (a header row is optional). Raises
    :class:`FormulaError` with line-numbered Swedish messages."""
    if not data:
        raise FormulaError(_("Filen är tom."))
    if len(data) > MAX_FILE_BYTES:
        raise FormulaError(_("Filen är för stor. Den får vara högst %(mb)d MB.",
                             mb=MAX_FILE_BYTES // (1024 * 1024)))
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise FormulaError(_("Äldre Excel-filer (.xls) går inte att läsa. Spara filen som "
                             ".xlsx eller CSV och försök igen."))
    elif b"\x00" in data[:2048] or data[:4] == b"%PDF":
        raise FormulaError(_("Filen måste vara en CSV-fil eller en Excel-fil (.xlsx)."))
    else:
        rows = _csv_rows(data)
    return _occasions_from_rows(rows)


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any broken or foreign zip
        raise FormulaError(_("Excel-filen går inte att läsa. Spara den på nytt som .xlsx "
                             "eller CSV och försök igen.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_SCAN_ROWS:
                break  # a sheet claiming a million empty rows is not read to the end
            if number > MAX_OCCASIONS + 1 and any(v not in (None, "") for v in values):
                raise FormulaError(_("Filen har fler än %(max)d rader. Dela upp den.",
                                     max=MAX_OCCASIONS))
            rows.append((number, list(values[:len(COLUMNS)])))
        return rows
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 decodes any byte
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max((";", ",", "\t"), key=first.count)
    rows = []
    for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter),
                                    start=1):
        if number > MAX_OCCASIONS + 1 and any(v.strip() for v in values):
            raise FormulaError(_("Filen har fler än %(max)d rader. Dela upp den.",
                                 max=MAX_OCCASIONS))
        rows.append((number, values))
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _column_order(header: list[Any]) -> list[str] | None:
    """Column names from a header row, or None if the row is data."""
    names = [_fold(_cell_text(v)) for v in header]
    if not any(re.search(r"[a-zåäö]", n) for n in names) or \
            _parse_day(header[0] if header else None) is not None:
        return None
    order = []
    for name in names:
        found = next((key for key, words in _HEADERS.items() if name in words), None)
        order.append(found or "")
    if set(COLUMNS) - {"leaders"} <= set(order):
        return order
    return list(COLUMNS)  # a header with other words: the columns are taken in order


def _parse_day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(_cell_text(value))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _parse_count(value: Any, what: str, line: int, maximum: int, *,
                 required: bool) -> tuple[int | None, str | None]:
    if isinstance(value, bool):
        value = None
    if isinstance(value, float) and not value.is_integer():
        value = str(value).replace(".", ",")
    text = _SPACES.sub("", _cell_text(value))
    if text == "":
        if required:
            return None, _("Rad %(line)d: fyll i %(what)s.", line=line, what=what)
        return 0, None
    if _DECIMAL.match(text):
        return None, _("Rad %(line)d: %(what)s ska vara ett heltal, inte ”%(value)s”.",
                       line=line, what=what, value=text)
    if text.startswith(("-", "−", "–")):
        return None, _("Rad %(line)d: %(what)s kan inte vara negativt.", line=line, what=what)
    if not _WHOLE.match(text):
        return None, _("Rad %(line)d: %(what)s ska skrivas med siffror, inte ”%(value)s”.",
                       line=line, what=what, value=text[:30])
    number = int(text)
    if number > maximum:
        return None, _("Rad %(line)d: %(what)s är orimligt många (%(value)d). Högst "
                       "%(max)d går.", line=line, what=what, value=number, max=maximum)
    return number, None


def _occasions_from_rows(rows: list[tuple[int, list[Any]]]) -> list[Occasion]:
    rows = [(n, values) for n, values in rows if any(_cell_text(v) for v in values)]
    if not rows:
        raise FormulaError(_("Filen innehåller inga sammankomster."))
    order = _column_order(rows[0][1])
    if order is not None:
        rows = rows[1:]
    order = order or list(COLUMNS)
    occasions, errors = [], []
    for line, values in rows:
        cells = {name: values[i] if i < len(values) else None
                 for i, name in enumerate(order) if name}
        row_errors = []
        day = _parse_day(cells.get("date"))
        raw_day = _cell_text(cells.get("date"))
        if day is None:
            row_errors.append(
                _("Rad %(line)d: fyll i datum, till exempel 2026-03-14.", line=line)
                if not raw_day else
                _("Rad %(line)d: datumet ”%(value)s” går inte att läsa. Skriv det som "
                  "2026-03-14.", line=line, value=raw_day[:30]))
        elif not 2000 <= day.year <= 2100:
            row_errors.append(_("Rad %(line)d: datumet %(value)s är orimligt.", line=line,
                                value=day.isoformat()))
        activity = _cell_text(cells.get("activity"))
        if not activity:
            row_errors.append(_("Rad %(line)d: fyll i aktivitet.", line=line))
        elif len(activity) > LINE_MAX or _CONTROL.search(activity):
            row_errors.append(_("Rad %(line)d: aktiviteten får vara högst %(max)d tecken "
                                "utan styrtecken.", line=line, max=LINE_MAX))
        participants, error = _parse_count(cells.get("participants"), _("antal deltagare"),
                                           line, MAX_PARTICIPANTS, required=True)
        if error:
            row_errors.append(error)
        leaders, error = _parse_count(cells.get("leaders"), _("antal ledare"), line,
                                      MAX_LEADERS, required=False)
        if error:
            row_errors.append(error)
        if row_errors:
            errors.extend(row_errors)
        else:
            occasions.append(Occasion(day, activity, participants, leaders, line=line))
    if errors:
        if len(errors) > MAX_FILE_ERRORS:
            more = len(errors) - MAX_FILE_ERRORS
            errors = errors[:MAX_FILE_ERRORS] + [_("… och %(num)d fel till.", num=more)]
        raise FormulaError(errors)
    return occasions
