"""Casualty figures and equipment losses, read per sentence from the dependency parse.

"At least 25 people are dead", "killed 12", "left 7 dead", "wounding 30", "three children ... were
killed", "the death toll rose to 20", "destroyed four Humvees".

>>> number_value("twenty-five"), number_value("1,200"), number_value("a")
(25, 1200, 1)
"""
from __future__ import annotations

import re

from kg.extract.model import Loss, Sentence, State
from kg.extract.step import step

KILL_WORDS = {"kill", "die", "dead", "behead", "execute", "massacre", "slay", "murder", "perish", "slaughter", "death", "fatality", "lose"}
INJURE_WORDS = {"wound", "injure", "hurt", "injury", "casualty", "wounded", "injured", "treat", "hospitalise", "hospitalize"}
TOLL_WORDS = {"toll", "death", "number", "count", "tally"}
RISE_WORDS = {"rise", "climb", "reach", "increase", "jump", "hit", "stand", "put", "soar"}
LOSS_VERBS = {"destroy": "destroyed", "damage": "damaged"}
PEOPLE_WORDS = {
    "people", "person", "civilian", "child", "woman", "man", "member", "soldier", "fighter", "militant", "rebel",
    "resident", "worker", "student", "villager", "police", "policeman", "officer", "troop", "insurgent", "jihadist",
    "family", "protester", "protestor", "demonstrator", "journalist", "prisoner", "guard", "passenger", "pilgrim", "victim",
    "body", "kid", "teenager", "boy", "girl", "doctor", "aid", "staff", "citizen", "refugee", "militiaman", "gunman",
}
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "single": 1, "dozen": 12,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
MAX_FIGURE = 10_000_000
MORGUE_VERBS = {"bring", "receive", "arrive", "take", "count", "transfer", "deliver"}
NOT_PEOPLE = {
    "dollar", "dlr", "ton", "tonne", "km", "kilometre", "kilometer", "mile", "percent", "pct", "year", "month", "week", "day",
    "hour", "minute", "vehicle", "tank", "truck", "car", "house", "building", "home", "village", "shop", "barrel", "round",
    "rocket", "missile", "shell", "bomb", "share", "point", "bag", "acre", "hectare", "metre", "meter", "foot", "feet", "time",
}


def number_value(text: str) -> int | None:
    """An integer from digits or English number words; None when it is not a plain count."""
    text = text.lower().strip()
    digits = text.replace(",", "")
    if re.fullmatch(r"\d+", digits):
        return int(digits)
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] > 100:
                total, current = total + current, 0
        elif word != "and":
            return None
    value = total + current
    return value if text else None


def _count_of(tok) -> tuple[int, object] | None:
    """The number a token states, with the token that carries it (compound numbers joined)."""
    if tok.like_num or tok.lower_ in _UNITS or tok.lower_ in _TENS:
        parts = [t for t in tok.subtree if t.like_num or t.lower_ in _TENS or t.lower_ in _UNITS or t.lower_ in _SCALES or t.text == "-"]
        parts = [p for p in parts if p.i <= tok.i and (p.dep_ in ("compound", "nummod", "quantmod") or p == tok)] or [tok]
        value = number_value(" ".join(p.text for p in parts)) if len(parts) > 1 else number_value(tok.text)
        if value is not None and 0 < value <= MAX_FIGURE:
            return value, tok
    return None


@step(requires=["sentences"], assigns=["figures"])
def read_figures(state: State) -> None:
    for sentence in state.sentences:
        figures = sentence_figures(sentence)
        if any(figures.values()):
            state.sentence_figures[sentence.index] = figures


def sentence_figures(sentence: Sentence) -> dict:
    """killed/injured counts (value, article span) and losses stated in one sentence."""
    figures: dict = {"killed": [], "injured": [], "losses": []}
    dates = {t.i for ent in sentence.ents if ent.label_ in ("DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL") for t in ent}
    for tok in sentence.span:
        if tok.i in dates or tok.lower_ in ("a", "an", "single") or tok.dep_ == "compound" and tok.head.like_num:
            continue
        found = _count_of(tok)
        if not found:
            continue
        value, number = found
        kind = _casualty_kind(number)
        if kind:
            figures[kind].append((value, sentence.offsets(number)))
    figures["losses"] = _losses(sentence)
    return figures


def _casualty_kind(number) -> str | None:
    """"killed" or "injured" when the number counts people the sentence says died or were hurt."""
    noun = number.head if number.dep_ in ("nummod", "quantmod") else number
    if noun.lemma_.lower() in ("body", "corpse") and noun is not number and noun.head.lemma_.lower() in MORGUE_VERBS:
        return "killed"  # "21 bodies were brought in" (a hospital's count, not "pulled three bodies out")
    if number.dep_ in ("nummod", "quantmod") and noun.lemma_.lower() in NOT_PEOPLE:
        return None
    if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.lemma_.lower() in PEOPLE_WORDS | {"dozen", "score", "hundred"}:
        noun = noun.head.head
    for relative in noun.children:
        if relative.dep_ in ("relcl", "acl", "amod") and _lemma_in(relative, KILL_WORDS):
            return "killed"
        if relative.dep_ in ("relcl", "acl", "amod") and _lemma_in(relative, INJURE_WORDS):
            return "injured"
    node = noun
    for _ in range(4):
        if node.pos_ == "VERB" and node.lemma_.lower() in RISE_WORDS and _mentions(node, KILL_WORDS | TOLL_WORDS):
            return "killed"  # "(the toll) rose to 20"
        if node.dep_ in ("conj", "appos", "pobj", "prep", "npadvmod", "nummod") or node.head.pos_ in ("ADP",):
            node = node.head
            continue
        head = node.head
        if node.dep_ in ("nsubj", "nsubjpass", "dobj", "attr", "oprd") and head is not node:
            return _predicate_kind(head, node)
        return None
    return None


def _predicate_kind(head, argument) -> str | None:
    lemma = head.lemma_.lower()
    if lemma in KILL_WORDS or any(c.dep_ in ("acomp", "oprd", "xcomp") and _lemma_in(c, KILL_WORDS) for c in head.children):
        if argument.dep_ == "dobj" and lemma == "lose" and argument.lemma_.lower() not in PEOPLE_WORDS:
            return None  # "lost seven men" is a toll; "lost two tanks" is not
        return "killed"
    if lemma in INJURE_WORDS or any(c.dep_ in ("acomp", "oprd", "xcomp") and _lemma_in(c, INJURE_WORDS) for c in head.children):
        return "injured"
    if lemma in RISE_WORDS and _mentions(head, KILL_WORDS | TOLL_WORDS):
        return "killed"
    return None


def _lemma_in(tok, words: set[str]) -> bool:
    return tok.lemma_.lower() in words or tok.lower_ in words


def _mentions(head, words: set[str]) -> bool:
    return any(_lemma_in(t, words) for t in head.sent)


def _losses(sentence: Sentence) -> list[Loss]:
    """"destroyed four Humvees, one armored personnel carrier and two trucks" → losses."""
    losses = []
    for verb in sentence.span:
        how = LOSS_VERBS.get(verb.lemma_.lower())
        if not how or verb.pos_ not in ("VERB", "AUX"):
            continue
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        objects = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") or passive and c.dep_ == "nsubj"]
        objects += [g for c in verb.children if c.dep_ == "auxpass" for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
        for obj in objects:
            for item in [obj, *_coordinated(obj)]:
                if item.pos_ not in ("NOUN", "PROPN") or item.lemma_.lower() in PEOPLE_WORDS:
                    continue
                count = _item_count(item)
                name = " ".join(t.text for t in item.lefts if t.dep_ in ("compound", "amod") and not t.like_num) + " " + item.lemma_
                losses.append(Loss(name.strip(), count, how))
    return losses


def _coordinated(tok):
    for child in tok.children:
        if child.dep_ in ("conj", "appos"):
            yield child
            yield from _coordinated(child)


def _item_count(item) -> int:
    for child in item.children:
        if child.dep_ in ("nummod", "det"):
            value = number_value(child.text)
            if value:
                return value
    return 1
