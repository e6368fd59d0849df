"""Boilerplate segmentation, metadata inference and date resolution."""
from datetime import date

import pytest

from kg.extract.boilerplate import segment_text
from kg.extract.dates import find_dates, resolve_expression, resolve_weekday
from helpers import run

PAGE = """This article is more than 3 years old.

Rebels Shell Government Positions Near Aleppo

Photo by Jane Roe/AFP

Fighting raged on Tuesday near the city, residents said.

Clashes Continue Across The North. Read more here.

the monitor reported new deaths — Aleppo Monitor (@aleppomon)March 4, 2016

Watch the full Example News report here.

Follow John Smith on Twitter: @jsmith"""


def test_boilerplate_lines_are_classified_and_offsets_point_into_the_text():
    segments = segment_text(PAGE)
    kinds = [s.kind for s in segments]
    assert kinds == ["age-notice", "body", "photo-credit", "body", "teaser", "tweet", "watch", "follow"]
    for segment in segments:
        assert PAGE[segment.start:segment.end] == PAGE[segment.start:segment.end].strip()
    tweet = segments[5]
    assert tweet.info["handle"] == "aleppomon" and tweet.info["name"] == "Aleppo Monitor"
    assert PAGE[slice(*tweet.info["handle_span"])] == "@aleppomon"


def test_wrapped_wire_lines_are_one_paragraph():
    text = "The army said on Monday that its troops had repelled an attack\non the northern town, killing five militants.\n    A second paragraph."
    segments = segment_text(text)
    assert len(segments) == 2 and text[segments[0].start:segments[0].end].endswith("five militants.")


def test_metadata_is_inferred_from_the_page_and_marked_inferred():
    x = run(PAGE)
    assert x.meta["title"] == "Rebels Shell Government Positions Near Aleppo"
    assert x.meta["author"] == "John Smith"
    assert x.meta["publisher"] == "Example News"
    assert x.meta["published"] == "2016-03-04"
    assert {"title", "author", "publisher", "published"} <= x.inferred


def test_sidecar_metadata_wins_over_inference():
    x = run(PAGE, title="Given title", published="2016-03-05")
    assert x.meta["title"] == "Given title" and x.meta["published"] == "2016-03-05"
    assert "title" not in x.inferred and "published" not in x.inferred


def test_dateline_gives_date_and_agency():
    x = run("KABUL, March 3, 2015 (Reuters) - A roadside bomb killed four soldiers in the south, officials said.")
    assert x.meta["published"] == "2015-03-03" and x.meta["publisher"] == "Reuters"


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("Saturday", ["2014-09-06"]),  # same weekday as publication: that very day
        ("Sunday", ["2014-08-31"]),  # otherwise the most recent one before
        ("Friday", ["2014-09-05"]),
        ("Thursday and Friday", ["2014-09-04", "2014-09-05"]),
        ("yesterday", ["2014-09-05"]),
        ("last year", ["2013"]),
        ("August 8", ["2014-08-08"]),
        ("December 30", ["2013-12-30"]),  # no year, and after the reference: last year's
        ("Sept. 6, 2014", ["2014-09-06"]),
    ],
)
def test_relative_dates_resolve_against_publication(expression, expected):
    assert resolve_expression(expression, date(2014, 9, 6)) == expected


def test_weekday_resolution_never_lands_after_publication():
    reference = date(2021, 1, 13)  # a Wednesday
    for weekday in range(7):
        resolved = resolve_weekday(weekday, reference)
        assert resolved <= reference and (reference - resolved).days < 7 and resolved.weekday() == weekday


def test_explicit_dates_are_found_with_offsets():
    text = "It happened on 4 April 2017 and again on April 7, 2017."
    found = find_dates(text)
    assert [d for _, _, d in found] == ["2017-04-04", "2017-04-07"]
    assert text[found[0][0]:found[0][1]] == "4 April 2017"
