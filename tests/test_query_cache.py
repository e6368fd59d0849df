"""Whole answers are remembered per snapshot: a repeated query is answered without a query worker,
an update is seen by the next query, and volatile functions (NOW, RAND, ...) are always evaluated.

A real store behind a real app (workers on snapshots); queries and updates go through ``/sparql``.
"""
from __future__ import annotations

from urllib.parse import quote

import pytest

from helpers import build_store, close_app, make_app

BASE = "http://localhost:5000/id/"
TOKEN = "query-cache-token"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ACTOR = f"<{BASE}actor/group>"
GRAPH = f'{ACTOR} {LABEL} "Old Name" .\n'.encode()
JSON = {"Accept": "application/sparql-results+json"}
LOOKUP = f"SELECT ?l WHERE {{ {ACTOR} {LABEL} ?l }}"


def make(tmp_path, **config):
    return make_app(build_store(tmp_path / "store", sources=(), graphs={f"{BASE}graph/g": GRAPH}), UPDATE_TOKEN=TOKEN, **config)


@pytest.fixture()
def app(tmp_path):
    app = make(tmp_path)
    yield app
    close_app(app)


def asked(app, monkeypatch, text: str, *, post: bool = False):
    """The answer's bytes and how many requests reached a query worker."""
    from server.query_runner import Worker

    sent, real = [], Worker.send

    def counting(self, tag, payload):
        if tag == b"Q":  # a query (the writer takes snapshots through the same class)
            sent.append(tag)
        return real(self, tag, payload)

    monkeypatch.setattr(Worker, "send", counting)
    try:
        client = app.test_client()
        if post:
            response = client.post("/sparql", data=text, headers={**JSON, "Content-Type": "application/sparql-query"})
        else:
            response = client.get("/sparql?query=" + quote(text), headers=JSON)
    finally:
        monkeypatch.setattr(Worker, "send", real)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(), len(sent)


def test_a_repeated_query_is_answered_without_a_worker(app, monkeypatch):
    first, to_workers = asked(app, monkeypatch, LOOKUP)
    again, to_workers_again = asked(app, monkeypatch, LOOKUP)
    posted, to_workers_posted = asked(app, monkeypatch, LOOKUP, post=True)
    assert (to_workers, to_workers_again, to_workers_posted) == (1, 0, 0)
    assert first == again == posted and b"Old Name" in first


def test_an_update_is_seen_by_the_next_query(app, monkeypatch):
    asked(app, monkeypatch, LOOKUP)
    update = f'DELETE DATA {{ GRAPH <{BASE}graph/g> {{ {ACTOR} {LABEL} "Old Name" }} }} ; ' \
             f'INSERT DATA {{ GRAPH <{BASE}graph/g> {{ {ACTOR} {LABEL} "New Name" }} }}'
    response = app.test_client().post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.get_data(as_text=True)
    answer, to_workers = asked(app, monkeypatch, LOOKUP)
    assert to_workers == 1 and b"New Name" in answer and b"Old Name" not in answer


@pytest.mark.parametrize("expression", ["NOW()", "RAND()", "STRUUID()", "uuid ()", "BNODE()"])
def test_volatile_functions_are_evaluated_every_time(app, monkeypatch, expression):
    text = f"SELECT ({expression} AS ?v) WHERE {{}}"
    asked(app, monkeypatch, text)
    _, to_workers = asked(app, monkeypatch, text)
    assert to_workers == 1


def test_nothing_is_remembered_when_turned_off(tmp_path, monkeypatch):
    app = make(tmp_path, QUERY_CACHE_MB=0)
    try:
        asked(app, monkeypatch, LOOKUP)
        _, to_workers = asked(app, monkeypatch, LOOKUP)
        assert to_workers == 1
    finally:
        close_app(app)
