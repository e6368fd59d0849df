"""An entity page costs a fixed number of store queries, whatever the number of its claims or links.

Pages with few and with many claims (attacks), attacks (actors, places) and claims about several
attacks are built side by side in one store; each page's ``store.query`` calls are counted and must
be the same for the small and the large one, and the large one must still show everything.
"""
from __future__ import annotations

import re

import pytest

from helpers import build_store, close_app, make_app, store_queries

BASE = "http://localhost:5000/id/"
CKG = "https://w3id.org/ckg/ontology#"
A, LABEL = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/2000/01/rdf-schema#label>"
INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
FEW, MANY = 2, 40


def ref(kind: str, key: str) -> str:
    return f"<{BASE}{kind}/{key}>"


def ckg(term: str) -> str:
    return f"<{CKG}{term}>"


def article(name: str, n: int, attack: str, actor: str, place: str) -> bytes:
    """One article reporting ``attack``: its sentence, a report of the toll, and a claim by its own source."""
    text = f"Jets of {actor} hit {place}. Source {name}-{n} said {10 + n} people died."
    art, source = ref("article", f"{name}-{n}"), ref("actor", f"source-{name}-{n}")
    claim, report = ref("claim", f"{name}-{n}"), ref("report", f"{name}-{n}")
    lines = [
        f"{art} {A} {ckg('Article')} .", f'{art} <http://purl.org/dc/terms/title> "Report {name} {n}" .',
        f'{art} {ckg("text")} "{text}" .',
        f"{ref('attack', name)} {A} {ckg('Airstrike')} .", f"{ref('attack', name)} {ckg('perpetrator')} {ref('actor', actor)} .",
        f"{ref('attack', name)} {ckg('location')} {ref('place', place)} .",
        f"{ref('actor', actor)} {A} {ckg('ArmedGroup')} .", f'{ref("actor", actor)} {LABEL} "{actor}" .',
        f"{ref('place', place)} {A} {ckg('City')} .", f'{ref("place", place)} {LABEL} "{place}" .',
        f"{ref('place', place)} {ckg('locatedIn')} {ref('place', 'country')} .",
        f"{source} {A} {ckg('Organization')} .", f'{source} {LABEL} "Source {name}-{n}" .',
        f"{claim} {A} {ckg('Claim')} .", f"{claim} {ckg('about')} {ref('attack', name)} .", f"{claim} {ckg('claimedBy')} {source} .",
        f'{claim} {ckg("killed")} "{10 + n}"^^{INTEGER} .', f'{claim} {ckg("statement")} "{10 + n} people died" .',
        f"{report} {A} {ckg('Report')} .", f"{report} {ckg('about')} {ref('attack', name)} .",
        f'{report} {ckg("killed")} "{9 + n}"^^{INTEGER} .',
    ]
    for node, (start, end) in ((ref("attack", name), (0, text.index(".") + 1)), (claim, (text.index("Source"), len(text))),
                               (report, (text.index("Source"), len(text)))):
        mention = ref("mention", f"{name}-{n}-{start}-{end}-{node.rsplit('/', 2)[-2]}")
        lines += [f"{node} {ckg('evidence')} {mention} .", f"{mention} {A} {ckg('Mention')} .",
                  f'{mention} {ckg("text")} "{text[start:end]}" .', f"{mention} {ckg('inArticle')} {art} .",
                  f'{mention} {ckg("startOffset")} "{start}"^^{INTEGER} .', f'{mention} {ckg("endOffset")} "{end}"^^{INTEGER} .']
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def counted_app(tmp_path_factory):
    graphs = {}
    for size, name in ((FEW, "few"), (MANY, "many")):
        for n in range(size):  # one attack reported by `size` articles, by an actor and in a place of its own
            graphs[f"{BASE}graph/{name}-{n}"] = article(name, n, name, f"group-{name}", f"town-{name}")
        for n in range(size):  # the same actor's and place's other attacks, one article each
            graphs[f"{BASE}graph/{name}-other-{n}"] = article(f"{name}-other-{n}", 0, f"{name}-other-{n}",
                                                              f"group-{name}", f"town-{name}")
    store = build_store(tmp_path_factory.mktemp("counted") / "store", sources=(), graphs=graphs)
    app = make_app(store, PAGE_CACHE_MB=0)  # the cost of building each page, never a remembered one
    yield app
    close_app(app)


def queries_for(app, monkeypatch, path: str) -> tuple[int, str]:
    """The store queries one page request ran, and its HTML."""
    with store_queries(monkeypatch) as calls:
        response = app.test_client().get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    header = response.headers.get("Server-Timing", "")
    assert f'store;desc="{len(calls)} queries"' in header  # the header tells the same count
    return len(calls), response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["attack/{}", "actor/group-{}", "place/town-{}", "claim/{}-0", "report/{}-0",
                                  "article/{}-0", "place/country"])
def test_a_page_costs_the_same_queries_with_2_claims_or_40(counted_app, monkeypatch, page):
    few, few_html = queries_for(counted_app, monkeypatch, "/id/" + page.format("few"))
    many, many_html = queries_for(counted_app, monkeypatch, "/id/" + page.format("many"))
    print(f"{page}: {few} queries with {FEW}, {many} with {MANY}")
    assert few == many
    assert many <= 20


def test_the_actor_with_many_attacks_lists_them_in_one_batch(counted_app, monkeypatch):
    _, html = queries_for(counted_app, monkeypatch, "/id/actor/group-many")
    for n in range(MANY):
        assert f'href="/id/attack/many-other-{n}"' in html


def pages_of(app, monkeypatch, path: str) -> list[tuple[int, str, str]]:
    """Every page of ``path``'s list, following its ``Link: rel="next"``: (queries, HTML, Link header) each."""
    found, seen = [], set()
    while path and path not in seen:
        seen.add(path)
        with store_queries(monkeypatch) as calls:
            response = app.test_client().get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        link = response.headers.get("Link", "")
        found.append((len(calls), response.get_data(as_text=True), link))
        following = re.search(r'<([^>]+)>; rel="next"', link)
        path = following.group(1) if following else None
    return found


def test_the_attack_with_many_claims_shows_every_claim_once_across_its_pages(counted_app, monkeypatch):
    from server.entities import common

    pages = pages_of(counted_app, monkeypatch, "/id/attack/many")
    assert len(pages) == -(-2 * MANY // common.CARDS_PAGE_SIZE)  # claims and reports, a page of cards each
    assert len({queries for queries, _, _ in pages}) == 1  # every page costs what the first does
    html = "".join(page for _, page, _ in pages)
    for n in range(MANY):
        assert f"Source many-{n}" in html  # each claim's source, by its label
        assert f"{10 + n} people died" in html  # each claim's sentence
        assert f'href="/id/article/many-{n}"' in html  # each report's article
    cards = re.findall(r'<p class="muted"><a href="/id/(claim|report)/(many-\d+)"', html)
    assert len(cards) == 2 * MANY and len(set(cards)) == 2 * MANY  # each claim and report on one page only
    assert f"({MANY} claims, {MANY} article reports)" in pages[-1][1]  # the totals on every page
    assert "The sources disagree" in pages[-1][1]  # decided over every claim, not the page's
    assert 'rel="prev"' in pages[-1][2] and 'rel="next"' not in pages[-1][2]


def test_an_actor_and_a_place_page_their_attacks(counted_app, monkeypatch):
    from server.entities import common

    monkeypatch.setattr(common, "LIST_PAGE_SIZE", 10)
    for path in ("/id/actor/group-many", "/id/place/town-many"):
        pages = pages_of(counted_app, monkeypatch, path)
        assert len(pages) == -(-(MANY + 1) // 10)
        assert len({queries for queries, _, _ in pages}) == 1
        html = "".join(page for _, page, _ in pages)
        for n in range(MANY):
            assert html.count(f'href="/id/attack/many-other-{n}"') >= 1
        assert len(re.findall(r'href="/id/attack/many-other-\d+"', pages[0][1])) <= 10


def test_a_page_number_out_of_range_or_not_a_number_is_a_readable_client_error(counted_app):
    client = counted_app.test_client()
    for query, status in (("page=0", 400), ("page=abc", 400), ("page=-1", 400), ("page=99", 404), ("claims_page=x", 400)):
        response = client.get(f"/id/actor/group-many?{query}", headers={"Accept": "text/html"})
        assert response.status_code == status, query
        text = response.get_data(as_text=True)
        assert "Traceback" not in text and ("page" in text)
    assert client.get("/id/attack/many?page=2", headers={"Accept": "text/html"}).status_code == 200


def test_a_property_with_many_links_shows_the_first_and_counts_the_rest(counted_app, monkeypatch):
    from server.entities import common

    _, html = queries_for(counted_app, monkeypatch, "/id/attack/many")
    properties = html[html.index('<section id="properties"'):]
    properties = properties[:properties.index("</section>")]
    row = next(r for r in properties.split("<tr>") if "ckg:evidence" in r)
    assert row.count('href="/id/mention/') == common.MAX_VALUES_SHOWN
    assert f"and {MANY - common.MAX_VALUES_SHOWN} more" in row
    assert "the data downloads have them all" in properties
    _, few_html = queries_for(counted_app, monkeypatch, "/id/attack/few")
    assert "more</span>" not in few_html[few_html.index('<section id="properties"'):]
