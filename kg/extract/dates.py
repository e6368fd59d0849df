"""Dates in news text: every absolute date, the article's own date, relative expressions.

Absolute dates are found by pattern ("5 April 2017", "April 5, 2017", "Wed 05 Apr 2017",
"Apr 232017", "2017-04-05", "05/04/2017", "April 2017"), numeric ones read in the article's own
convention (:func:`numeric_order`). :func:`choose_anchor` picks the article's date among them.
Relative expressions ("on Tuesday", "two days ago", "in March") are resolved against that anchor
by :func:`resolve_expression`: a weekday is the most recent such day on or before the anchor;
counted offsets ("two days ago", "a week ago") go to ``dateparser`` with the anchor as its
``RELATIVE_BASE``. Without an anchor a date keeps the granularity the text gives (a year and
month, a year), never an invented day.

>>> resolve_expression("Saturday", date(2014, 9, 6))
['2014-09-06']
>>> resolve_expression("Friday and Saturday", date(2014, 9, 6))
['2014-09-05', '2014-09-06']
>>> resolve_expression("last year", date(2014, 9, 6))
['2013']
>>> resolve_expression("in October", date(2017, 1, 7))
['2016-10']
>>> resolve_expression("two days ago", date(2017, 4, 5))
['2017-04-03']
>>> resolve_expression("in March 2015", None), resolve_expression("Tuesday", None)
(['2015-03'], [])
>>> find_dates("BEIRUT, Sept. 6, 2014 (Reuters)")[0][2]
'2014-09-06'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_MONTH_RE = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
# (pattern, granularity); earlier patterns win where two overlap
_PATTERNS = (
    (re.compile(rf"\b{_YEAR}-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"), "day"),
    (re.compile(rf"\b{_MONTH_RE}\s+(?P<day>[0-3]?\d){_YEAR}\b"), "day"),  # "Apr 232017": the space lost
    (re.compile(rf"\b{_MONTH_RE}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?"), "day"),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+{_YEAR}\b)?"), "day"),
    (re.compile(rf"\b(?P<a>[0-3]?\d)[/.](?P<b>[0-3]?\d)[/.]{_YEAR}\b"), "numeric"),
    (re.compile(rf"\b{_MONTH_RE}\s+(?:of\s+)?{_YEAR}\b"), "month"),
)
_WEEKDAY_BEFORE = re.compile(r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s*$", re.IGNORECASE)
_PUBLICATION_BEFORE = re.compile(
    r"\b(?:date of publication|published|posted|updated|last updated|first published|last modified|dated?)"
    r"(?:\s+(?:on|at))?\s*[:\-–]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """An absolute date the text gives: its span, its value (``YYYY-MM-DD``, ``YYYY-MM`` or a
    day without its year as ``--MM-DD``) and what marks it: ``publication`` ("Published ...",
    "Updated: ..."), ``weekday`` ("Wed 05 Apr 2017"), or nothing."""

    start: int
    end: int
    value: str
    cue: str = ""

    @property
    def is_day(self) -> bool:
        return len(self.value) == 10 and not self.value.startswith("-")


def month_number(name: str) -> int:
    """The month's number from its name or abbreviation.

    >>> month_number("Sept.")
    9
    """
    return MONTHS[name.lower()[:3]]


def numeric_order(text: str) -> str:
    """How the article writes numeric dates: ``DMY`` or ``MDY``, decided by the unambiguous ones
    (a part above 12), else by how it writes dates in words ("5 April" or "April 5"), else ``DMY``.

    >>> numeric_order("on 25/03/2017 and 05/04/2017"), numeric_order("3/25/2017 then 4/5/2017")
    ('DMY', 'MDY')
    >>> numeric_order("April 5, 2017: the attack of 04/05/2017")
    'MDY'
    """
    votes = {"DMY": 0, "MDY": 0}
    for m in _PATTERNS[4][0].finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if a > 12 >= b:
            votes["DMY"] += 1
        elif b > 12 >= a:
            votes["MDY"] += 1
    if votes["DMY"] != votes["MDY"]:
        return max(votes, key=votes.get)
    words_md = len(_PATTERNS[2][0].findall(text))
    words_dm = len(_PATTERNS[3][0].findall(text))
    return "MDY" if words_md > words_dm else "DMY"


def find_date_mentions(text: str, reference: date | None = None) -> list[DateMention]:
    """Every absolute date of ``text``, in order. A day without a year takes the reference's year
    (the year before when that would put it after the reference); without a reference it is kept
    as ``--MM-DD``.

    >>> [m.value for m in find_date_mentions("Wed 05 Apr 2017. On 5/4/2017 and in March 2017 ...")]
    ['2017-04-05', '2017-04-05', '2017-03']
    >>> find_date_mentions("Last updated at Apr 232017 An Israeli attack")[0]
    DateMention(start=16, end=26, value='2017-04-23', cue='publication')
    >>> find_date_mentions("on June 12")[0].value, find_date_mentions("on June 12", date(2016, 6, 20))[0].value
    ('--06-12', '2016-06-12')
    """
    order = None
    found: list[DateMention] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            if any(f.start < m.end() and m.start() < f.end for f in found):
                continue
            if kind == "numeric":
                order = order or numeric_order(text)
            value = _value(m, kind, order, reference)
            if value:
                found.append(DateMention(m.start(), m.end(), value, _cue(text, m.start())))
    return sorted(found, key=lambda f: f.start)


def find_dates(text: str, reference: date | None = None) -> list[tuple[int, int, str]]:
    """Calendar days in ``text`` as (start, end, ISO date); a day without a year only with a reference."""
    return [(m.start, m.end, m.value) for m in find_date_mentions(text, reference) if m.is_day]


def _cue(text: str, start: int) -> str:
    before = text[max(0, start - 45):start]
    weekday = _WEEKDAY_BEFORE.search(before)
    if _PUBLICATION_BEFORE.search(before[:weekday.start()] if weekday else before):
        return "publication"
    return "weekday" if weekday else ""


def _value(m: re.Match, kind: str, order: str | None, reference: date | None) -> str | None:
    groups = m.groupdict()
    try:
        if kind == "month":
            return f"{int(groups['year']):04d}-{month_number(groups['month']):02d}"
        if kind == "numeric":
            a, b = int(groups["a"]), int(groups["b"])
            day, month = (a, b) if order == "DMY" else (b, a)
            return date(int(groups["year"]), month, day).isoformat()
        month = int(groups["mnum"]) if groups.get("mnum") else month_number(groups["month"])
        day = int(groups["day"])
        if groups.get("year"):
            return date(int(groups["year"]), month, day).isoformat()
        date(2000, month, day)  # a real day of the year (29 February included)
        if reference is None:
            return f"--{month:02d}-{day:02d}"
        return _in_year_before(month, day, reference).isoformat()
    except (ValueError, KeyError, TypeError):
        return None


def _in_year_before(month: int, day: int, reference: date) -> date:
    """The day in the reference's year, or the year before when that falls after the reference."""
    for year in (reference.year, reference.year - 1, reference.year - 2):
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if value <= reference + timedelta(days=1):
            return value
    return date(reference.year - 1, month, 28)


HEAD_CHARS = 300


def choose_anchor(mentions: list[DateMention], head_end: int = HEAD_CHARS, years: list[int] = ()) -> DateMention | None:
    """The article's own date among its date mentions: a marked date ("Published ...", a weekday
    before it, a dateline) or a date at the head (before ``head_end``) beats a date in the story;
    among the best placed, the latest. A marked day without its year takes the latest of ``years``
    (the years the article names).

    >>> story = [DateMention(300, 310, "2017-04-04"), DateMention(5, 15, "2017-04-02", "publication")]
    >>> choose_anchor(story).value
    '2017-04-02'
    >>> choose_anchor([DateMention(400, 410, "2016-01-02"), DateMention(900, 910, "2016-02-03")]).value
    '2016-02-03'
    >>> choose_anchor([DateMention(0, 7, "--04-05", "dateline")], years=[2016, 2017]).value
    '2017-04-05'
    """
    days = [_with_year(m, years) for m in mentions]
    days = [m for m in days if m is not None and m.is_day]
    if not days:
        return None
    rank = lambda m: 2 if m.cue else 1 if m.start < head_end else 0  # noqa: E731
    best = max(rank(m) for m in days)
    return max((m for m in days if rank(m) == best), key=lambda m: (m.value, -m.start))


def _with_year(mention: DateMention, years) -> DateMention | None:
    """A marked day without its year ("BEIRUT, April 5 (Reuters)") in the latest year named; an
    unmarked one stays without a year."""
    if not mention.value.startswith("--"):
        return mention
    if not years or not mention.cue:
        return None
    month, day = int(mention.value[2:4]), int(mention.value[5:7])
    try:
        return DateMention(mention.start, mention.end, date(max(years), month, day).isoformat(), mention.cue)
    except ValueError:
        return None


def resolve_weekday(weekday: int, reference: date) -> date:
    """The most recent such weekday on or before the reference (the reference's own weekday is that day).

    >>> resolve_weekday(WEEKDAYS["saturday"], date(2014, 9, 6)).isoformat()
    '2014-09-06'
    >>> resolve_weekday(WEEKDAYS["sunday"], date(2014, 9, 6)).isoformat()
    '2014-08-31'
    """
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "several": None, "few": None}
_AGO = re.compile(r"\b(?P<n>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<unit>day|week|month|year)s?\s+ago\b")


def resolve_expression(expression: str, reference: date | None) -> list[str]:
    """ISO dates (or a month ``YYYY-MM``, or a year ``YYYY``) an expression like "on Friday and Saturday" denotes."""
    lowered = expression.lower()
    explicit = [m.value for m in find_date_mentions(expression, reference) if not m.value.startswith("--")]
    if explicit:
        return explicit
    year = re.fullmatch(r"(?:in |early |late |mid-?)?((?:19|20)\d\d)", lowered.strip())
    if year:
        return [year.group(1)]
    if reference is None:
        return []
    month = re.fullmatch(rf"(?:in |last |early |late |mid-?|earlier in |since )?{_MONTH_RE}(?:,?\s+(?P<year>(?:19|20)\d\d))?", expression.strip(), re.IGNORECASE)
    if month:
        number = month_number(month.group("month"))
        year = int(month.group("year") or (reference.year if number <= reference.month else reference.year - 1))
        return [f"{year:04d}-{number:02d}"]
    return _relative(lowered, reference)


def _relative(lowered: str, reference: date) -> list[str]:
    """Words relative to the reference: yesterday, today, weekdays, this/last month or year, "N days ago"."""
    if re.search(r"\blast year\b", lowered):
        return [str(reference.year - 1)]
    if re.search(r"\bthis year\b", lowered):
        return [str(reference.year)]
    if re.search(r"\b(?:this|earlier this|later this|so far this) month\b", lowered):
        return [reference.isoformat()[:7]]
    if re.search(r"\blast month\b", lowered):
        return [(reference.replace(day=1) - timedelta(days=1)).isoformat()[:7]]
    if re.search(r"\b(?:the day before yesterday)\b", lowered):
        return [(reference - timedelta(days=2)).isoformat()]
    if re.search(r"\byesterday\b", lowered):
        return [(reference - timedelta(days=1)).isoformat()]
    if re.search(r"\b(?:today|tonight|this morning|this afternoon|this evening)\b", lowered):
        return [reference.isoformat()]
    ago = _AGO.search(lowered)
    if ago:
        return _ago(ago.group(0), ago.group("unit"), reference)
    days = [WEEKDAYS[w] for w in re.findall(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b", lowered)]
    if days and not re.search(r"\b(?:next|coming|every|following)\b", lowered):
        resolved = sorted({resolve_weekday(d, reference) for d in days})
        if re.search(r"\blast\b", lowered):
            resolved = [d - timedelta(days=7) if d == reference else d for d in resolved]
        return [d.isoformat() for d in resolved]
    return []


def _ago(phrase: str, unit: str, reference: date) -> list[str]:
    """"two days ago" through dateparser, relative to the reference; months and years keep their granularity."""
    import dateparser

    found = dateparser.parse(phrase, languages=["en"], settings={"RELATIVE_BASE": datetime(reference.year, reference.month, reference.day),
                                                                 "PREFER_DATES_FROM": "past"})
    if found is None:
        return []
    value = found.date().isoformat()
    return [value[:{"month": 7, "year": 4}.get(unit, 10)]]


def parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
