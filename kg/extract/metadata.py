"""Article metadata inferred from the text when no sidecar gives it; a sidecar value always wins.

Inferred fields are listed in ``state.inferred`` and end up as ``ckg:inferredProperty`` triples.
"""
from __future__ import annotations

import re

from kg.extract.dates import HEAD_CHARS, DateMention, choose_anchor, find_date_mentions
from kg.extract.model import State
from kg.extract.step import step

AGENCIES = {"Reuters": "Reuters", "AP": "Associated Press", "AFP": "Agence France-Presse", "UPI": "United Press International"}
_NAME = r"[A-Z][a-z'’-]+(?:\s+[A-Z]\.)?(?:\s+(?:al-|de |van |bin )?[A-Z][A-Za-z'’-]+){1,2}"
_FOLLOW = re.compile(rf"^Follow\s+(?P<name>{_NAME})\s+on\s+(?:Twitter|X|Facebook|Instagram)\b")
_BYLINE = re.compile(rf"^By\s+(?P<name>{_NAME})(?:\s*(?:,|and|\||$))")
_CREDITS = re.compile(rf"^\((?:Reporting|Writing)\s+by\s+(?P<name>{_NAME})")
_NEWS_ORG = re.compile(r"\b(?P<org>(?:[A-Z][A-Za-z0-9&]*\s){1,3}News)\b")
_MAX_TITLE = 200
_IMPERATIVES = {"Watch", "Read", "Follow", "See", "Listen", "Subscribe", "Visit", "More", "From", "Via"}


@step(requires=["text", "segments"], assigns=["meta", "inferred"])
def infer_metadata(state: State) -> None:
    for field, finder in (("title", infer_title), ("author", infer_author), ("publisher", infer_publisher), ("published", infer_published)):
        if state.meta.get(field):
            continue
        value = finder(state)
        if value:
            state.meta[field] = value
            state.inferred.add(field)
    _mark_title_segment(state)


def infer_title(state: State) -> str | None:
    """The first substantial non-boilerplate line, when it reads as a headline (short, no full stop)."""
    for segment in state.segments[:4]:
        if segment.kind != "body":
            continue
        line = state.text[segment.start:segment.end]
        words = line.split()
        if 3 <= len(words) <= 30 and len(line) <= _MAX_TITLE and not line.endswith((".", ":", ",")):
            return line
        return None
    return None


def infer_author(state: State) -> str | None:
    """From a byline near the top, a closing "Follow <Name> on Twitter" or "(Reporting by <Name>; ...)"."""
    for segment in state.segments[:6]:
        match = _BYLINE.match(state.text[segment.start:segment.end])
        if match:
            return match.group("name")
    for segment in reversed(state.segments):
        line = state.text[segment.start:segment.end]
        match = _FOLLOW.match(line) or _CREDITS.match(line)
        if match:
            return match.group("name")
    return None


def infer_publisher(state: State) -> str | None:
    """A news agency in the dateline, else a "<Org> News" name in the closing boilerplate (weak)."""
    for segment in state.segments[:6]:
        if segment.kind == "dateline" and segment.info.get("agency"):
            agency = segment.info["agency"].strip()
            return AGENCIES.get(agency, agency)
    for segment in reversed(state.segments[-6:]):
        if segment.mined:
            continue
        for match in _NEWS_ORG.finditer(state.text[segment.start:segment.end]):
            words = match.group("org").split()
            while words and words[0] in _IMPERATIVES:
                words.pop(0)
            if len(words) >= 2:
                return " ".join(words)
    return None


def infer_published(state: State) -> str | None:
    """The article's own date from the dates its text gives (:func:`kg.extract.dates.choose_anchor`):
    a dateline, a "Published ..." line or a date at the head beats a date in the story, an embedded
    post's date counts as a story date; among the best placed, the latest. Its span is kept as the
    evidence (``state.meta["_published_span"]``).
    """
    mentions = [_as_dateline(state, m) for m in find_date_mentions(state.text) if _readable(state, m.start)]
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", state.text)]
    anchor = choose_anchor(mentions, _head_end(state), years)
    if anchor is None:
        return None
    state.meta["_published_span"] = (anchor.start, anchor.end)
    return anchor.value


def _readable(state: State, offset: int) -> bool:
    """Whether an offset lies in text that may date the article: not in boilerplate such as teasers
    of other stories."""
    for segment in state.segments:
        if segment.start <= offset < segment.end:
            return segment.kind in ("body", "title", "dateline", "tweet")
    return True


def _as_dateline(state: State, mention: DateMention) -> DateMention:
    """A date inside a dateline segment ("BEIRUT, April 5 (Reuters) -") is marked as one."""
    if not mention.cue and any(s.kind == "dateline" and s.start <= mention.start < s.end for s in state.segments):
        return DateMention(mention.start, mention.end, mention.value, "dateline")
    return mention


def _head_end(state: State) -> int:
    """Where the head of the article ends: its first body segments' first characters, past a
    separate title line."""
    body = [s for s in state.segments if s.kind in ("body", "dateline")]
    start = body[0].start if body else 0
    title = (state.meta.get("title") or "").strip()
    if title and state.text[start:start + len(title)] == title:
        start += len(title)  # the headline repeated at the top: the head follows it
    return start + HEAD_CHARS


def _mark_title_segment(state: State) -> None:
    """The line that is the headline is read for names, not for events."""
    title = (state.meta.get("title") or "").strip()
    for segment in state.segments[:4]:
        if segment.kind == "body" and title and state.text[segment.start:segment.end].strip() == title:
            segment.kind = "title"
            return
