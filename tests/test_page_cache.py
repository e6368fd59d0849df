"""Entity pages are remembered per snapshot: sent again without a store query, rebuilt after an update.

A real store behind a real app (query workers on snapshots); the updates go through ``/sparql`` with
the update token, as a client would send them.
"""
from __future__ import annotations

import pytest

from helpers import build_store, close_app, make_app, store_queries

BASE = "http://localhost:5000/id/"
TOKEN = "cache-test-token"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ACTOR = f"<{BASE}actor/group>"
GRAPH = (f'{ACTOR} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/ckg/ontology#ArmedGroup> .\n'
         f'{ACTOR} {LABEL} "Old Name" .\n').encode()
HTML = {"Accept": "text/html"}


@pytest.fixture()
def app(tmp_path):
    app = make_app(build_store(tmp_path / "store", sources=(), graphs={f"{BASE}graph/g": GRAPH}), UPDATE_TOKEN=TOKEN)
    yield app
    close_app(app)


def counted(app, monkeypatch, path: str, headers=HTML):
    """The response to ``path`` and the store queries it ran."""
    with store_queries(monkeypatch) as calls:
        response = app.test_client().get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response, len(calls)


def relabel(app, label: str) -> None:
    update = f'DELETE {{ GRAPH ?g {{ {ACTOR} {LABEL} ?l }} }} INSERT {{ GRAPH <{BASE}graph/g> {{ {ACTOR} {LABEL} "{label}" }} }} ' \
             f'WHERE {{ OPTIONAL {{ GRAPH ?g {{ {ACTOR} {LABEL} ?l }} }} }}'
    response = app.test_client().post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.get_data(as_text=True)


def test_a_page_asked_again_is_sent_without_store_queries(app, monkeypatch):
    first, queries = counted(app, monkeypatch, "/id/actor/group")
    again, queries_again = counted(app, monkeypatch, "/id/actor/group")
    assert queries > 0 and queries_again == 0
    assert again.get_data() == first.get_data() and "Old Name" in again.get_data(as_text=True)
    assert 'cache;desc="hit"' in again.headers["Server-Timing"]
    for header in ("Content-Type", "Link", "Vary", "Content-Security-Policy", "X-Content-Type-Options"):
        assert again.headers[header] == first.headers[header]


def test_an_update_is_seen_on_the_next_request(app, monkeypatch):
    counted(app, monkeypatch, "/id/actor/group")
    counted(app, monkeypatch, "/id/actor/group.ttl")
    relabel(app, "New Name")
    page, queries = counted(app, monkeypatch, "/id/actor/group")
    assert queries > 0
    assert "New Name" in page.get_data(as_text=True) and "Old Name" not in page.get_data(as_text=True)
    turtle, _ = counted(app, monkeypatch, "/id/actor/group.ttl")
    assert "New Name" in turtle.get_data(as_text=True)


def test_each_representation_is_remembered_apart(app, monkeypatch):
    html, _ = counted(app, monkeypatch, "/id/actor/group")
    turtle, queries = counted(app, monkeypatch, "/id/actor/group", headers={"Accept": "text/turtle"})
    assert queries > 0 and turtle.mimetype == "text/turtle" and html.mimetype == "text/html"
    again, queries = counted(app, monkeypatch, "/id/actor/group", headers={"Accept": "text/turtle"})
    assert queries == 0 and again.get_data() == turtle.get_data()


def test_a_page_built_while_an_update_moved_the_workers_is_not_remembered(app, monkeypatch):
    from server import page_cache

    versions = iter(["before", "after", "after", "after"])
    monkeypatch.setattr(page_cache, "store_version", lambda: next(versions))
    counted(app, monkeypatch, "/id/actor/group")  # built on "before", finished on "after"
    _, queries = counted(app, monkeypatch, "/id/actor/group")
    assert queries > 0


def test_no_cache_when_turned_off(tmp_path, monkeypatch):
    app = make_app(build_store(tmp_path / "store", sources=(), graphs={f"{BASE}graph/g": GRAPH}), PAGE_CACHE_MB=0)
    try:
        counted(app, monkeypatch, "/id/actor/group")
        _, queries = counted(app, monkeypatch, "/id/actor/group")
        assert queries > 0
    finally:
        close_app(app)


def test_each_page_of_a_list_is_remembered_apart(tmp_path, monkeypatch):
    from server.entities import common

    attack, claim = f"<{BASE}attack/a>", "<https://w3id.org/ckg/ontology#Claim>"
    lines = [f"{attack} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/ckg/ontology#Airstrike> ."]
    for n in range(3):
        lines += [f"<{BASE}claim/c{n}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> {claim} .",
                  f"<{BASE}claim/c{n}> <https://w3id.org/ckg/ontology#about> {attack} ."]
    app = make_app(build_store(tmp_path / "store", sources=(), graphs={f"{BASE}graph/a": ("\n".join(lines) + "\n").encode()}))
    try:
        monkeypatch.setattr(common, "CARDS_PAGE_SIZE", 1)
        shown = {}
        for query in ("", "?page=2", "?page=3", "?page=2"):
            page, _ = counted(app, monkeypatch, "/id/attack/a" + query)
            shown.setdefault(query, set()).add(tuple(sorted(set(re_claims(page.get_data(as_text=True))))))
        assert shown[""] != shown["?page=2"] != shown["?page=3"]
        assert len(shown["?page=2"]) == 1  # asked twice, the same page both times (the second remembered)
    finally:
        close_app(app)


def re_claims(html: str) -> list[str]:
    import re

    return re.findall(r'<p class="muted"><a href="/id/claim/(c\d)"', html)
