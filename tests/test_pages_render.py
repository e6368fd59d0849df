"""The pure helpers behind the pages: safe SPARQL terms, sentences, highlighted segments, maps."""
from __future__ import annotations

import doctest

import pyoxigraph as ox
import pytest

from server import exports, pages, render
from server.entities import attack as attack_page
from server.render import MapPoint, Span, UnsafeTerm, iri_ref, map_view, segments, sentence_around, string_literal


@pytest.mark.parametrize("module", [render, exports, pages, attack_page])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("hostile", ['a" } ; DROP ALL ; #', "back\\slash\\", "new\nline", "'single'", '"""', "\u202e"])
def test_string_literal_round_trips_through_a_query(hostile):
    store = ox.Store()
    rows = list(store.query(f"SELECT ?x WHERE {{ BIND({string_literal(hostile)} AS ?x) }}"))
    assert rows[0]["x"].value == hostile


def test_string_literal_is_bounded():
    assert len(ox.Literal(string_literal("x" * 10_000)[1:-1]).value) == render.MAX_SEARCH_LENGTH


@pytest.mark.parametrize("iri", ["http://x/> . ?s ?p ?o", "http://x/a b", "", 'http://x/"', "http://x/{"])
def test_iri_ref_refuses_what_could_escape(iri):
    with pytest.raises(UnsafeTerm):
        iri_ref(iri)


def test_sentence_around_stops_at_sentence_ends_and_newlines():
    text = "First one. Second has the word here! Third.\nFourth line"
    start = text.index("word")
    assert sentence_around(text, start, start + 4) == ("Second has the ", "word", " here!")
    assert sentence_around(text, text.index("Fourth"), len(text)) == ("", "Fourth line", "")


def test_sentence_around_clamps_bad_offsets():
    assert sentence_around("Short.", 3, 99) == ("Sho", "rt.", "")


def test_segments_cover_the_text_exactly_once():
    text = "Syrian forces hit Raqqa on Saturday."
    spans = [Span(0, 23, label="attack"), Span(0, 13, label="actor"), Span(18, 23, label="place"), Span(50, 60, label="out"), Span(5, 5)]
    pieces = segments(text, spans)
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.link.label if p.link else None) for p in pieces] == [
        ("Syrian forces", "actor"), (" hit ", "attack"), ("Raqqa", "place"), (" on Saturday.", None)
    ]


def test_segments_of_text_without_mentions():
    assert [(p.text, p.spans) for p in segments("plain", [])] == [("plain", [])]


def test_map_keeps_points_inside_the_frame_and_north_up():
    points = [MapPoint(35.95, 39.01, "Raqqa", here=True), MapPoint(36.2, 37.15, "Aleppo"), MapPoint(33.5, 36.3, "Damascus")]
    view = map_view(points)
    for p in view.points:
        assert 0 <= p.x <= view.width and 0 <= p.y <= view.height
    aleppo, damascus = view.points[1], view.points[2]
    assert aleppo.y < damascus.y  # north is up
    assert view.meridians and view.parallels and all(label.endswith(("E", "W")) for _, label in view.meridians)


def test_map_without_points_is_none():
    assert map_view([]) is None


def test_href_for_never_links_scripts():
    assert render.href_for("javascript:alert(1)", "http://x/id/") is None
    assert render.href_for("data:text/html,<script>", "http://x/id/") is None


def test_dates_read_as_a_reader_writes_them_not_as_schema_types():
    import pyoxigraph as ox

    from server.render import XSD, value_of

    month = value_of(ox.Literal("2016-10", datatype=ox.NamedNode(XSD + "gYearMonth")), "http://localhost:5000/")
    day = value_of(ox.Literal("2014-09-06", datatype=ox.NamedNode(XSD + "date")), "http://localhost:5000/")
    assert (month.text, month.datatype, month.when) == ("October 2016", None, "2016-10")
    assert (day.text, day.when) == ("6 September 2014", "2014-09-06")
