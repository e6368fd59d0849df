"""The embedded store behind the GraphStore interface: atomic graph writes, union queries, dumps."""
import io

import pyoxigraph as ox
import pytest

from kg.store import OxigraphStore, StoreError, StoreLockedError

G1, G2 = "http://e.x/graph/1", "http://e.x/graph/2"
NT = b'<http://e.x/a> <http://e.x/p> "one" .\n<http://e.x/a> <http://e.x/q> <http://e.x/b> .\n'


@pytest.fixture
def store(tmp_path):
    with OxigraphStore(tmp_path / "store") as opened:
        yield opened


def test_store_is_created_on_disk_on_first_use(tmp_path):
    OxigraphStore(tmp_path / "new").close()
    assert any((tmp_path / "new").iterdir())


def test_put_graph_writes_one_named_graph(store):
    store.put_graph(G1, NT)
    assert store.graphs() == [G1]
    assert store.triples_in(G1) == 2


def test_queries_see_the_union_of_graphs(store):
    store.put_graph(G1, NT)
    store.put_graph(G2, b'<http://e.x/b> <http://e.x/p> "two" .\n')
    rows = list(store.query("SELECT ?o WHERE { ?s <http://e.x/p> ?o } ORDER BY ?o"))
    assert [r["o"].value for r in rows] == ["one", "two"]


def test_named_default_graph_restricts_the_query(store):
    store.put_graph(G1, NT)
    store.put_graph(G2, b'<http://e.x/b> <http://e.x/p> "two" .\n')
    rows = list(store.query("SELECT ?o WHERE { ?s <http://e.x/p> ?o }", default_graph=[G2]))
    assert [r["o"].value for r in rows] == ["two"]


def test_a_failing_write_leaves_nothing_half_written(store):
    store.put_graph(G1, NT)
    broken = b'<http://e.x/c> <http://e.x/p> "fine" .\n<http://e.x/c> <http://e.x/p> "broken .\n'
    with pytest.raises(StoreError):
        store.put_graph(G2, broken)
    assert not store.has_graph(G2)
    assert len(store) == 2


def test_replacing_drops_the_old_version(store):
    store.put_graph(G1, NT)
    store.put_graph(G2, b'<http://e.x/a> <http://e.x/p> "new" .\n', replaces=[G1])
    assert store.graphs() == [G2]


def test_second_writer_gets_a_clear_lock_error(tmp_path):
    with OxigraphStore(tmp_path / "s"):
        with pytest.raises(StoreLockedError, match="open in another process"):
            OxigraphStore(tmp_path / "s")


def test_read_only_open_of_a_missing_store_is_an_error(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        OxigraphStore(tmp_path / "missing", read_only=True)


def test_dump_trig_keeps_graphs_and_turtle_merges_them(store):
    store.put_graph(G1, NT)
    store.put_graph(G2, NT)
    quads = io.BytesIO()
    store.dump(quads, ox.RdfFormat.N_QUADS)
    assert quads.getvalue().count(b"\n") == 4
    triples = io.BytesIO()
    store.dump(triples, ox.RdfFormat.N_TRIPLES)
    assert triples.getvalue().count(b"\n") == 2


def test_a_triple_stated_by_several_graphs_is_counted_once(store):
    store.put_graph(G1, NT)
    store.put_graph(G2, NT)
    rows = list(store.query("SELECT ?o WHERE { <http://e.x/a> <http://e.x/p> ?o }"))
    assert len(rows) == 1
    assert len(store) == 4  # both graphs keep their own copy


def test_dropping_a_graph_keeps_what_another_graph_still_states(store):
    store.put_graph(G1, NT)
    store.put_graph(G2, b'<http://e.x/a> <http://e.x/p> "one" .\n')
    store.drop_graph(G1)
    rows = list(store.query("SELECT ?p ?o WHERE { <http://e.x/a> ?p ?o }"))
    assert [(r["p"].value, r["o"].value) for r in rows] == [("http://e.x/p", "one")]


def test_blank_nodes_are_shared_between_a_graph_and_the_union(store):
    store.put_graph(G1, b'_:x <http://e.x/p> "b" .\n<http://e.x/a> <http://e.x/q> _:x .\n')
    rows = list(store.query("SELECT ?o WHERE { <http://e.x/a> <http://e.x/q> ?x . GRAPH ?g { ?x <http://e.x/p> ?o } }"))
    assert [r["o"].value for r in rows] == ["b"]
    store.drop_graph(G1)
    assert list(store.query("SELECT * WHERE { ?s ?p ?o }")) == []


def test_iris_that_would_break_out_of_a_query_are_refused(store):
    with pytest.raises(StoreError, match="not a valid IRI"):
        store.put_graph("http://e.x/g> } ; DROP ALL ; INSERT DATA { <x", NT)


def test_a_user_update_keeps_the_union_in_step(store):
    store.put_graph(G1, NT)
    store.update('PREFIX e: <http://e.x/>\nINSERT DATA { GRAPH <http://e.x/graph/user> { e:new e:p "added" } } ;')
    assert {r["o"].value for r in store.query("SELECT ?o WHERE { ?s <http://e.x/p> ?o }")} == {"one", "added"}
    store.update("DROP GRAPH <http://e.x/graph/1> # and a trailing comment")
    assert {r["o"].value for r in store.query("SELECT ?o WHERE { ?s <http://e.x/p> ?o }")} == {"added"}


def test_dumping_one_graph_as_quads_keeps_its_name(store):
    store.put_graph(G1, NT)
    store.put_graph(G2, b'<http://e.x/b> <http://e.x/p> "two" .\n')
    quads = io.BytesIO()
    store.dump(quads, ox.RdfFormat.N_QUADS, graph=G1)
    lines = quads.getvalue().decode().splitlines()
    assert len(lines) == 2 and all(line.endswith(f"<{G1}> .") for line in lines)


SHARED = b'<http://e.x/a> <http://e.x/p> "one" .\n'


def union(store) -> set:
    return {(r["s"].value, r["p"].value, r["o"].value) for r in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")}


def test_an_update_of_named_graphs_corrects_only_their_triples_in_the_union(store):
    from kg.store.union import RESYNC_UNION, update_with_union

    store.put_graph(G1, NT)
    store.put_graph(G2, SHARED)
    text = f'DELETE WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} ; INSERT DATA {{ GRAPH <{G2}> {{ <http://e.x/c> <http://e.x/p> "new" }} }}'
    assert RESYNC_UNION not in update_with_union(text)  # no scan of the whole store
    store.update(text)
    # "one" is still stated by G2; G1's other triple is gone; the new one is in
    assert union(store) == {("http://e.x/a", "http://e.x/p", "one"), ("http://e.x/c", "http://e.x/p", "new")}
    assert not any(g.startswith("urn:kg:before:") for g in store.graphs())


def stated(store) -> set:
    """Every triple some named graph states: what the union must hold."""
    return {(r["s"].value, r["p"].value, r["o"].value)
            for r in store.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")}


P, Q = "<http://e.x/p>", "<http://e.x/q>"
ONE, QB = ("http://e.x/a", "http://e.x/p", "one"), ("http://e.x/a", "http://e.x/q", "http://e.x/b")
TOUCHING_ONE_UPDATES = {  # update → the union after it, on G1 = NT and G2 = SHARED; no scan of the store
    "graph variable, delete where": (f"DELETE WHERE {{ GRAPH ?g {{ ?s {Q} ?o }} }}", {ONE}),
    "graph variable, delete and insert": (
        f'DELETE {{ GRAPH ?g {{ ?s {P} ?o }} }} INSERT {{ GRAPH ?g {{ ?s {P} "changed" }} }} WHERE {{ GRAPH ?g {{ ?s {P} ?o }} }}',
        {("http://e.x/a", "http://e.x/p", "changed"), QB}),
    "graph variable, insert only": (
        f'INSERT {{ GRAPH ?g {{ ?s <http://e.x/r> "}} # not a brace" }} }} WHERE {{ GRAPH ?g {{ ?s {P} ?o }} }}',
        {ONE, QB, ("http://e.x/a", "http://e.x/r", "} # not a brace")}),
    "default graph, delete only": (f"DELETE {{ ?s {P} ?o }} WHERE {{ ?s {P} ?o }}  # named graphs still state it", {ONE, QB}),
    "default graph, insert only": (f"PREFIX e: <http://e.x/>\nINSERT {{ ?s e:stray 1 }} WHERE {{ ?s {P} ?o }}", {ONE, QB}),
    "named graph, delete only": (f"DELETE {{ GRAPH <{G1}> {{ ?s {Q} ?o }} }} WHERE {{ GRAPH <{G1}> {{ ?s {Q} ?o }} }}", {ONE}),
    "named graph, insert only": (f'INSERT {{ GRAPH <{G2}> {{ ?s {Q} "new" }} }} WHERE {{ GRAPH <{G1}> {{ ?s {Q} ?o }} }}',
                                 {ONE, QB, ("http://e.x/a", "http://e.x/q", "new")}),
}


@pytest.mark.parametrize("text, after", TOUCHING_ONE_UPDATES.values(), ids=TOUCHING_ONE_UPDATES.keys())
def test_an_update_corrects_the_union_only_for_what_it_matched(store, text, after):
    from kg.store.union import RESYNC_UNION, update_with_union

    store.put_graph(G1, NT)
    store.put_graph(G2, SHARED)
    assert RESYNC_UNION not in update_with_union(text)
    store.update(text)
    assert union(store) == stated(store) == after
    assert not any(g.startswith("urn:kg:before:") for g in store.graphs())


def test_an_update_the_text_cannot_bound_rebuilds_the_union(store):
    from kg.store.union import RESYNC_UNION, update_with_union

    store.put_graph(G1, NT)
    store.put_graph(G2, SHARED)
    for text in (f'INSERT {{ GRAPH ?g {{ _:new {P} "blank" }} }} WHERE {{ GRAPH ?g {{ ?s {Q} ?o }} }}',  # a new node per match
                 f"DELETE WHERE {{ GRAPH ?g {{ ?s {Q} ?o }} }} ; INSERT {{ GRAPH ?g {{ ?s {P} 2 }} }} WHERE {{ GRAPH ?g {{ ?s {P} ?o }} }}",
                 'INSERT DATA { <http://e.x/x> <http://e.x/p> "stray" }'):
        assert RESYNC_UNION in update_with_union(text)
        store.update(text)
        assert union(store) == stated(store)
    assert ("http://e.x/x", "http://e.x/p", "stray") not in union(store)  # no graph states the stray triple


def test_with_copy_move_and_clear_keep_the_union_in_step(store):
    store.put_graph(G1, NT)
    store.update(f'WITH <{G1}> DELETE {{ ?s <http://e.x/q> ?o }} INSERT {{ ?s <http://e.x/q> "lit" }} WHERE {{ ?s <http://e.x/q> ?o }}')
    assert union(store) == {("http://e.x/a", "http://e.x/p", "one"), ("http://e.x/a", "http://e.x/q", "lit")}
    store.update(f"MOVE <{G1}> TO <{G2}>")
    assert store.graphs() == [G2] and len(union(store)) == 2
    store.update(f"COPY <{G2}> TO <{G1}> ; CLEAR GRAPH <{G2}>")
    assert len(union(store)) == 2
    store.update(f"DROP GRAPH <{G1}>")
    assert union(store) == set()


def test_a_failing_user_update_changes_nothing(store):
    store.put_graph(G1, NT)
    with pytest.raises(SyntaxError):
        store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <http://e.x/x> <http://e.x/p> }} }}")
    assert len(union(store)) == 2 and store.graphs() == [G1]


def test_insert_and_delete_data_follow_only_their_own_triples(store):
    from kg.store.union import update_with_union

    store.put_graph(G1, NT)
    store.put_graph(G2, SHARED)
    text = (f'INSERT DATA {{ GRAPH <{G2}> {{ <http://e.x/c> <http://e.x/p> "new" }} }} ; '
            f'DELETE DATA {{ GRAPH <{G1}> {{ <http://e.x/a> <http://e.x/p> "one" . <http://e.x/a> <http://e.x/q> <http://e.x/b> }} }}')
    assert "COPY" not in update_with_union(text)
    store.update(text)
    assert union(store) == {("http://e.x/a", "http://e.x/p", "one"), ("http://e.x/c", "http://e.x/p", "new")}
    store.update(f'DELETE DATA {{ GRAPH <{G2}> {{ <http://e.x/a> <http://e.x/p> "one" }} }}')
    assert union(store) == {("http://e.x/c", "http://e.x/p", "new")}
