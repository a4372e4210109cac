"""Demo associations for development: ``flask lok demo`` runs :func:`load_demo_associations`.

About forty invented Västerås associations across every category and many districts, with
descriptions, target groups, languages, member counts by age band and gender, and board members.
Most are listed in the public directory; a few are not (they did not opt in). Fifteen have
signed the current LÖK, each through its chair's demo account; the demo representative
``forening@demo.lokapp.se`` is administrator and firmatecknare of Bäckby Kulturförening.

Overdue annual updates: an association registered in an earlier year with no annual update for
this year is overdue; after the due date plus the grace period the status rule
(lokapp/associations/status.py) calls it spärrad. Five demo associations are like that. The
others were registered this year, so they owe no update yet. The register's cases
(registrations, an annual update, a bankgiro change) are made through the register's workflow
by the next step, :mod:`lokapp.associations.demo_cases`.

Everything is idempotent, keyed on the organisationsnummer (on the name for the one network
without one): a second run changes nothing; a run after someone edited a demo association puts
its demo values back. The organisationsnummer are invented (prefix 80290, valid check digit);
e-mail addresses and web sites use the reserved ``.example`` domain and phone numbers the range
PTS keeps for fiction (070-174 06 05 – 070-174 06 99).
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from stdnum import luhn

from lokapp.associations.models import (
    AgeBand,
    Association,
    AssociationLanguage,
    BoardMember,
    Category,
    District,
    Gender,
    LegalForm,
    MemberCount,
    RegisterState,
    TargetGroup,
)
from lokapp.auth.demo import DEMO_PASSWORD, demo_step
from lokapp.auth.models import AssociationMember, AssociationMemberRole, AssociationRole, User
from lokapp.auth.passwords import hash_password
from lokapp.core import audit
from lokapp.core.time import STOCKHOLM, today_local, utcnow
from lokapp.extensions import db

REPRESENTATIVE_EMAIL = "forening@demo.lokapp.se"
REPRESENTATIVE_ASSOCIATION = "Bäckby Kulturförening"


@dataclass(frozen=True)
class DemoAssociation:
    name: str
    category: str
    districts: tuple[str, ...]
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    description: str
    founded_year: int
    accessible: bool = False
    public: bool = True
    overdue: bool = False  # registered in an earlier year, no annual update this year
    signs_lok: bool = False
    legal_form: LegalForm = LegalForm.NONPROFIT
    city: str = "Västerås"
    size: int = 60  # roughly how many members


D = DemoAssociation
DEMO_ASSOCIATIONS: tuple[DemoAssociation, ...] = (
    D("Västerås Simsällskap", "sport", ("centrum", "hela_vasteras"),
      ("children", "youth", "adults"), ("sv", "en"),
      "Simskola för barn från fyra år, tävlingssim för ungdomar och motionssim för vuxna. "
      "Vi tränar i Lögarängsbadet och har simlärare som talar flera språk.",
      1904, accessible=True, signs_lok=True, size=900),
    D(REPRESENTATIVE_ASSOCIATION, "culture", ("backby",), ("everyone", "families", "newcomers"),
      ("sv", "ar", "so", "ku"),
      "Mötesplats i Bäckby centrum med läxhjälp, syjunta, musikkvällar och kulturfester.\n\n"
      "Alla är välkomna, oavsett var du kommer ifrån. Det kostar ingenting att komma och titta.",
      1998, accessible=True, signs_lok=True, size=140),
    D("PRO Skultuna", "pensioners", ("skultuna",), ("seniors",), ("sv", "fi"),
      "Pensionärsföreningen i Skultuna. Vi ordnar boule, cirkelträning, resor och kaffe med "
      "föredrag varje månad.", 1952, accessible=True, signs_lok=True, city="Skultuna", size=210),
    D("Syrianska kulturföreningen i Västerås", "minority_culture", ("rocklunda", "vallby"),
      ("everyone", "youth", "families"), ("sv", "ar"),
      "Vi bevarar och för vidare syriansk kultur, musik och språk. Söndagsskola för barn, "
      "folkdansgrupp och körsång på syriska och svenska.", 1979, signs_lok=True, size=320),
    D("Fotbollsklubben Vallby United", "sport", ("vallby", "rocklunda"), ("children", "youth"),
      ("sv", "en", "ar", "so"),
      "Fotbollsklubben för barn och unga från sex år. Träning på Rocklunda och i Vallby. Det "
      "kostar inget att prova på de första veckorna.", 2009, signs_lok=True, size=260),
    D("Västerås Kammarkör", "culture", ("centrum",), ("adults",), ("sv",),
      "Körsång i fyra stämmor, från renässans till nyskriven svensk körmusik. Vi repeterar på "
      "onsdagskvällar och söker särskilt tenorer.", 1961, size=38),
    D("Somaliska föräldraföreningen i Västerås", "social", ("backby", "skiljebo"),
      ("families", "children", "newcomers"), ("so", "sv"),
      "Stöd till föräldrar och läxhjälp för barn. Vi samarbetar med skolor och fritidsgårdar "
      "och hjälper nyanlända familjer att hitta rätt i Västerås.", 2012, signs_lok=True,
      size=85),
    D("Eritreanska föreningen Västerås", "minority_culture", ("ronnby", "raby"),
      ("everyone", "newcomers"), ("ti", "sv", "am"),
      "Kulturförening för eritreaner i Västerås. Språkcafé, kaffeceremonier, fotboll och hjälp "
      "med kontakter med myndigheter.", 2004, signs_lok=True, size=120),
    D("Sverigefinska föreningen i Västerås", "minority_culture", ("centrum", "hela_vasteras"),
      ("seniors", "adults", "families"), ("fi", "sv"),
      "Föreningen för sverigefinnar och alla som vill prata finska. Bastukvällar, sångkör och "
      "finskspråkiga bokcirklar.", 1969, accessible=True, signs_lok=True, size=230),
    D("Kurdiska kulturcentret Västerås", "minority_culture", ("raby",),
      ("everyone", "youth", "women"), ("ku", "sv"),
      "Newroz-firande, kurdisk folkdans, språkundervisning i kurmanji och sorani och träffar "
      "för kvinnor.", 1991, size=150),
    D("Folkbildningsföreningen Ljuset", "adult_education", ("centrum", "hammarby"),
      ("adults", "newcomers"), ("sv", "ar", "fa", "en"),
      "Studiecirklar i svenska, samhällskunskap och data för vuxna. Språkcafé varje tisdag på "
      "biblioteket.", 2015, accessible=True, signs_lok=True, size=70),
    D("Västerås Schackklubb", "sport", ("centrum",), ("children", "youth", "adults", "seniors"),
      ("sv", "en"),
      "Schack för alla åldrar. Klubbkvällar på torsdagar, nybörjarkurser och turneringar.",
      1911, size=95),
    D("Hälla Bordtennisklubb", "sport", ("halla",), ("youth", "adults"), ("sv",),
      "Bordtennis för nybörjare och tävlingsspelare i Hälla sporthall.", 1978, overdue=True,
      size=55),
    D("Skälby IF", "sport", ("skalby",), ("children", "youth"), ("sv",),
      "Idrottsförening med fotboll, friidrott och skidor för barn och ungdomar i Skälby.", 1946,
      size=310),
    D("Irsta Hembygdsförening", "culture", ("irsta",), ("everyone", "seniors"), ("sv",),
      "Vi vårdar hembygdsgården, ordnar midsommarfirande och slåtter och guidar vandringar om "
      "Irstas historia.", 1932, signs_lok=True, size=130),
    D("Dingtuna Ryttarsällskap", "sport", ("dingtuna",), ("children", "youth", "women"), ("sv",),
      "Ridskola med lektioner för nybörjare och vana ryttare. Hästarna bor på gården i "
      "Dingtuna och du får vara med i stallet.", 1987, size=180),
    D("Tillberga Scoutkår", "children_youth", ("tillberga",), ("children", "youth"), ("sv",),
      "Scouting för barn och ungdomar från åtta år: friluftsliv, hajker och sommarläger.", 1949,
      city="Tillberga", size=75),
    D("Mälardalens Miljövänner", "environment", ("hela_vasteras",), ("everyone",), ("sv", "en"),
      "Vi städar stränder vid Mälaren, ordnar fågelskådning och odlar tillsammans i "
      "stadsodlingen.", 2001, size=110),
    D("Stadsodlarna i Viksäng", "environment", ("viksang",), ("everyone", "families"),
      ("sv", "ar", "pl"),
      "Gemensamma odlingslotter i Viksäng. Vi lär oss av varandra och delar på skörden.", 2018,
      size=45),
    D("Funktionsrättsföreningen Tillsammans", "disability_rights", ("hela_vasteras",),
      ("disability", "families"), ("sv", "swl"),
      "Intresseförening för personer med funktionsnedsättning och deras anhöriga. Rådgivning, "
      "träffar och påverkansarbete.", 1994, accessible=True, signs_lok=True, size=160),
    D("Teckenspråksföreningen Hörselbron", "disability_rights", ("centrum",),
      ("disability", "adults"), ("swl", "sv"),
      "Träffpunkt för döva, hörselskadade och alla som använder svenskt teckenspråk. Kurser i "
      "teckenspråk för anhöriga.", 1983, accessible=True, size=65),
    D("Föreningen Rörelseglädje", "disability_rights", ("gideonsberg",),
      ("disability", "children", "youth"), ("sv",),
      "Parasport och lek för barn och unga med funktionsnedsättning. Vi tränar i en tillgänglig "
      "idrottshall.", 2010, accessible=True, size=50),
    D("Islamiska församlingen Al-Salam", "religious", ("raby", "backby"),
      ("everyone", "families", "youth"), ("ar", "so", "sv"),
      "Fredagsbön, koranskola för barn och samtalsgrupper för ungdomar. Vi deltar i den "
      "interreligiösa dialogen i Västerås.", 1996, signs_lok=True,
      legal_form=LegalForm.RELIGIOUS, size=400),
    D("Frikyrkoförsamlingen Källan", "religious", ("hammarby",), ("everyone", "families"),
      ("sv", "en", "ti"),
      "Gudstjänster på svenska och engelska, barnkör, språkcafé och en second hand-butik.", 1921,
      accessible=True, signs_lok=True, legal_form=LegalForm.RELIGIOUS, size=240),
    D("Ortodoxa kyrkoföreningen S:t Georg", "religious", ("erikslund",), ("everyone",),
      ("sv", "ar", "el"),
      "Gudstjänster, söndagsskola och kulturkvällar för ortodoxa kristna i Västerås.", 1985,
      legal_form=LegalForm.RELIGIOUS, size=170),
    D("Seniorföreningen Pettersberg", "pensioners", ("pettersberg",), ("seniors",), ("sv",),
      "Gemenskap för seniorer med promenadgrupp, datahjälp och månadsträffar med underhållning.",
      1990, accessible=True, size=120),
    D("Rönnby Pensionärsklubb", "pensioners", ("ronnby",), ("seniors",), ("sv", "fi"),
      "Vi träffas varje vecka för bingo, handarbete och stavgång runt Rönnby.", 1975,
      overdue=True, size=60),
    D("Ungdomens Hus Bjurhovda", "children_youth", ("bjurhovda",), ("youth", "young_adults"),
      ("sv", "ar", "so", "en"),
      "Ungdomsförening med musikstudio, e-sport och läxhjälp på kvällarna.", 2016,
      signs_lok=True, size=90),
    D("Barnens Teater Västerås", "culture", ("centrum",), ("children", "families"), ("sv",),
      "Teaterkurser för barn 7–12 år och föreställningar för hela familjen.", 2003, size=80),
    D("Regnbågen Västerås", "social", ("centrum",), ("lgbtqi", "youth", "young_adults"),
      ("sv", "en"),
      "Mötesplats för hbtqi-personer och vänner. Fika, filmkvällar och stöd för unga som "
      "funderar på sin identitet.", 2007, size=70),
    D("Kvinnors Nätverk Mälardalen", "social", ("hela_vasteras",), ("women", "newcomers"),
      ("sv", "ar", "so", "ti", "fa"),
      "Nätverk för kvinnor med språkträning, cykelkurs och samtalsgrupper om hälsa och arbete.",
      2014, signs_lok=True, size=130),
    D("Pappagruppen Västerås", "social", ("vallby",), ("men", "families"), ("sv", "ar"),
      "Träffar för pappor och deras barn. Vi pratar föräldraskap, lagar mat och gör utflykter.",
      2019, size=35),
    D("Afghanska kulturföreningen Västerås", "minority_culture", ("backby",),
      ("everyone", "youth"), ("fa", "ps", "sv"),
      "Musik, kultur och språk från Afghanistan. Läxhjälp på dari och pashto och samtalsgrupper "
      "på svenska.", 2011, size=100),
    D("Bosniska föreningen Ljiljan", "minority_culture", ("skiljebo",), ("everyone", "seniors"),
      ("bs", "sv"),
      "Folkdans, sevdalinka-kvällar och firande av högtider för bosnier i Västerås.", 1995,
      size=140),
    D("Polska föreningen Orzeł", "minority_culture", ("malmaberg",), ("everyone", "families"),
      ("pl", "sv"),
      "Polsk lördagsskola för barn, kulturkvällar och hjälp för nya polska familjer.", 1982,
      overdue=True, size=90),
    D("Romska kulturföreningen Västerås", "minority_culture", ("hela_vasteras",),
      ("everyone", "children"), ("rom", "sv"),
      "Romsk kultur och språk, läxhjälp för barn och samarbete med skolorna kring romska "
      "nationaldagen.", 2005, size=60),
    D("Västerås Orienteringsklubb", "sport", ("barkaro", "hammarby"),
      ("children", "youth", "adults"), ("sv",),
      "Orientering och terränglöpning i skogarna runt Västerås. Knattekurser varje vår.", 1938,
      size=220),
    D("Kristiansborgs Boxningsklubb", "sport", ("kristiansborg",),
      ("youth", "young_adults", "women"), ("sv", "ar", "so", "ti"),
      "Boxning och konditionsträning för alla från tretton år. Tjejpass på söndagar.", 1999,
      size=110),
    D("Haga Läsförening", "adult_education", ("haga",), ("adults", "seniors"), ("sv",),
      "Bokcirklar och författarbesök. Vi läser både klassiker och ny svensk litteratur.", 2008,
      public=False, overdue=True, size=25),
    D("Önsta-Gryta Grannskapsnätverk", "other", ("onsta_gryta",), ("everyone", "families"),
      ("sv", "fi", "ar"),
      "Grannar som ordnar loppis, städdag, gårdsfest och en gemensam verktygspool.", 2020,
      legal_form=LegalForm.NETWORK, size=40),
    D("Vetterslunds Motorklubb", "other", ("vetterslund",), ("youth", "adults"), ("sv",),
      "Motorintresserade som mekar med veteranbilar och mopeder i klubbens verkstad.", 1972,
      public=False, overdue=True, size=30),
    D("Kungsängens Dansförening", "culture", ("kungsangen",), ("youth", "adults"),
      ("sv", "es"),
      "Bugg, salsa och lindy hop. Nybörjarkurser varje termin, ingen partner behövs.", 2002,
      public=False, size=75),
)
del D

_FIRST = ("Anna", "Erik", "Fatima", "Mohammed", "Sara", "Johan", "Aisha", "Lars", "Maria",
          "Ali", "Eva", "Ahmed", "Kristina", "Hassan", "Ingrid", "Yonas", "Leila", "Per",
          "Amina", "Mikael", "Hanna", "Omar", "Birgitta", "Abdi", "Elin", "Goran", "Seda",
          "Tuula", "Jan", "Zeynep")
_LAST = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Hassan", "Ali",
         "Larsson", "Olsson", "Persson", "Mohamed", "Svensson", "Gustafsson", "Tesfaye",
         "Virtanen", "Yilmaz", "Lindberg", "Hodžić", "Kowalski", "Berg")
_BOARD_ROLES = ("chair", "treasurer", "secretary", "member")


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in ascii_name).split())


def demo_orgnr(index: int) -> str:
    """An invented organisationsnummer with a valid check digit (802900001–)."""
    base = f"80290{index:04d}"
    return base + luhn.calc_check_digit(base)


def _bankgiro(index: int) -> str:
    base = f"5990{index:03d}"
    return base + luhn.calc_check_digit(base)


def _phone(index: int) -> str:
    return f"070-174 06 {5 + index % 95:02d}"


def _member_counts(spec: DemoAssociation, rng: random.Random) -> dict[tuple[str, str], int]:
    """Counts by (age band, gender) that fit the association's target groups."""
    weights = {band: 1.0 for band in AgeBand}
    groups = set(spec.target_groups)
    if groups & {"children", "families"}:
        weights[AgeBand.AGE_0_6] += 1.5
        weights[AgeBand.AGE_7_12] += 3
    if groups & {"youth", "children"}:
        weights[AgeBand.AGE_13_20] += 3
    if "young_adults" in groups:
        weights[AgeBand.AGE_21_25] += 3
    if groups & {"adults", "everyone", "women", "men", "newcomers"}:
        weights[AgeBand.AGE_26_64] += 3
    if "seniors" in groups:
        weights[AgeBand.AGE_65] += 6
    if spec.category == "pensioners":
        weights = {band: (8.0 if band is AgeBand.AGE_65 else 0.0) for band in AgeBand}
        weights[AgeBand.AGE_26_64] = 1.0
    share_women = 0.5 + (0.4 if "women" in groups else -0.4 if "men" in groups else
                         rng.uniform(-0.12, 0.12))
    total_weight = sum(weights.values())
    counts: dict[tuple[str, str], int] = {}
    for band, weight in weights.items():
        band_total = round(spec.size * weight / total_weight * rng.uniform(0.8, 1.2))
        other = round(band_total * 0.01)
        unknown = round(band_total * rng.uniform(0.0, 0.04))
        women = round((band_total - other - unknown) * share_women)
        counts[(band.value, Gender.WOMAN.value)] = women
        counts[(band.value, Gender.MAN.value)] = max(band_total - other - unknown - women, 0)
        counts[(band.value, Gender.OTHER.value)] = other
        counts[(band.value, Gender.UNKNOWN.value)] = unknown
    return counts


def _board(spec: DemoAssociation, rng: random.Random) -> list[tuple[str, str, str]]:
    domain = f"{_slug(spec.name)}.example"
    people = []
    for role in _BOARD_ROLES[: 3 + rng.randint(0, 1)]:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        email = f"{_slug(first)}.{_slug(last)}@{domain}"
        people.append((f"{first} {last}", role, email))
    return people


def _registered_at(spec: DemoAssociation, index: int, year: int) -> datetime:
    registered_year = year - 2 if spec.overdue else year
    return min(datetime(registered_year, 1 + index % 3, 2 + index % 25, 9, 0, tzinfo=UTC),
               _start_of_today())


def _start_of_today() -> datetime:
    """Midnight today in Stockholm (a fixed point, so reruns on one day give equal values)."""
    return datetime.combine(today_local(), datetime.min.time(), tzinfo=STOCKHOLM).astimezone(UTC)


def _columns(spec: DemoAssociation, index: int, year: int, reference: dict) -> dict:
    slug = _slug(spec.name)
    network = spec.legal_form is LegalForm.NETWORK
    return {
        "name": spec.name,
        "orgnr": None if network else demo_orgnr(index),
        "legal_form": spec.legal_form,
        "category_id": reference["categories"][spec.category].id,
        "description": spec.description,
        "email": f"kontakt@{slug}.example",
        "phone": _phone(index),
        "website": f"https://{slug}.example",
        "street_address": f"Föreningsgatan {index}",
        "postal_code": f"72{index % 10}{(index * 7) % 100:02d}",
        "city": spec.city,
        "bankgiro": None if network else _bankgiro(index),
        "founded_year": spec.founded_year,
        "has_accessible_premises": spec.accessible,
        "is_public": spec.public,
        "register_state": RegisterState.REGISTERED,
        "registered_at": _registered_at(spec, index, year),
    }


def _reference() -> dict:
    return {
        "categories": {c.key: c for c in db.session.scalars(select(Category))},
        "districts": {d.key: d for d in db.session.scalars(select(District))},
        "target_groups": {g.key: g for g in db.session.scalars(select(TargetGroup))},
    }


def _find(spec: DemoAssociation, index: int) -> Association | None:
    if spec.legal_form is LegalForm.NETWORK:
        return db.session.scalar(select(Association).where(Association.name == spec.name,
                                                           Association.orgnr.is_(None)))
    return db.session.scalar(select(Association).where(Association.orgnr == demo_orgnr(index)))


def _apply(association: Association, spec: DemoAssociation, index: int, year: int,
           reference: dict) -> bool:
    """Give ``association`` its demo values; True if anything changed."""
    changed = False
    for key, value in _columns(spec, index, year, reference).items():
        if getattr(association, key) != value:
            setattr(association, key, value)
            changed = True
    districts = [reference["districts"][k] for k in spec.districts]
    if {d.key for d in association.districts} != set(spec.districts):
        association.districts = districts
        changed = True
    if {g.key for g in association.target_groups} != set(spec.target_groups):
        association.target_groups = [reference["target_groups"][k] for k in spec.target_groups]
        changed = True
    if {lang.code for lang in association.languages} != set(spec.languages):
        association.languages = [AssociationLanguage(code=code) for code in spec.languages]
        changed = True
    rng = random.Random(f"lokapp-demo-{index}")
    wanted_board = _board(spec, rng)
    if [(b.name, b.role, b.email) for b in association.board_members] != wanted_board:
        association.board_members = [BoardMember(name=n, role=r, email=e)
                                     for n, r, e in wanted_board]
        changed = True
    years = (year - 1,) if not spec.overdue else (year - 3, year - 2)
    existing = {(m.year, m.age_band.value, m.gender.value): m for m in association.member_counts}
    for count_year in years:
        for (band, gender), count in _member_counts(spec, rng).items():
            row = existing.get((count_year, band, gender))
            if row is None:
                association.member_counts.append(MemberCount(
                    year=count_year, age_band=AgeBand(band), gender=Gender(gender), count=count))
                changed = True
            elif row.count != count:
                row.count = count
                changed = True
    return changed


def _chair_user(association: Association, spec: DemoAssociation, password_hash: str) -> User:
    """The demo account of the association's chair, a firmatecknare who signs the LÖK."""
    email = f"ordforande.{_slug(spec.name)}@demo.lokapp.se"[:254]
    user = db.session.scalar(User.select_by_email(email))
    if user is None:
        chair = association.board_members[0]
        user = User(email=email, name=chair.name, password_hash=password_hash,
                    email_verified_at=association.registered_at)
        db.session.add(user)
        db.session.flush()
    _ensure_member(user, association, (AssociationRole.CHAIR, AssociationRole.ADMINISTRATOR))
    return user


def _ensure_member(user: User, association: Association,
                   roles: tuple[AssociationRole, ...]) -> bool:
    """``user`` represents ``association`` with ``roles`` and as firmatecknare."""
    member = db.session.scalar(select(AssociationMember).where(
        AssociationMember.user_id == user.id, AssociationMember.association_id == association.id))
    changed = False
    if member is None:
        member = AssociationMember(user_id=user.id, association_id=association.id,
                                   is_signatory=True)
        db.session.add(member)
        changed = True
    if not member.is_signatory:
        member.is_signatory = True
        changed = True
    for role in roles:
        if role.value not in member.role_names:
            member.roles.append(AssociationMemberRole(role=role))
            changed = True
    db.session.flush()
    return changed


def _sign_lok(association: Association, user: User, signed_at: datetime) -> str | None:
    """Sign the current LÖK for ``association`` unless it has; None if nothing to do or the
    agreement module cannot sign (no current version)."""
    try:
        from lokapp.agreement import queries as agreement_queries
        from lokapp.agreement.services import sign
    except ImportError:  # pragma: no cover - the agreement package is part of lokapp
        return None
    version = agreement_queries.current_version()
    if version is None or agreement_queries.has_signed_current(association.id):
        return None
    sign(association, user, version, signed_at=max(signed_at, version.published_at or signed_at),
         notify=False)
    return association.name


@demo_step(order=20)
def load_demo_associations() -> list[str]:
    """About forty Västerås associations with people, member counts and LÖK signatures."""
    year = today_local().year
    reference = _reference()
    created = updated = unchanged = 0
    by_name: dict[str, tuple[Association, DemoAssociation, int]] = {}
    for index, spec in enumerate(DEMO_ASSOCIATIONS, start=1):
        association = _find(spec, index)
        if association is None:
            association = Association(name=spec.name, legal_form=spec.legal_form)
            db.session.add(association)
            _apply(association, spec, index, year, reference)
            db.session.flush()
            audit.record("register.demo_association", association, created=True)
            created += 1
        elif _apply(association, spec, index, year, reference):
            db.session.flush()
            audit.record("register.demo_association", association, created=False)
            updated += 1
        else:
            unchanged += 1
        by_name[spec.name] = (association, spec, index)

    lines = [f"föreningar: {created} skapade, {updated} återställda, {unchanged} oförändrade"]

    representative = db.session.scalar(User.select_by_email(REPRESENTATIVE_EMAIL))
    if representative is not None:
        association = by_name[REPRESENTATIVE_ASSOCIATION][0]
        if _ensure_member(representative, association, (AssociationRole.ADMINISTRATOR,
                                                        AssociationRole.CONTACT)):
            lines.append(f"företrädare: {REPRESENTATIVE_EMAIL} är administratör och "
                         f"firmatecknare för {association.name}")

    password_hash: str | None = None
    signed: list[str] = []
    for association, spec, index in by_name.values():
        if not spec.signs_lok:
            continue
        if spec.name == REPRESENTATIVE_ASSOCIATION and representative is not None:
            signer = representative
        else:
            email = f"ordforande.{_slug(spec.name)}@demo.lokapp.se"
            if password_hash is None and db.session.scalar(User.select_by_email(email)) is None:
                password_hash = hash_password(DEMO_PASSWORD)
            signer = _chair_user(association, spec, password_hash or "")
        signed_at = min(datetime(year, 2, 1 + index % 27, 10, 0, tzinfo=UTC), utcnow())
        if (name := _sign_lok(association, signer, signed_at)) is not None:
            signed.append(name)
    if signed:
        lines.append(f"LÖK:en undertecknad för {len(signed)} föreningar")
    return lines
