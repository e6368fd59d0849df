"""The derived graph: one attack reported by several articles gets one consolidated ckg:killed and
ckg:injured (the lowest article report, else the lowest claimed figure), while each article's own
figures stay on its ckg:Report and each source's on its ckg:Claim."""
import json
from pathlib import Path

import pytest

from kg.derive import derived_graph, refresh_derived
from kg.ingest import ingest
from kg.iris import mint
from kg.store import open_store
from kg.vocab import CKG

LEAD = ("Syrian government warplanes struck the town of Saraqeb in Idlib province on Sunday, "
        "killing {killed} people and wounding {injured}.")


def write_article(directory: Path, name: str, published: str, killed: int, injured: int) -> None:
    """A wire-style article (with its sidecar) reporting the same strike in its own voice."""
    title = f"Air strike on Saraqeb kills {killed}"
    (directory / f"{name}.txt").write_text(f"{title}\n\nBEIRUT (Wire {name}) - " + LEAD.format(killed=killed, injured=injured) + "\n")
    meta = {"title": title, "published": published, "publisher": f"Wire {name}", "url": f"https://{name}.example/strike"}
    (directory / f"{name}.json").write_text(json.dumps(meta))


def select(store, sparql: str) -> list:
    prologue = f"PREFIX ckg: <{CKG._NS}>\n"
    return [{k: row[k].value for k in ("a", "v") if row[k] is not None} for row in store.query(prologue + sparql)]


def attack_figures(store, prop: str = "killed") -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for row in select(store, f"SELECT ?a ?v WHERE {{ ?a a ckg:Attack ; ckg:{prop} ?v }}"):
        found.setdefault(row["a"], set()).add(int(row["v"]))
    return found


@pytest.fixture()
def articles(tmp_path):
    directory = tmp_path / "articles"
    directory.mkdir()
    write_article(directory, "a", "2019-03-03", killed=12, injured=30)
    write_article(directory, "b", "2019-03-04", killed=15, injured=20)
    return directory


@pytest.fixture()
def store(tmp_path):
    with open_store(tmp_path / "store") as store:
        yield store


def test_two_articles_one_attack_with_the_lower_figures(articles, store):
    ingest([str(articles)], store)
    assert list(attack_figures(store).values()) == [{12}]
    assert list(attack_figures(store, "injured").values()) == [{20}]


def test_each_article_keeps_its_own_figure_on_its_report_not_on_the_attack(articles, store):
    ingest([str(articles)], store)
    reports = select(store, "SELECT ?a ?v WHERE { ?r a ckg:Report ; ckg:about ?a ; ckg:killed ?v ; ckg:evidence/ckg:inArticle ?art }")
    assert sorted(int(r["v"]) for r in reports) == [12, 15] and len({r["a"] for r in reports}) == 1
    in_article_graphs = store.query(f"ASK {{ GRAPH ?g {{ ?a a <{CKG.Attack}> ; <{CKG.killed}> ?v }} FILTER(?g != <{derived_graph()}>) }}")
    assert not bool(in_article_graphs)


def test_reports_are_not_claims(articles, store):
    ingest([str(articles)], store)
    assert bool(store.query(f"ASK {{ ?r a <{CKG.Report}> }}"))
    assert not bool(store.query(f"ASK {{ ?r a <{CKG.Report}>, <{CKG.Claim}> }}"))
    assert not bool(store.query(f"ASK {{ ?c a <{CKG.Claim}> }}"))  # neither article attributes its figures


def test_reingesting_unchanged_articles_leaves_the_derived_graph_alone(articles, store, monkeypatch):
    ingest([str(articles)], store)
    before = store.graph_ntriples(str(derived_graph()))

    def refresh_must_not_run(_store):
        raise AssertionError("derived graph recomputed though nothing changed")

    monkeypatch.setattr("kg.ingest.refresh_derived", refresh_must_not_run)
    summary = ingest([str(articles)], store)
    assert summary.unchanged == 2 and store.graph_ntriples(str(derived_graph())) == before


def test_replacing_an_article_updates_the_derived_figure(articles, store):
    ingest([str(articles)], store)
    write_article(articles, "b", "2019-03-04", killed=9, injured=20)
    summary = ingest([str(articles)], store)
    assert summary.replaced == 1
    assert list(attack_figures(store).values()) == [{9}]


ATTACK = mint("attack", "test-strike")


def claim(name: str, *killed: int) -> str:
    node = mint("claim", name)
    lines = [f"<{node}> a <{CKG.Claim}> .", f"<{node}> <{CKG.about}> <{ATTACK}> ."]
    lines += [f'<{node}> <{CKG.killed}> "{k}"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .' for k in killed]
    return "\n".join(lines)


def report(name: str, killed: int) -> str:
    node = mint("report", name)
    return "\n".join([f"<{node}> a <{CKG.Report}> .", f"<{node}> <{CKG.about}> <{ATTACK}> .",
                      f'<{node}> <{CKG.killed}> "{killed}"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .'])


def put(store, name: str, *parts: str) -> None:
    store.put_graph(str(mint("graph", name)), "\n".join([f"<{ATTACK}> a <{CKG.Attack}> .", *parts]).encode())


def test_with_only_claims_the_lowest_claimed_figure(store):
    put(store, "one", claim("monitor", 27), claim("doctor", 21))
    put(store, "two", claim("rescuers", 18))
    assert refresh_derived(store) == 1
    assert attack_figures(store) == {str(ATTACK): {18}}


def test_a_claim_with_several_figures_counts_with_its_largest(store):
    put(store, "one", claim("monitor", 3, 8, 9), claim("other", 20))
    refresh_derived(store)
    assert attack_figures(store) == {str(ATTACK): {9}}


def test_an_article_report_wins_over_lower_claims(store):
    put(store, "one", report("one", 25), claim("monitor", 20))
    put(store, "two", report("two", 31))
    refresh_derived(store)
    assert attack_figures(store) == {str(ATTACK): {25}}


def test_the_derived_figure_goes_when_its_sources_go(store):
    put(store, "one", claim("monitor", 27))
    refresh_derived(store)
    store.drop_graph(str(mint("graph", "one")))
    assert refresh_derived(store) == 0
    assert attack_figures(store) == {}


def test_the_attack_page_shows_each_article_report_beside_the_claims(articles, tmp_path):
    from helpers import close_app, make_app

    from kg.config import base_iri

    with open_store(tmp_path / "page-store") as store:
        ingest([str(articles)], store)
        [attack] = attack_figures(store)
    app = make_app(tmp_path / "page-store")
    try:
        html = app.test_client().get("/id/" + attack[len(base_iri()):], headers={"Accept": "text/html"}).get_data(as_text=True)
    finally:
        close_app(app)
    assert "Air strike on Saraqeb kills 12" in html and "Air strike on Saraqeb kills 15" in html
    assert html.count("reports, in its own voice") == 2


KILLED_DURING_REFRESH = """
import os, signal, sys
import kg.ingest
from kg.store import open_store
kill = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
kg.ingest.refresh_derived = kg.ingest.update_derived = kill  # dies where the derive step would run
kg.ingest.ingest([sys.argv[2]], open_store(sys.argv[1]))
"""


@pytest.mark.parametrize("lost", ["never written", "dropped"])
def test_a_run_killed_before_its_refresh_is_caught_up_by_the_next(articles, tmp_path, lost):
    """The articles were written, the process died (SIGKILL) before the derived graph followed; the
    rerun sees every article unchanged and still rebuilds the derived figures."""
    import subprocess
    import sys

    location = tmp_path / "store"
    if lost == "dropped":  # an earlier good run, then a changed article and a kill: the old figure is stale
        with open_store(location) as store:
            ingest([str(articles)], store)
        write_article(articles, "a", "2019-03-03", killed=7, injured=30)
    died = subprocess.run([sys.executable, "-c", KILLED_DURING_REFRESH, str(location), str(articles)], timeout=300)
    assert died.returncode == -9
    with open_store(location) as store:
        summary = ingest([str(articles)], store)
        assert summary.added == summary.replaced == 0
        assert list(attack_figures(store).values()) == [{7 if lost == "dropped" else 12}]


def test_an_ingest_run_recomputes_only_the_attacks_its_articles_are_about(articles, store, monkeypatch, tmp_path):
    from kg import derive

    put(store, "other", report("other", 40))  # an attack no article of the run is about
    refresh_derived(store)
    ingest([str(articles)], store)
    asked = []
    original = derive.consolidated_figures
    monkeypatch.setattr(derive, "consolidated_figures", lambda s, attacks=None: asked.append(attacks) or original(s, attacks))
    write_article(articles, "b", "2019-03-04", killed=7, injured=20)
    ingest([str(articles)], store)
    [attacks] = asked
    assert attacks is not None and str(ATTACK) not in attacks and len(set(attacks)) == 1
    figures = attack_figures(store)
    assert figures.pop(str(ATTACK)) == {40} and list(figures.values()) == [{7}]
    assert derive.is_current(store)


def test_incremental_and_full_derive_agree(articles, store):
    from kg import derive

    put(store, "one", claim("monitor", 27), report("one", 25))
    refresh_derived(store)
    ingest([str(articles)], store)
    write_article(articles, "a", "2019-03-03", killed=3, injured=1)
    ingest([str(articles)], store)
    incremental = store.graph_ntriples(str(derived_graph()))
    refresh_derived(store)
    assert sorted(store.graph_ntriples(str(derived_graph())).splitlines()) == sorted(incremental.splitlines())
    assert derive.is_current(store)


def test_an_ingest_run_never_lists_the_store_and_leaves_nothing_pending(articles, store, monkeypatch):
    """The derive step's bookkeeping is one lookup, not a list of every article graph (a million
    articles would make that seconds per run)."""
    from kg import derive

    monkeypatch.setattr(type(store), "graphs", lambda self: pytest.fail("an ingest run listed every graph"))
    ingest([str(articles)], store)
    assert derive.pending_writes(store) == set() and list(attack_figures(store).values()) == [{12}]


def test_a_users_update_through_the_server_is_followed_by_the_next_run(articles, tmp_path):
    """An update may change what the figures come from: it is marked pending in its own request,
    and the next ingest run recomputes every figure, even with nothing new to write."""
    from helpers import close_app, make_app

    from kg import derive

    location = tmp_path / "store"
    with open_store(location) as store:
        ingest([str(articles)], store)
        [attack] = attack_figures(store)
    app = make_app(location, UPDATE_TOKEN="t0ken")
    try:
        report_of_a = (f"PREFIX ckg: <{CKG._NS}> DELETE {{ GRAPH ?g {{ ?r ckg:killed 12 }} }} "
                       f"INSERT {{ GRAPH ?g {{ ?r ckg:killed 9 }} }} WHERE {{ GRAPH ?g {{ ?r a ckg:Report ; ckg:killed 12 }} }}")
        response = app.test_client().post("/sparql", data={"update": report_of_a}, headers={"Authorization": "Bearer t0ken"})
        assert response.status_code == 204, response.get_data(as_text=True)
    finally:
        close_app(app)
    with open_store(location) as store:
        [pending] = derive.pending_writes(store)
        assert pending.startswith("update ") and attack_figures(store)[attack] == {12}  # not followed yet
        summary = ingest([str(articles)], store)
        assert summary.added == summary.replaced == 0
        assert attack_figures(store)[attack] == {9} and derive.is_current(store)
