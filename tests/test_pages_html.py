"""The HTML pages: what each kind of page shows, indexes and search, and escaping of hostile text."""
from __future__ import annotations

import re

import pytest

from pages_fixtures import pages_app, pages_client, pages_store_dir  # noqa: F401 - fixtures

HTML = {"Accept": "text/html"}
ATTACK = "/id/attack/raqqa-bakery-2014-09-06"


def page(client, path: str) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, f"no section #{section_id}"
    return match.group(0)


def test_attack_page_answers_who_what_where_when(pages_client):
    html = page(pages_client, ATTACK)
    facts = re.search(r'<dl class="facts">.*?</dl>', html, re.S).group(0)
    assert re.search(r"<dt>Who</dt><dd><a href=\"/id/actor/syrian-government-forces\"", facts)
    assert re.search(r"<dt>Against whom</dt><dd><a href=\"/id/actor/islamic-state\"", facts)
    assert 'href="/id/place/al-andalus-bakery"' in facts and 'href="/id/place/syria"' in facts
    assert '<time datetime="2014-09-06">6 September 2014</time>' in facts and "<dt>Killed</dt><dd>25" in facts
    assert 'href="/ontology#Airstrike"' in html


def test_attack_page_shows_claims_side_by_side_with_their_sentences(pages_client):
    claims = section(page(pages_client, ATTACK), "claims")
    assert "The sources disagree" in claims
    assert claims.count('<article class="claim-card differs">') == 2
    assert '<span class="figure">20</span>' in claims and '<span class="figure">31</span>' in claims
    assert "The Syrian Observatory for Human Rights said <mark>20 civilians were killed</mark> in the strike." in claims
    assert "An Islamic State commander said <mark>31 people died</mark> when" in claims
    assert 'href="/id/article/a1"' in claims and 'href="/id/article/a2"' in claims


def test_entity_page_has_names_properties_incoming_and_sources(pages_client):
    html = page(pages_client, "/id/actor/syrian-government-forces")
    assert "Also known as:" in html and "Syrian forces" in html and "Syrian military" in html
    properties = section(html, "properties")
    assert 'href="/ontology#evidence"' in properties
    incoming = section(html, "incoming")  # the links the actor's timeline lists are counted and pointed to
    assert "ckg:perpetrator" in incoming and 'href="#timeline"' in incoming and f'href="{ATTACK}"' not in incoming
    assert f'href="{ATTACK}"' in section(html, "timeline")
    evidence = section(html, "evidence")
    assert "<mark>Syrian government forces</mark> struck the al-Andalus bakery" in evidence


def test_actor_page_has_attacks_on_a_timeline_and_claims_made(pages_client):
    html = page(pages_client, "/id/actor/islamic-state")
    timeline = section(html, "timeline")
    assert '<time datetime="2014-09-06">6 September 2014</time>' in timeline and "target" in timeline and f'href="{ATTACK}"' in timeline
    assert 'href="/id/place/al-andalus-bakery"' in timeline
    claims = section(html, "claims-made")
    assert 'href="/id/claim/is-commander-raqqa-bakery"' in claims and ">31<" in claims


def test_place_page_follows_containment(pages_client):
    html = page(pages_client, "/id/place/syria")
    assert 'href="/id/place/raqqa-province"' in html
    attacks = section(html, "attacks")  # located at the bakery, in Raqqa, in the province, in Syria
    assert f'href="{ATTACK}"' in attacks and "(1)" in attacks


def test_place_page_has_coordinates_and_an_inline_map(pages_client):
    html = page(pages_client, "/id/place/raqqa")
    assert "35.9500, 39.0100" in html and "220000" in html
    svg = re.search(r"<svg class=\"map\".*?</svg>", html, re.S).group(0)
    assert '<circle class="here"' in svg and '<a href="/id/place/al-andalus-bakery">' in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # no tile server


def test_article_page_highlights_every_mention(pages_client):
    html = page(pages_client, "/id/article/a1")
    text = re.search(r'<div class="article-text">(.*?)</div>', html, re.S).group(1)
    links = re.findall(r'<a class="m [^"]*" href="([^"]+)"[^>]*>([^<]*)</a>', text)
    targets = {href for href, _ in links}
    assert {"/id/actor/sohr", "/id/actor/islamic-state", "/id/claim/sohr-raqqa-bakery", "/id/place/raqqa"} <= targets
    assert ("/id/actor/syrian-government-forces", "Syrian government forces") in links  # nested in the attack's span
    assert ("/id/attack/raqqa-bakery-2014-09-06", " struck the ") in links
    assert re.sub(r"<[^>]+>", "", text).startswith("Syrian government forces struck the al-Andalus bakery in Raqqa on")
    assert "<dt>Publisher</dt><dd>VICE News</dd>" in html and "<dt>Author</dt><dd>Liz Fields</dd>" in html
    assert 'href="/id/graph/article-a1.trig"' in html


def test_claim_page_compares_with_the_other_claims(pages_client):
    html = page(pages_client, "/id/claim/sohr-raqqa-bakery")
    assert "(this claim)" in html and 'href="/id/actor/islamic-state"' in html and ">31<" in html


def test_mention_page_shows_its_sentence(pages_client):
    html = page(pages_client, "/id/mention/a1-4")
    assert "said <mark>20 civilians were killed</mark> in the strike." in html


@pytest.mark.parametrize(
    "path",
    ["/", "/articles", "/search?q=strikes", "/id/article/a1", ATTACK, "/id/claim/sohr-raqqa-bakery", "/id/place/raqqa", "/id/mention/a1-0"],
)
def test_markup_in_the_data_is_shown_as_text(pages_client, path):
    html = page(pages_client, path)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markup_in_names_and_text_is_escaped(pages_client):
    actor = page(pages_client, "/id/actor/sohr")
    assert "<img src=x" not in actor and "&lt;img src=x onerror=alert(2)&gt;" in actor
    article = page(pages_client, "/id/article/a1")
    assert '<a href="x">here</a>' not in article
    assert "&lt;a href=&#34;x&#34;&gt;here&lt;/a&gt; &amp; more." in article
    found = page(pages_client, "/search?q=onerror")
    assert "<img src=x" not in found and "&lt;img src=x" in found


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("attacks", 1), ("actors", 3), ("places", 4), ("claims", 2), ("articles", 2)],
)
def test_index_pages_count_their_class(pages_client, kind, expected):
    html = page(pages_client, f"/{kind}")
    assert re.search(rf"<h1>\w+ <small>{expected}</small>", html)
    assert len(re.findall(r"<tr><td><a href=\"/id/", html)) == expected


def test_index_sorts_and_pages(pages_client, monkeypatch):
    from server import listing

    by_attacks = page(pages_client, "/places?sort=attacks")
    rows = re.findall(r'<tr><td><a href="(/id/place/[^"]+)"', by_attacks)
    assert rows[0] in ("/id/place/raqqa", "/id/place/al-andalus-bakery") and rows[-1] in ("/id/place/syria", "/id/place/raqqa-province")
    by_name = re.findall(r'<tr><td><a href="(/id/place/[^"]+)"', page(pages_client, "/places?sort=name"))
    assert by_name == ["/id/place/al-andalus-bakery", "/id/place/raqqa", "/id/place/raqqa-province", "/id/place/syria"]
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    second = page(pages_client, "/places?sort=name&page=2")
    assert re.findall(r'<tr><td><a href="(/id/place/[^"]+)"', second) == ["/id/place/raqqa"]
    assert "page 2 of 4" in second and 'rel="next"' in second and 'rel="prev"' in second


def test_index_filters_by_name_and_alternate_name(pages_client):
    html = page(pages_client, "/actors?q=sohr")
    assert re.findall(r'<tr><td><a href="(/id/actor/[^"]+)"', html) == ["/id/actor/sohr"]


@pytest.mark.parametrize(
    ("path", "message"),
    [("/places?page=0", "positive whole number"), ("/places?page=x", "positive"), ("/places?sort=evil", "cannot sort"),
     ("/search?q=" + "x" * 201, "limit is 200"), ("/places?page=99999999", "beyond")],
)
def test_bad_index_parameters_are_400(pages_client, path, message):
    response = pages_client.get(path, headers=HTML)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_search_finds_alternate_names_exact_first(pages_client):
    html = page(pages_client, "/search?q=IS")
    hits = re.findall(r'<tr><td><a href="(/id/[^"]+)"', html)
    assert hits[0] == "/id/actor/islamic-state"  # "IS" is its alternate name, matched exactly
    assert "/id/claim/is-commander-raqqa-bakery" in hits  # its label contains "Islamic"
    assert "/id/actor/sohr" not in hits


@pytest.mark.parametrize("hostile", ['") } DROP ALL #', "\\", "x\" || true || \"", "'; --", "\u0000\u202e"])
def test_search_text_cannot_break_the_query(pages_client, hostile):
    response = pages_client.get("/search", query_string={"q": hostile}, headers=HTML)
    assert response.status_code == 200
    assert "0 results" in response.get_data(as_text=True)


def test_home_page_shows_contents_query_page_and_downloads(pages_client):
    html = page(pages_client, "/")
    assert re.search(r'<a class="card" href="/attacks"><div class="n">1</div>', html)
    assert re.search(r'<a class="card" href="/places"><div class="n">4</div>', html)
    assert 'href="/sparql"' in html
    for suffix in ("ttl", "nt", "jsonld", "trig", "nq"):
        assert f'href="/export.{suffix}"' in html
    for link in ("/attacks", "/actors", "/places", "/claims", "/articles", "/ontology"):
        assert f'href="{link}"' in html


def test_ontology_page_documents_every_term_with_counts(pages_client):
    html = page(pages_client, "/ontology")
    for name in ("Attack", "Airstrike", "Place", "Claim", "perpetrator", "locatedIn", "killed", "inArticle"):
        assert f'id="{name}"' in html
    airstrike = re.search(r'id="Airstrike".*?</section>', html, re.S).group(0)
    assert "An attack from aircraft." in airstrike and "<dt>Instances</dt><dd>1</dd>" in airstrike
    assert 'href="/ontology#Attack"' in airstrike
    located = re.search(r'id="locatedIn".*?</section>', html, re.S).group(0)
    assert "TransitiveProperty" in located and "<dt>Used by</dt><dd>3</dd>" in located
    assert '<dt>Domain</dt><dd><a href="/ontology#Place"' in located


def test_pages_forbid_scripts(pages_client):
    response = pages_client.get("/id/article/a1", headers=HTML)
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_actor_timeline_is_drawn(pages_client):
    html = page(pages_client, "/id/actor/syrian-government-forces")
    svg = re.search(r'<svg class="timeline".*?</svg>', html, re.S).group(0)
    assert f'<a href="{ATTACK}"><circle class="perpetrator"' in svg and "2014-09-06" in svg


def test_blank_nodes_are_described_inline(pages_client):
    properties = section(page(pages_client, ATTACK), "properties")
    assert "ckg:count 4; ckg:equipment Humvee" in properties
    assert "_:" not in properties


def test_ontology_page_expands_union_domains(pages_client):
    html = page(pages_client, "/ontology")
    killed = re.search(r'id="killed".*?</section>', html, re.S).group(0)
    assert 'href="/ontology#Attack"' in killed and 'href="/ontology#Claim"' in killed
    assert "Number of people killed." in killed  # skos:definition


def test_unlabelled_attacks_and_claims_get_titles_from_their_facts(pages_app):
    from server.entities import titles_for
    from pages_fixtures import BASE

    with pages_app.app_context():
        titles = titles_for([BASE + "attack/raqqa-bakery-2014-09-06", BASE + "claim/sohr-raqqa-bakery"])
    assert titles[BASE + "attack/raqqa-bakery-2014-09-06"] == (
        "Airstrike by Syrian government forces in al-Andalus bakery, 2014-09-06"
    )
    assert titles[BASE + "claim/sohr-raqqa-bakery"] == "Syrian Observatory for Human Rights: 20 killed"
