"""Boilerplate: split the text into segments and mark those not to be mined.

The text is never rewritten: segments are offsets into it. Embedded posts ("... — Name
(@handle) Month D, YYYY") are kept as ``tweet`` segments, read for claims only.

>>> [s.kind for s in segment_text("This story is over 5 years old.\\n\\nTitle here\\n\\nBody text.")]
['age-notice', 'body', 'body']
"""
from __future__ import annotations

import re

from kg.extract.model import Segment, State
from kg.extract.step import step

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
LINE_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("age-notice", r"^this (?:story|article|post|page) is (?:over|more than|at least) \w+ (?:years?|months?) old\.?$"),
        ("photo-credit", r"^(?:photo|image|picture|photograph|video|file photo|credit)s?(?:\s+by|\s*:|\s*courtesy)\s.{1,150}$"),
        ("photo-credit", r"^[^.]{0,120}/(?:AP|AFP|Reuters|Getty Images|EPA|AP Photo|SANA)\)?$"),
        ("teaser", r"^.{0,250}\bread (?:more|the rest|the full story)(?: here| at .{1,40})?\.?$"),
        ("follow", r"^follow (?:\S+ ){1,5}on (?:twitter|facebook|instagram|x)\b.{0,80}$"),
        ("watch", r"^(?:watch|listen to|see) .{0,200}\bhere\.?$"),
        ("credits", r"^\((?:reporting|writing|additional reporting|editing)(?: by)? [^()]{2,200}\)$"),
        ("share", r"^(?:share (?:this|on)|click here|sign up|subscribe|advertisement|related:|also read:|see also:).{0,150}$"),
    )
)
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}(?:,\s*[A-Z][A-Za-z .]{1,30})?),?\s+"
    rf"(?P<date>{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?)?\s*(?:\((?P<agency>[^()\n]{{2,40}})\))?\s*[-—–]+\s+"
)
TWEET = re.compile(
    r"^(?P<body>.{1,600}?)\s*[—–]+\s*(?P<name>[^()\n—–]{1,80}?)\s*\(@(?P<handle>\w{1,30})\)\s*"
    rf"(?P<date>{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})\s*$"
)


MAX_SEGMENTED_CHARS = 100_000  # beyond this a (possibly hostile) text is kept but not read


def segment_text(text: str) -> list[Segment]:
    """Paragraph segments, classified; hard-wrapped lines (as in wire copy) are joined."""
    segments: list[Segment] = []
    previous_end = -1
    for match in re.finditer(r"[^\n]+", text):
        if match.start() >= MAX_SEGMENTED_CHARS:
            segments.append(Segment(match.start(), len(text), "unread"))
            break
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        segment = classify_line(stripped, start, start + len(stripped))
        dateline = DATELINE.match(stripped) if segment.kind == "body" and len(segments) < 6 else None
        if dateline and (dateline.group("date") or dateline.group("agency")):
            info = {k: v for k, v in dateline.groupdict().items() if v}
            segments.append(Segment(start, start + dateline.end(), "dateline", info))
            segment.start = start + dateline.end()
        if segments and _continues(segments[-1], segment, text, previous_end, line):
            segments[-1].end = segment.end
        else:
            segments.append(segment)
        previous_end = match.end()
    return segments


def _continues(last: Segment, segment: Segment, text: str, previous_end: int, line: str) -> bool:
    """A wrapped line: same paragraph (no blank line, no indent) and the last line stopped mid-sentence."""
    if last.kind != "body" or segment.kind != "body" or line[:1].isspace():
        return False
    if text[previous_end:segment.start].count("\n") != 1:
        return False
    last_line = text[text.rfind("\n", 0, previous_end) + 1:previous_end].strip()
    return len(last_line) >= 45 and not last_line.endswith((".", "!", "?", ":", '"', "”"))


def classify_line(line: str, start: int, end: int) -> Segment:
    """A segment for one stripped line starting at ``start``."""
    tweet = TWEET.match(line)
    if tweet:
        info = {k: tweet.group(k).strip() for k in ("name", "handle", "date")}
        info["body_end"] = start + tweet.end("body")
        info["name_span"] = (start + tweet.start("name"), start + tweet.end("name"))
        info["handle_span"] = (start + tweet.start("handle") - 1, start + tweet.end("handle"))
        info["date_span"] = (start + tweet.start("date"), start + tweet.end("date"))
        return Segment(start, end, "tweet", info)
    for kind, pattern in LINE_PATTERNS:
        if pattern.match(line):
            return Segment(start, end, kind)
    return Segment(start, end, "body")


@step(requires=["text"], assigns=["segments"])
def mark_boilerplate(state: State) -> None:
    state.segments = segment_text(state.text)
