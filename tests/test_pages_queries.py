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


def test_the_attack_with_many_claims_still_shows_every_claim_source_and_sentence(counted_app, monkeypatch):
    _, html = queries_for(counted_app, monkeypatch, "/id/attack/many")
    for n in range(MANY):
        assert f"Source many-{n}" in html  # each claim's source, by its label
        assert f"{10 + n} people died" in html  # each claim's sentence
        assert f'href="/id/article/many-{n}"' in html  # each report's article
    assert len(re.findall(r'href="/id/claim/many-\d+"', html)) >= MANY


def test_the_actor_with_many_attacks_lists_them_in_one_batch(counted_app, monkeypatch):
    _, html = queries_for(counted_app, monkeypatch, "/id/actor/group-many")
    for n in range(MANY):
        assert f'href="/id/attack/many-other-{n}"' in html
