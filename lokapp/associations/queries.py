"""Read side of the public directory (``/foreningar``) and the open data (``/api/v1``).

*Listed* means: ``register_state == registered`` and ``is_public`` (the association opted in).
Only listed associations are ever read here, and only their **public fields** leave this module
(:func:`public_record` – the one definition the API, the CSV and the README follow): name,
organisationsnummer, legal form, category, districts, target groups, languages, description,
public email/phone/web, city, founded year, accessible premises, LÖK signatory. Never bank
details, member counts, board members, documents or the street address.

Every function here issues a fixed number of statements whatever the number of associations:
collections are loaded with ``selectinload`` (one statement each per page) and the LÖK
signatory flags of a page with one statement.

The LÖK signatory filter and flag use ``lokapp.agreement.queries.signed_current_select()`` – a
``select`` of the association ids with a standing signature of the agreement version in force
today. It is imported inside the functions, so the directory works (with nobody a signatory)
where the agreement package is absent.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from babel import Locale
from flask import current_app, url_for
from flask_babel import get_locale
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy.orm import aliased, selectinload

from lokapp.associations import search
from lokapp.associations.models import (
    Association,
    AssociationLanguage,
    Category,
    District,
    RegisterState,
    TargetGroup,
)
from lokapp.core.time import STOCKHOLM
from lokapp.extensions import db

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # beyond any real register; keeps OFFSET within the databases' range
CHUNK_SIZE = 500  # rows loaded at a time when streaming the whole register


def is_listed() -> sa.ColumnElement[bool]:
    """The condition for appearing in the directory and the open data."""
    return sa.and_(Association.is_public.is_(True),
                   Association.register_state == RegisterState.REGISTERED)


@dataclass(frozen=True)
class DirectoryFilter:
    """A search of the directory: free text plus filters, all optional (keys, not ids)."""

    q: str = ""
    category: str = ""
    district: str = ""
    target_group: str = ""
    language: str = ""
    accessible: bool = False
    lok_signatory: bool = False

    def params(self) -> dict[str, str]:
        """The filter as URL parameters (only those set), in a fixed order."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is True:
                out[f.name] = "1"
            elif value:
                out[f.name] = value
        return out

    @property
    def is_empty(self) -> bool:
        return not self.params()


# --- the LÖK -----------------------------------------------------------------------------------

def signed_current_select() -> sa.Select | None:
    """Association ids with a standing signature of the current LÖK (None without the agreement
    package)."""
    try:
        from lokapp.agreement.queries import signed_current_select as _signed
    except ImportError:  # pragma: no cover - the agreement package is part of lokapp
        return None
    return _signed()


def signatory_ids(association_ids: Iterable[int]) -> set[int]:
    """Which of ``association_ids`` have signed the current LÖK (one statement)."""
    ids = list(association_ids)
    signed = signed_current_select()
    if not ids or signed is None:
        return set()
    subquery = signed.subquery()
    column = next(iter(subquery.c))
    return set(db.session.scalars(sa.select(column).where(column.in_(ids)).distinct()))


# --- selecting ---------------------------------------------------------------------------------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def filtered_select(flt: DirectoryFilter) -> sa.Select:
    """``select(Association)`` of the listed associations matching ``flt``, in directory
    order: best match first when searching, otherwise Swedish alphabetical order."""
    stmt = sa.select(Association).where(is_listed())
    if flt.category:
        stmt = stmt.where(Association.category_id == sa.select(Category.id)
                          .where(Category.key == flt.category).scalar_subquery())
    if flt.district:
        stmt = stmt.where(Association.districts.any(District.key == flt.district))
    if flt.target_group:
        stmt = stmt.where(Association.target_groups.any(TargetGroup.key == flt.target_group))
    if flt.language:
        stmt = stmt.where(Association.languages.any(AssociationLanguage.code == flt.language))
    if flt.accessible:
        stmt = stmt.where(Association.has_accessible_premises.is_(True))
    if flt.lok_signatory:
        signed = signed_current_select()
        stmt = stmt.where(Association.id.in_(signed) if signed is not None else sa.false())
    stmt = search.apply_search(stmt, search.parse_query(flt.q), _dialect())
    return stmt.order_by(Association.sort_key, Association.id)


def _eager() -> tuple:
    """Load what a card shows: one statement per collection for a whole page."""
    return (selectinload(Association.districts), selectinload(Association.target_groups),
            selectinload(Association.languages))


@dataclass
class DirectoryPage:
    pagination: Pagination
    signatories: set[int]

    @property
    def items(self) -> list[Association]:
        return list(self.pagination.items)

    @property
    def total(self) -> int:
        return self.pagination.total or 0

    def is_signatory(self, association: Association) -> bool:
        return association.id in self.signatories


class _Pagination(SelectPagination):
    """Flask-SQLAlchemy's pagination, counting ids only (its own count wraps the whole
    select, every column of every row, in a subquery)."""

    def _query_count(self) -> int:
        select = self._query_args["select"]
        ids = select.order_by(None).with_only_columns(Association.id).subquery()
        return self._query_args["session"].execute(
            sa.select(sa.func.count()).select_from(ids)).scalar()


def directory_page(flt: DirectoryFilter, page: int = 1, per_page: int = PER_PAGE) -> DirectoryPage:
    """One page of matches with everything a card shows loaded (six statements)."""
    pagination = _Pagination(select=filtered_select(flt).options(*_eager()),
                             session=db.session(), page=page, per_page=per_page,
                             max_per_page=MAX_PER_PAGE, error_out=False)
    return DirectoryPage(pagination, signatory_ids(a.id for a in pagination.items))


def iter_matches(flt: DirectoryFilter, chunk_size: int = CHUNK_SIZE
                 ) -> Iterator[tuple[Association, bool]]:
    """Every match in directory order with its signatory flag, loaded ``chunk_size`` at a time
    (for the CSV: memory and statements grow with chunks, not rows)."""
    ids = list(db.session.scalars(filtered_select(flt).with_only_columns(Association.id)))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start:start + chunk_size]
        rows = db.session.scalars(sa.select(Association).where(Association.id.in_(chunk))
                                  .options(*_eager())).all()
        by_id = {a.id: a for a in rows}
        signed = signatory_ids(chunk)
        for association_id in chunk:
            if association_id in by_id:
                yield by_id[association_id], association_id in signed
        for association in rows:  # keep the identity map small while streaming
            db.session.expunge(association)


def get_listed(association_id: int) -> Association | None:
    """A listed association with its collections loaded, or None (not found, not public,
    not registered – the caller answers 404 to all three alike)."""
    return db.session.scalar(
        sa.select(Association).where(Association.id == association_id, is_listed())
        .options(*_eager()))


# --- freshness (ETag / Last-Modified of the open data) ----------------------------------------

@dataclass(frozen=True)
class Freshness:
    total: int
    last_modified: datetime | None
    fingerprint: str

    def etag(self, *parts: Any) -> str:
        raw = "|".join([self.fingerprint, *(str(p) for p in parts)])
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


def freshness(flt: DirectoryFilter) -> Freshness:
    """What the open-data validators are made of, in at most two statements: the number of
    matches and their latest ``updated_at`` (bumped by any change to a published field,
    collections included – see lokapp/associations/search.py); for the signatory flags, the
    number and id sum of the matching signatories, the current LÖK version and the latest
    signing or withdrawal among the matches."""
    matching = filtered_select(flt).order_by(None).with_only_columns(
        Association.id, Association.updated_at).subquery()
    signed = signed_current_select()
    columns = [sa.func.count(), sa.func.max(matching.c.updated_at)]
    if signed is not None:
        signed_column = next(iter(signed.subquery().c))
        is_signed = matching.c.id.in_(sa.select(signed_column))
        columns += [sa.func.count(sa.case((is_signed, 1))),
                    sa.func.coalesce(sa.func.sum(sa.case((is_signed, matching.c.id))), 0)]
    row = db.session.execute(sa.select(*columns).select_from(matching)).one()
    total, last_modified = row[0], _aware(row[1])
    parts = [str(total), last_modified.isoformat() if last_modified else "-",
             *(str(value) for value in row[2:])]
    if signed is not None:
        agreement_changed_at, version_id = _agreement_freshness(matching)
        parts.append(str(version_id))
        if agreement_changed_at is not None:
            last_modified = max(filter(None, (last_modified, agreement_changed_at)))
    return Freshness(total, last_modified, "|".join(parts))


def last_change(association: Association) -> datetime:
    """When an association's published record last changed: its ``updated_at`` or a LÖK
    signing or withdrawal, whichever is later."""
    one = sa.select(Association.id, Association.updated_at).where(
        Association.id == association.id).subquery()
    changed_at, _version = _agreement_freshness(one)
    updated_at = _aware(association.updated_at)
    return max(updated_at, changed_at) if changed_at is not None else updated_at


def _agreement_freshness(matching) -> tuple[datetime | None, int | None]:
    """The latest signing or withdrawal among the matches, and the current version's id. A
    version becomes current at midnight of its effective date without any row changing, so
    that moment counts as a change too."""
    try:
        from lokapp.agreement.models import AgreementSignature
        from lokapp.agreement.queries import current_version_select
    except ImportError:  # pragma: no cover
        return None, None
    current = current_version_select().subquery()
    row = db.session.execute(sa.select(
        sa.select(sa.func.max(sa.func.coalesce(AgreementSignature.withdrawn_at,
                                               AgreementSignature.signed_at)))
        .where(AgreementSignature.association_id.in_(sa.select(matching.c.id)))
        .scalar_subquery(),
        sa.select(current.c.id).scalar_subquery(),
        sa.select(current.c.effective_from).scalar_subquery(),
    )).one()
    changed_at = _aware(row[0])
    if row[2] is not None:
        effective = row[2] if isinstance(row[2], date) else date.fromisoformat(str(row[2]))
        started = datetime.combine(effective, time.min, tzinfo=STOCKHOLM).astimezone(UTC)
        changed_at = max(filter(None, (changed_at, started)))
    return changed_at, row[1]


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back aggregates of datetimes as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- filter choices ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    key: str
    name: str


@dataclass(frozen=True)
class FilterChoices:
    categories: list[Choice]
    districts: list[Choice]
    target_groups: list[Choice]
    languages: list[Choice]


def _locale_is_english() -> bool:
    return str(get_locale() or "sv").startswith("en")


def filter_choices(*, english: bool | None = None) -> FilterChoices:
    """The values each filter offers (four small statements): the active categories,
    districts and target groups, and the languages that listed associations use."""
    english = _locale_is_english() if english is None else english
    categories = db.session.scalars(sa.select(Category).where(Category.is_active.is_(True))
                                    .order_by(Category.sort_order, Category.id)).all()
    districts = db.session.scalars(sa.select(District).where(District.is_active.is_(True))
                                   .order_by(District.sort_order, District.id)).all()
    groups = db.session.scalars(sa.select(TargetGroup).where(TargetGroup.is_active.is_(True))
                                .order_by(TargetGroup.sort_order, TargetGroup.id)).all()
    codes = db.session.scalars(_listed_language_codes()).all()
    languages = [Choice(code, language_name(code, english=english)) for code in codes]
    languages.sort(key=lambda c: (c.key != "sv", search.sort_key(c.name)))
    return FilterChoices(
        categories=[Choice(c.key, c.name_en if english else c.name_sv) for c in categories],
        districts=[Choice(d.key, d.name) for d in districts],
        target_groups=[Choice(g.key, g.name_en if english else g.name_sv) for g in groups],
        languages=languages,
    )


def _listed_language_codes() -> sa.Select:
    """The language codes listed associations use, in a time that does not grow with the
    register: the distinct codes walked through the code index one by one (a recursive
    "loose index scan"), then for each code one listed association found by ``LIMIT 1``.
    A DISTINCT over the join of every listed association's languages took 13 ms at 10,000
    associations; this takes well under 1 ms on both databases."""
    lang = AssociationLanguage.__table__
    walk = sa.select(sa.func.min(lang.c.code).label("code")).cte("codes", recursive=True)
    walk = walk.union_all(
        sa.select(sa.select(sa.func.min(lang.c.code)).where(lang.c.code > walk.c.code)
                  .scalar_subquery())
        .where(walk.c.code.is_not(None)))
    used_by = aliased(AssociationLanguage)
    one_listed = (sa.select(used_by.association_id)
                  .join(Association, Association.id == used_by.association_id)
                  .where(used_by.code == walk.c.code, is_listed())
                  .limit(1).scalar_subquery())
    return sa.select(walk.c.code).where(walk.c.code.is_not(None), one_listed.is_not(None))


def language_name(code: str, *, english: bool = False) -> str:
    """The name of a language code: the register form's list first, then Babel's CLDR names."""
    if not english:
        try:
            from lokapp.associations.forms import LANGUAGES
        except ImportError:  # pragma: no cover - the register form defines the list
            LANGUAGES = {}
        if code in LANGUAGES:
            return str(LANGUAGES[code])
    name = Locale("en" if english else "sv").languages.get(code)
    return name[:1].upper() + name[1:] if name else code


# --- the public record -------------------------------------------------------------------------

def detail_url(association_id: int) -> str:
    """The association's page in the directory, absolute (``SERVER_BASE_URL`` + path)."""
    return current_app.config["SERVER_BASE_URL"].rstrip("/") + url_for(
        "directory.detail", association_id=association_id)


def public_record(association: Association, *, is_signatory: bool) -> dict[str, Any]:
    """The public fields of a listed association – exactly what the open data publishes."""
    return {
        "id": association.id,
        "name": association.name,
        "orgnr": association.orgnr_display or None,
        "legal_form": association.legal_form.value,
        "category": {"key": association.category.key, "name": association.category.name_sv},
        "districts": [{"key": d.key, "name": d.name} for d in association.districts],
        "target_groups": [{"key": g.key, "name": g.name_sv} for g in association.target_groups],
        "languages": [{"code": lang.code, "name": language_name(lang.code)}
                      for lang in association.languages],
        "description": association.description or "",
        "email": association.email or None,
        "phone": association.phone or None,
        "website": association.website or None,
        "city": association.city or None,
        "founded_year": association.founded_year,
        "has_accessible_premises": bool(association.has_accessible_premises),
        "is_lok_signatory": bool(is_signatory),
        "url": detail_url(association.id),
        "updated_at": _aware(association.updated_at).isoformat().replace("+00:00", "Z"),
    }


def website_href(website: str | None) -> str | None:
    """A safe link for a website as the association wrote it: http(s) only, ``https://`` added
    when no scheme was given; None for anything else (``javascript:`` and the like)."""
    if not website or any(ch.isspace() or ord(ch) < 32 for ch in website.strip()):
        return None
    value = website.strip()
    scheme, sep, _rest = value.partition("://")
    if not sep:
        if ":" in value.split("/", 1)[0] and not value.split(":", 1)[1][:1].isdigit():
            return None  # another scheme, e.g. javascript:alert(1)
        return "https://" + value
    return value if scheme.lower() in {"http", "https"} else None


def phone_href(phone: str | None) -> str | None:
    """A ``tel:`` link from a Swedish or international number (digits and a leading +)."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 5:
        return None
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits
