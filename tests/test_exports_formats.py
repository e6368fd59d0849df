"""The exports analysts and linked-data tools read: the events table (CSV, GeoJSON), readable
Turtle/TriG, compact JSON-LD with its context, owl:sameAs links and the VoID description.

Built on the seed store (real extraction, real on-disk Oxigraph store); every figure a test
compares with is counted by SPARQL on that store, not written down.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from helpers import close_app, make_app
from kg.cli import cli
from kg.config import base_iri
from kg.events import COLUMNS
from kg.formats import PREFIXES

PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
ALL_DOWNLOADS = {"turtle": "/export.ttl", "trig": "/export.trig", "ntriples": "/export.nt", "nquads": "/export.nq",
                 "jsonld": "/export.jsonld", "rdfxml": "/export.rdf", "events-csv": "/export/events.csv",
                 "geojson": "/export/events.geojson"}


@pytest.fixture(scope="module")
def served(store_dir, tmp_path_factory):
    """An app over one copy of the seed store, and a second copy for `kg export` (one process per store)."""
    copy = tmp_path_factory.mktemp("exports-cli") / "store"
    shutil.copytree(store_dir, copy)
    app = make_app(store_dir)
    yield app, app.test_client(), copy
    close_app(app)


def count(seed_store, where: str) -> int:
    return int(next(iter(seed_store.query(PROLOGUE + f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ {where} }}")))["n"].value)


def kg_export(store, fmt: str) -> bytes:
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


# --- the events table ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(served):
    _, client, _ = served
    response = client.get("/export/events.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    return response.data.decode("utf-8")


def test_table_has_one_row_per_attack_in_acled_columns(table, seed_store):
    rows = list(csv.DictReader(io.StringIO(table)))
    assert tuple(rows[0].keys()) == COLUMNS
    attacks = count(seed_store, "?a a ckg:Attack")
    assert attacks > 10 and len(rows) == attacks
    assert len({r["event_id"] for r in rows}) == len(rows)
    assert {r["iri"] for r in rows} == {row["a"].value for row in seed_store.query(PROLOGUE + "SELECT ?a WHERE { ?a a ckg:Attack }")}


def test_table_figures_are_the_stores(table, seed_store):
    rows = list(csv.DictReader(io.StringIO(table)))
    for row in rows:
        killed = [int(r["k"].value) for r in seed_store.query(PROLOGUE + f"SELECT ?k WHERE {{ <{row['iri']}> ckg:killed ?k }}")]
        assert row["fatalities"] == (str(min(killed)) if killed else "")
        claims = count(seed_store, f"?a a ckg:Claim ; ckg:about <{row['iri']}>")
        assert int(row["claims"]) == claims
        if row["sources_disagree"] == "True":
            assert int(row["claimed_killed_min"]) < int(row["claimed_killed_max"])
        if row["event_date"]:
            assert row["event_date"][:4] == row["year"] and len(row["event_date"]) == 10
    assert any(r["sources_disagree"] == "True" for r in rows)
    assert {r["event_type"] for r in rows} <= {"Explosions/Remote violence", "Battles", "Violence against civilians"}


def test_table_reads_in_pandas_without_options(table, seed_store):
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(io.StringIO(table))
    assert len(frame) == count(seed_store, "?a a ckg:Attack")
    assert frame["sources_disagree"].dtype == bool
    assert pandas.api.types.is_numeric_dtype(frame["fatalities"]) and pandas.api.types.is_numeric_dtype(frame["latitude"])


def test_geojson_has_a_point_per_located_attack(served, seed_store):
    _, client, _ = served
    response = client.get("/export/events.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = json.loads(response.data)
    assert collection["type"] == "FeatureCollection"
    located = count(seed_store, "?a a ckg:Attack ; ckg:location/ckg:locatedIn* ?p . ?p geo:lat ?lat")
    assert located > 3 and len(collection["features"]) == located
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and set(feature["properties"]) == set(COLUMNS)
        assert (lat, lon) == (feature["properties"]["latitude"], feature["properties"]["longitude"])
        if feature["properties"]["geo_precision"] == 1:  # the place itself: its coordinates, longitude first
            place = f'?p rdfs:label "{feature["properties"]["location"]}" ; geo:lat ?lat ; geo:long ?long FILTER(?lat = {lat} && ?long = {lon})'
            assert seed_store.query(PROLOGUE + f"ASK {{ <{feature['properties']['iri']}> ckg:location ?p . {place} }}")


def test_unknown_table_format_is_404(served):
    _, client, _ = served
    response = client.get("/export/events.xlsx", headers={"Accept": "text/plain"})
    assert response.status_code == 404 and "/export/events.csv" in response.get_data(as_text=True)


# --- RDF: readable, linked, the same bytes everywhere -------------------------------------------


@pytest.mark.parametrize("fmt", sorted(ALL_DOWNLOADS))
def test_kg_export_writes_what_the_server_serves(served, fmt):
    _, client, copy = served
    assert kg_export(copy, fmt) == client.get(ALL_DOWNLOADS[fmt]).data


@pytest.mark.parametrize("suffix", ["ttl", "trig"])
def test_turtle_and_trig_declare_prefixes(served, suffix):
    _, client, _ = served
    text = client.get(f"/export.{suffix}").get_data(as_text=True)
    for prefix in ("ckg", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "geo", "sem", "prov", "attack", "actor", "place"):
        assert f"@prefix {prefix}: <" in text
    assert "<https://w3id.org/ckg/ontology#evidence>" not in text
    assert re.search(r"\sckg:evidence\s", text)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    assert f"<{base_iri()}attack/" not in body and " attack:" in body  # data IRIs are prefixed too


def test_jsonld_is_compact_and_round_trips(served, seed_store):
    _, client, _ = served
    body = client.get("/export.jsonld").data
    document = json.loads(body)
    assert document["@context"] == base_iri().replace("/id/", "/context.jsonld")
    attacks = [n for n in document["@graph"] if "Attack" in (n.get("@type") if isinstance(n.get("@type"), list) else [n.get("@type")])]
    assert any(isinstance(n.get("killed"), int) for n in attacks)
    assert all(n["@id"].startswith("attack:") for n in attacks)
    union = rdflib.Graph().parse(data=client.get("/export.nt").data, format="nt")
    assert isomorphic(rdflib.Graph().parse(data=body, format="json-ld"), union)


def test_context_is_served_and_is_the_one_documents_use(served):
    from kg.jsonld import context

    _, client, _ = served
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    served_context = json.loads(response.data)
    assert served_context == context(base_iri())
    assert served_context["@context"]["killed"] == "ckg:killed"
    assert served_context["@context"]["perpetrator"] == {"@id": "ckg:perpetrator", "@type": "@id"}


def test_identifiers_are_sameas_links(seed_store):
    assert count(seed_store, "?a ckg:wikidataId ?q") > 0 and count(seed_store, "?a ckg:geonamesId ?g") > 0
    missing = PROLOGUE + """ASK {
      { ?a ckg:wikidataId ?q FILTER NOT EXISTS { ?a owl:sameAs ?w FILTER(STR(?w) = CONCAT("http://www.wikidata.org/entity/", ?q)) } }
      UNION
      { ?a ckg:geonamesId ?g FILTER NOT EXISTS { ?a owl:sameAs ?n FILTER(STR(?n) = CONCAT("https://sws.geonames.org/", ?g, "/")) } }
    }"""
    assert not seed_store.query(missing)


def test_void_describes_the_dataset(served, seed_store):
    _, client, _ = served
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    void = rdflib.namespace.VOID
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    dataset = graph.value(predicate=rdflib.RDF.type, object=void.Dataset)
    triples = int(next(iter(seed_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    assert int(graph.value(dataset, void.triples)) == triples
    partitions = {str(graph.value(p, void["class"])): int(graph.value(p, void.entities)) for p in graph.objects(dataset, void.classPartition)}
    assert partitions[PREFIXES["ckg"] + "Attack"] == count(seed_store, "?a a ckg:Attack")
    assert str(graph.value(dataset, void.sparqlEndpoint)).endswith("/sparql")
    dumps = {str(d).split("/", 3)[-1] for d in graph.objects(dataset, void.dataDump)}
    assert {"export.ttl", "export.nq", "export.jsonld"} <= dumps
    sameas = count(seed_store, "?a owl:sameAs ?b")
    assert sum(int(graph.value(s, void.triples)) for s in graph.objects(dataset, void.subset)) == sameas


def test_void_refuses_what_it_cannot_serve(served):
    _, client, _ = served
    response = client.get("/.well-known/void", headers={"Accept": "image/png"})
    assert response.status_code == 406 and "text/turtle" in response.get_data(as_text=True)


def test_exports_page_lists_every_download_with_its_media_type(served):
    from kg.formats import EXPORT_FORMATS

    _, client, _ = served
    html = client.get("/exports", headers={"Accept": "text/html"}).get_data(as_text=True)
    for fmt in EXPORT_FORMATS:
        assert f'href="{ALL_DOWNLOADS[fmt.name]}" type="{fmt.media_type}"' in html
        assert f"kg export --format {fmt.name}" in html
    assert 'href="/exports"' in client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
