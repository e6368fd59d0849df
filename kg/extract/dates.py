"""Dates in news text, normalised against the publication date.

Our own small resolver rather than dateparser on every token: it is fast, deterministic and gets
weekdays right for news (a weekday equal to the publication day's weekday is that very day; any
other weekday is the most recent past one).

>>> resolve_expression("Saturday", date(2014, 9, 6))
['2014-09-06']
>>> resolve_expression("Friday and Saturday", date(2014, 9, 6))
['2014-09-05', '2014-09-06']
>>> resolve_expression("last year", date(2014, 9, 6))
['2013']
>>> resolve_expression("in October", date(2017, 1, 7))
['2016-10']
>>> find_dates("BEIRUT, Sept. 6, 2014 (Reuters)")[0][2]
'2014-09-06'
"""
from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_MONTH_RE = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_PATTERNS = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(rf"\b{_MONTH_RE}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
    re.compile(rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+{_MONTH_RE}(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
)


def month_number(name: str) -> int:
    """The month's number from its name or abbreviation.

    >>> month_number("Sept.")
    9
    """
    return MONTHS[name.lower()[:3]]


def find_dates(text: str, reference: date | None = None) -> list[tuple[int, int, str]]:
    """Explicit calendar dates in ``text`` as (start, end, ISO date).

    A date without a year takes the reference's year, or the year before when that would put it
    after the reference; without a reference it is skipped.
    """
    found: list[tuple[int, int, str]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            value = _date_from_match(m, reference)
            if value:
                found.append((m.start(), m.end(), value.isoformat()))
    return sorted(found)


def _date_from_match(m: re.Match, reference: date | None) -> date | None:
    groups = m.groupdict()
    try:
        month = int(groups["mnum"]) if groups.get("mnum") else month_number(groups["month"])
        day = int(groups["day"])
        if groups.get("year"):
            return date(int(groups["year"]), month, day)
        if reference is None:
            return None
        value = date(reference.year, month, day)
        return value if value <= reference + timedelta(days=1) else date(reference.year - 1, month, day)
    except (ValueError, KeyError, TypeError):
        return None


def resolve_weekday(weekday: int, reference: date) -> date:
    """The weekday's date in news reference: the publication day itself, else the latest before it.

    >>> resolve_weekday(WEEKDAYS["saturday"], date(2014, 9, 6)).isoformat()
    '2014-09-06'
    >>> resolve_weekday(WEEKDAYS["sunday"], date(2014, 9, 6)).isoformat()
    '2014-08-31'
    """
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


def resolve_expression(expression: str, reference: date | None) -> list[str]:
    """ISO dates (or a month ``YYYY-MM``, or a year ``YYYY``) an expression like "on Friday and Saturday" denotes."""
    lowered = expression.lower()
    explicit = [value for _, _, value in find_dates(expression, reference)]
    if explicit:
        return explicit
    year = re.fullmatch(r"(?:in )?((?:19|20)\d\d)", lowered.strip())
    if year:
        return [year.group(1)]
    if reference is None:
        return []
    month = re.fullmatch(rf"(?:in |last |early |late |mid-?)?{_MONTH_RE}(?:,?\s+(?P<year>(?:19|20)\d\d))?", expression.strip(), re.IGNORECASE)
    if month:
        number = month_number(month.group("month"))
        year = int(month.group("year") or (reference.year if number <= reference.month else reference.year - 1))
        return [f"{year:04d}-{number:02d}"]
    if re.search(r"\blast year\b", lowered):
        return [str(reference.year - 1)]
    if re.search(r"\bthis year\b", lowered):
        return [str(reference.year)]
    if re.search(r"\byesterday\b", lowered):
        return [(reference - timedelta(days=1)).isoformat()]
    if re.search(r"\b(?:today|tonight|this morning|this afternoon|this evening)\b", lowered):
        return [reference.isoformat()]
    days = [WEEKDAYS[w] for w in re.findall(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b", lowered)]
    if days and not re.search(r"\b(?:next|coming|every)\b", lowered):
        resolved = sorted({resolve_weekday(d, reference) for d in days})
        if re.search(r"\blast\b", lowered):
            resolved = [d - timedelta(days=7) if d == reference else d for d in resolved]
        return [d.isoformat() for d in resolved]
    return []


def parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
