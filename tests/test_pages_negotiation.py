"""Dereferencing minted IRIs: content negotiation by Accept and by suffix, alternates, 404s."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from pages_fixtures import BASE, fixture_quads, pages_app, pages_client, pages_store_dir  # noqa: F401 - fixtures

CKG = rdflib.Namespace("https://w3id.org/ckg/ontology#")
ATTACK = "/id/attack/raqqa-bakery-2014-09-06"
ATTACK_IRI = rdflib.URIRef(BASE + "attack/raqqa-bakery-2014-09-06")
CHROME_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

RDF_TYPES = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
}


def parse(response, rdflib_format: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=response.data, format=rdflib_format)
    return graph


@pytest.mark.parametrize("accept", ["text/html", CHROME_ACCEPT, "text/html;q=0.9, text/turtle;q=0.5"])
def test_browsers_get_html_with_alternates(pages_client, accept):
    response = pages_client.get(ATTACK, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    links = response.headers["Link"]
    for suffix, (media_type, _) in RDF_TYPES.items():
        assert f'<{ATTACK}.{suffix}>; rel="alternate"; type="{media_type}"' in links
        assert f'<link rel="alternate" type="{media_type}" href="{ATTACK}.{suffix}"' in response.text


@pytest.mark.parametrize("suffix", sorted(RDF_TYPES))
def test_accept_picks_each_rdf_format(pages_client, suffix):
    media_type, rdflib_format = RDF_TYPES[suffix]
    response = pages_client.get(ATTACK, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Vary"] == "Accept"
    graph = parse(response, rdflib_format)
    assert (ATTACK_IRI, CKG.killed, rdflib.Literal(25)) in graph


@pytest.mark.parametrize("suffix", sorted(RDF_TYPES))
def test_suffix_picks_format_and_matches_accept(pages_client, suffix):
    media_type, rdflib_format = RDF_TYPES[suffix]
    by_suffix = pages_client.get(f"{ATTACK}.{suffix}", headers={"Accept": "text/html"})
    by_accept = pages_client.get(ATTACK, headers={"Accept": media_type})
    assert by_suffix.status_code == 200 and by_suffix.mimetype == media_type
    assert isomorphic(parse(by_suffix, rdflib_format), parse(by_accept, rdflib_format))


@pytest.mark.parametrize("accept", [None, "*/*", "text/*"])
def test_generic_clients_get_turtle(pages_client, accept):
    headers = {"Accept": accept} if accept else {}
    response = pages_client.get(ATTACK, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"


def test_q_values_decide(pages_client):
    response = pages_client.get(ATTACK, headers={"Accept": "text/turtle;q=0.4, application/ld+json;q=0.9, text/html;q=0.1"})
    assert response.mimetype == "application/ld+json"


def test_unacceptable_type_is_406(pages_client):
    response = pages_client.get(ATTACK, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_entity_rdf_is_self_contained(pages_client):
    """Own triples, triples pointing at it, neighbours' labels and the evidence mentions."""
    graph = parse(pages_client.get(ATTACK + ".ttl"), "turtle")
    sohr_claim = rdflib.URIRef(BASE + "claim/sohr-raqqa-bakery")
    perpetrator = rdflib.URIRef(BASE + "actor/syrian-government-forces")
    mention = rdflib.URIRef(BASE + "mention/a1-0")
    assert (ATTACK_IRI, CKG.perpetrator, perpetrator) in graph
    assert (sohr_claim, CKG.about, ATTACK_IRI) in graph
    assert (sohr_claim, RDFS.label, None) in graph
    assert (perpetrator, RDFS.label, rdflib.Literal("Syrian government forces")) in graph
    assert (mention, CKG.startOffset, rdflib.Literal(0)) in graph
    assert (mention, CKG.inArticle, rdflib.URIRef(BASE + "article/a1")) in graph
    # ... but not the whole store: the other claim's own figures are not the attack's business.
    assert (rdflib.URIRef(BASE + "claim/is-commander-raqqa-bakery"), CKG.killed, None) not in graph


def test_request_host_maps_to_configured_base(pages_client):
    """The test client is http://localhost/, the IRIs are under BASE: the path is what matters."""
    graph = parse(pages_client.get("/id/place/raqqa.nt", base_url="http://another.host:8080/"), "nt")
    assert (rdflib.URIRef(BASE + "place/raqqa"), RDFS.label, rdflib.Literal("Raqqa")) in graph


def test_every_entity_in_the_fixture_dereferences(pages_client):
    subjects = {q.subject.value for q in fixture_quads() if q.subject.value.startswith(BASE)}
    subjects |= {q.graph_name.value for q in fixture_quads() if q.graph_name.value.startswith(BASE)}
    assert len(subjects) > 20
    for iri in sorted(subjects):
        path = "/id/" + iri[len(BASE):]
        assert pages_client.get(path, headers={"Accept": "text/html"}).status_code == 200, path
        assert pages_client.get(path + ".nt").status_code == 200, path


@pytest.mark.parametrize("path", ["/id/place/atlantis", "/id/unicorn/x", "/id/place/a%3E%20%7D%20DROP", "/id/place/q%22x"])
def test_unknown_entity_html_404(pages_client, path):
    response = pages_client.get(path, headers={"Accept": CHROME_ACCEPT})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "nothing is known about" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("suffix", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml")])
def test_unknown_entity_rdf_404_is_valid_empty_rdf(pages_client, suffix, rdflib_format):
    response = pages_client.get(f"/id/place/atlantis.{suffix}")
    assert response.status_code == 404
    assert response.mimetype == RDF_TYPES[suffix][0]
    assert "atlantis" in response.get_data(as_text=True)
    assert len(parse(response, rdflib_format)) == 0


def test_unknown_entity_jsonld_404_is_json(pages_client):
    response = pages_client.get("/id/place/atlantis", headers={"Accept": "application/ld+json"})
    assert response.status_code == 404
    body = json.loads(response.data)
    assert body["status"] == 404 and "atlantis" in body["error"]


def test_named_graph_downloads_keep_the_graph_name(pages_client):
    graph_iri = BASE + "graph/article-a1"
    dataset = rdflib.Dataset()
    dataset.parse(data=pages_client.get("/id/graph/article-a1.trig").data, format="trig")
    named = dataset.graph(rdflib.URIRef(graph_iri))
    assert (rdflib.URIRef(BASE + "article/a1"), CKG.text, None) in named
    assert (rdflib.URIRef(BASE + "article/a2"), None, None) not in named
    nquads = pages_client.get("/id/graph/article-a1.nq")
    assert nquads.mimetype == "application/n-quads"
    served = list(ox.parse(nquads.get_data(), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in served} == {graph_iri}  # under its name
    assert len(served) == len([q for q in fixture_quads() if q.graph_name.value == graph_iri])  # the graph, whole


def test_ontology_turtle_by_accept_and_suffix(pages_client):
    by_accept = pages_client.get("/ontology", headers={"Accept": "text/turtle"})
    by_suffix = pages_client.get("/ontology.ttl")
    for response in (by_accept, by_suffix):
        assert response.status_code == 200 and response.mimetype == "text/turtle"
        graph = parse(response, "turtle")
        assert (CKG.Attack, rdflib.RDF.type, rdflib.OWL.Class) in graph
    html = pages_client.get("/ontology", headers={"Accept": CHROME_ACCEPT})
    assert html.mimetype == "text/html" and "/ontology.ttl" in html.headers["Link"]


def test_ontology_term_iris_resolve_to_anchors(pages_client):
    response = pages_client.get("/ontology/locatedIn")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ontology#locatedIn")
    page = pages_client.get("/ontology", headers={"Accept": "text/html"}).text
    assert 'id="locatedIn"' in page and 'id="Attack"' in page
