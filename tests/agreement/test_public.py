"""The public LÖK pages: the text laid out with a table of contents, the signatories of the
current version only, earlier versions, and a query count independent of the signatories."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from lokapp.agreement.models import SignatureState
from lokapp.associations.models import RegisterState
from lokapp.core.time import today_local

from .conftest import text


def test_the_current_text_is_laid_out_with_headings_and_a_table_of_contents(client, seeded):
    response = client.get("/lok")
    assert response.status_code == 200
    page = text(response)
    assert f"<h1>{seeded.title}" in page
    assert "2018-08-22" in page and "Kommunstyrelsen" in page and seeded.checksum in page
    headings = re.findall(r'<h2 id="([a-z0-9-]+)">([^<]+)</h2>', page)
    assert ("vardegrund", "Värdegrund") in headings
    assert ("principen-om-dialog-och-samverkan", "Principen om dialog och samverkan") in headings
    assert ("samverkansformer", "Samverkansformer") in headings
    toc = page.split('class="agreement-toc"')[1].split("</nav>")[0]
    assert '<a href="#vardegrund">Värdegrund</a>' in toc
    assert toc.count("<li>") == 8
    assert "<ul><li>ett uppdrag på 50% med samordning" in page
    assert '<sup class="footnote-ref"><a href="#fotnot-1" id="fotnotsref-1"' in page
    assert '<li id="fotnot-2" value="2">' in page
    assert '<a href="http://overenskommelsen.se/">http://overenskommelsen.se/</a>' in page
    assert "<em>Sant</em>" in page
    assert 'href="/lok/versioner"' in page
    assert "css/agreement.css" in page


def test_signatories_of_the_current_version_only(client, db, make_association, seeded,
                                                 signed_row, new_version):
    old_only = make_association("Gamla undertecknare")
    signed_row(old_only, seeded)
    current = new_version(body="## Ny text\n\nVi samverkar.\n")
    both = make_association("Båda versionerna", is_public=True)
    signed_row(both, seeded)
    signed_row(both, current, signed_at=datetime(2026, 3, 4, 10, 0, tzinfo=UTC))
    withdrawn = make_association("Återkallad förening")
    signed_row(withdrawn, current, state=SignatureState.WITHDRAWN)
    gone = make_association("Avregistrerad förening",
                            register_state=RegisterState.DEREGISTERED)
    signed_row(gone, current)
    hidden = make_association("Inte i katalogen", is_public=False)
    signed_row(hidden, current)

    page = text(client.get("/lok"))
    signatories = page.split('id="undertecknare"')[1]
    assert f'<a href="/foreningar/{both.id}">Båda versionerna</a>' in signatories
    assert '<time datetime="2026-03-04">2026-03-04</time>' in signatories
    assert "<td>Inte i katalogen</td>" in signatories  # named, but no directory link
    for name in ("Gamla undertecknare", "Återkallad förening", "Avregistrerad förening"):
        assert name not in signatories
    assert "2 föreningar har undertecknat" in page

    # The earlier version's page lists who signed that version.
    earlier = text(client.get(f"/lok/versioner/{seeded.id}"))
    assert "Det här är en tidigare version" in earlier
    assert "Gamla undertecknare" in earlier and "Båda versionerna" in earlier


def test_signatories_are_sorted_the_swedish_way(client, make_association, seeded, signed_row):
    for name in ("Örebro-föreningen", "Åby IF", "ängby kör", "Zeta", "Alfa", "Éclair"):
        signed_row(make_association(name), seeded)
    page = text(client.get("/lok")).split('id="undertecknare"')[1]
    names = re.findall(r"<td>(?:<a [^>]+>)?([^<]+)(?:</a>)?</td>\s*<td><time", page)
    assert names == ["Alfa", "Éclair", "Zeta", "Åby IF", "ängby kör", "Örebro-föreningen"]


def test_the_page_costs_the_same_queries_for_5_and_50_signatories(
        client, db, make_association, seeded, signed_row, count_queries):
    def add(n):
        for _ in range(n):
            signed_row(make_association(is_public=True), seeded)
        db.session.commit()

    add(5)
    client.get("/lok")  # warm-up: parse cache, first-request work
    with count_queries() as five:
        assert "5 föreningar har undertecknat" in text(client.get("/lok"))
    add(45)
    with count_queries() as fifty:
        assert "50 föreningar har undertecknat" in text(client.get("/lok"))
    assert fifty.count == five.count, fifty
    assert five.count <= 4, five


def test_the_page_costs_few_queries_for_a_logged_in_representative(
        client, db, login_as, make_association, make_user, add_member, seeded, signed_row,
        count_queries):
    user = make_user()
    for n in range(3):
        association = make_association(f"Förening {n}")
        add_member(association, user)
        signed_row(association, seeded)
    login_as(user=user)
    with count_queries() as q:
        page = text(client.get("/lok"))
    assert "För dig som företräder en förening" in page
    assert page.count("– se läget och underteckna") == 3
    assert q.count <= 8, q


def test_versions_list_and_an_upcoming_version(client, seeded, new_version):
    upcoming = new_version(effective_from=today_local() + timedelta(days=10))
    page = text(client.get("/lok"))
    assert "En ny version, 2025–2030, börjar gälla" in page
    versions = text(client.get("/lok/versioner"))
    assert "Kommande" in versions and "Gällande" in versions
    page = text(client.get(f"/lok/versioner/{upcoming.id}"))
    assert "Den här versionen börjar gälla" in page
    assert 'id="inledning"' in page


def test_an_unknown_version_is_404(client):
    assert client.get("/lok/versioner/999999").status_code == 404


def test_without_any_version_the_page_says_so(client, db, seeded):
    from lokapp.agreement.models import AgreementVersion

    db.session.execute(db.delete(AgreementVersion))
    db.session.commit()
    response = client.get("/lok")
    assert response.status_code == 200
    assert "Det finns ingen gällande version" in text(response)


def test_the_coordinator_sees_the_way_to_manage(client, login_as):
    login_as("coordinator")
    assert 'href="/lok/hantera"' in text(client.get("/lok"))
