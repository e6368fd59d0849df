"""Dates and places from the text alone (issue 9): small hand-written articles without a sidecar date."""
from __future__ import annotations

from datetime import date

import pytest
from rdflib.namespace import RDFS, SKOS

from helpers import run
from kg.extract.dates import DateMention, choose_anchor, find_date_mentions, numeric_order, resolve_expression
from kg.rdf import to_rdf
from kg.sources import Article


@pytest.mark.parametrize("text, value, cue", [
    ("Wed 05 Apr 2017 Jets struck", "2017-04-05", "weekday"),
    ("Thursday 14 Jul 2016 Air strikes", "2016-07-14", "weekday"),
    ("Jets struck on April 5, 2017 at dawn", "2017-04-05", ""),
    ("Date of publication 12 June 2016 At least", "2016-06-12", "publication"),
    ("Updated: 3 May 2016 Shelling", "2016-05-03", "publication"),
    ("Posted on July 12 2016 by a reporter", "2016-07-12", "publication"),
    ("Last updated at Jan 202015 Beirut", "2015-01-20", "publication"),
    ("the siege began in March 2013", "2013-03", ""),
])
def test_absolute_dates_in_the_forms_news_uses(text, value, cue):
    [mention] = find_date_mentions(text)
    assert (mention.value, mention.cue) == (value, cue)


def test_numeric_dates_follow_the_convention_of_the_unambiguous_ones():
    assert numeric_order("Filed 25/03/2017. The raid of 05/04/2017 ...") == "DMY"
    assert [m.value for m in find_date_mentions("Filed 25/03/2017. The raid of 05/04/2017 ...")] == ["2017-03-25", "2017-04-05"]
    assert [m.value for m in find_date_mentions("Filed 3/25/2017. The raid of 05/04/2017 ...")] == ["2017-03-25", "2017-05-04"]


def test_a_head_or_marked_date_beats_a_later_date_in_the_story():
    story = [DateMention(2, 12, "2016-07-07", "publication"), DateMention(900, 912, "2016-08-01")]
    assert choose_anchor(story).value == "2016-07-07"
    assert choose_anchor([DateMention(0, 9, "2016-07-07"), DateMention(20, 30, "2016-07-08")]).value == "2016-07-08"
    assert choose_anchor([DateMention(500, 510, "2016-05")]) is None  # a month is no article date


def test_relative_expressions_resolve_against_the_anchor_like_a_reader():
    anchor = date(2017, 4, 5)  # a Wednesday
    assert resolve_expression("on Wednesday", anchor) == ["2017-04-05"]
    assert resolve_expression("on Thursday", anchor) == ["2017-03-30"]
    assert resolve_expression("yesterday", anchor) == ["2017-04-04"]
    assert resolve_expression("three days ago", anchor) == ["2017-04-02"]
    assert resolve_expression("earlier this month", anchor) == ["2017-04"]
    assert resolve_expression("in March", anchor) == ["2017-03"]
    assert resolve_expression("last week", anchor) == []  # no invented day


def test_without_an_anchor_dates_keep_their_granularity():
    assert resolve_expression("on Tuesday", None) == []
    assert resolve_expression("in March 2015", None) == ["2015-03"]
    assert resolve_expression("in 2014", None) == ["2014"]


def test_the_article_date_is_inferred_from_the_head_with_its_evidence():
    text = ("Jets pound rebel town\n\nAFP Tuesday 5 Jul 2016\n\nWarplanes struck the town of Saraqeb on Monday, "
            "the Syrian Observatory for Human Rights said. A similar raid hit the town on 2 June 2016.")
    x = run(text)
    assert x.meta["published"] == "2016-07-05" and "published" in x.inferred
    start, end = x.meta["_published_span"]
    assert text[start:end] == "5 Jul 2016"
    graph = to_rdf(Article(text=text, path="test.txt", meta={}), x)
    assert "5 Jul 2016" in {str(o) for o in graph.objects(None, None)}  # the evidence mention's text
    assert any(a.dates == ["2016-07-04"] for a in x.attacks)  # "on Monday" before Tuesday 5 July


def test_a_dateline_without_year_takes_the_year_the_article_names():
    x = run("BEIRUT, April 5 (Reuters) - Jets struck Idlib on Tuesday, a monitor said. The war began in 2011 and worsened in 2017.")
    assert x.meta["published"] == "2017-04-05"


def test_an_attack_is_not_dated_by_the_article_date_by_default():
    x = run("Jets struck Saraqeb, a monitor said.", published="2018-02-20")
    assert x.attacks and all(not a.dates for a in x.attacks)
    today = run("Jets struck Saraqeb today, a monitor said.", published="2018-02-20")
    assert any(a.dates == ["2018-02-20"] for a in today.attacks)


def test_a_village_is_found_in_its_province_and_the_attack_in_the_village():
    x = run("Syrian government warplanes struck Saraqeb in Idlib province on Monday, killing five people, a monitor said.",
            published="2018-02-20")
    places = {e.key: e for (k, _), e in x.entities.items() if k == "place"}
    [attack] = [a for a in x.attacks if a.places]
    village = places[attack.places[0]]
    region = places[village.props["located_in"]]
    assert region.props.get("code") == "SY-ID" and region.props["located_in"] == "Syria"
    assert "Syria" not in attack.places  # implied by the village


def test_place_labels_are_the_article_spelling_with_the_gazetteers_as_alt_labels():
    text = "Syrian shelling hit Hama on Monday, a monitor said. In Hama, residents fled. Hamas streets were empty."
    article = Article(text=text, path="test.txt", meta={"published": "2016-03-02"})
    from kg.extract import extract

    x = extract(article)
    [hama] = [e for (kind, _), e in x.entities.items() if kind == "place" and "City" in e.types]
    graph = to_rdf(article, x)
    node = next(s for s, _, o in graph.triples((None, RDFS.label, None)) if str(o) == "Hama")
    assert {str(o) for o in graph.objects(node, SKOS.altLabel)} >= {hama.label} and hama.label != "Hama"
