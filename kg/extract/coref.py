"""Coreference for descriptions that refer back to an actor already named.

"the group", "militants", "the extremist group" → the most salient armed group so far;
"the government", "the regime" → the most salient state actor; "the Britain-based monitoring
group", "the monitor" → the organisation based there, else the last monitoring organisation.
Salience is the number of mentions up to the current sentence, ties to the most recent.
"""
from __future__ import annotations

from kg.extract.actors import add_actor_ref
from kg.extract.model import Entity, Sentence, State
from kg.extract.pipeline import component

ARMED_GROUP_NOUNS = {"group", "militant", "insurgent", "jihadist", "extremist", "terrorist", "militia", "organisation", "organization"}
BARE_PLURALS = {"militants", "insurgents", "jihadists", "extremists", "terrorists"}
STATE_NOUNS = {"government", "regime", "authorities"}
MONITOR_WORDS = {"monitor", "monitoring", "watchdog", "observatory", "rights"}


@component("coreference")
def resolve_descriptions(state: State) -> None:
    for sentence in state.sentences:
        for tok in sentence.span:
            if tok.pos_ not in ("NOUN", "PROPN") or state.ref_at(sentence.index, tok.i):
                continue
            _resolve_noun(state, sentence, tok)


def _resolve_noun(state: State, sentence: Sentence, tok) -> None:
    lemma = tok.lemma_.lower()
    lefts = list(tok.lefts)
    definite = any(c.lower_ in ("the", "this", "that", "these", "those") for c in lefts)
    if any(state.ref_at(sentence.index, c.i) for c in lefts if c.dep_ in ("compound", "amod", "poss", "nmod")):
        return  # "IS fighters", "Syrian troops": already resolved through their modifier
    start = min([c.i for c in lefts if c.dep_ in ("det", "amod", "compound", "npadvmod", "punct")] + [tok.i])
    words = {t.lower_ for t in sentence.span.doc[start:tok.i + 1]}
    based = _based_place(state, sentence, start, tok.i)
    if lemma in ("group", "monitor", "watchdog", "observatory") and (based or words & MONITOR_WORDS) and definite:
        target = _monitor(state, sentence.index, based)
        if target:
            if based and "based_in" not in target.props:
                target.props["based_in_place"] = based
            add_actor_ref(state, sentence, target, start, tok.i + 1, 0.65, "coref")
        return
    if lemma in ARMED_GROUP_NOUNS and tok.tag_ == "NNS" and tok.lower_ not in BARE_PLURALS:
        return  # "two rival groups": several groups, not the salient one
    if lemma in ARMED_GROUP_NOUNS and (definite or tok.lower_ in BARE_PLURALS):
        target = most_salient(state, sentence.index, "ArmedGroup")
    elif lemma in STATE_NOUNS and definite and not any(c.dep_ in ("amod", "compound") for c in lefts):
        target = most_salient(state, sentence.index, "StateActor")
    else:
        return
    if target:
        add_actor_ref(state, sentence, target, start, tok.i + 1, 0.65, "coref")


def _based_place(state: State, sentence: Sentence, start: int, end: int) -> str | None:
    """The place of a "<Place>-based" modifier between tokens ``start`` and ``end``."""
    doc = sentence.span.doc
    for tok in doc[start:end]:
        if tok.lower_ == "based" or tok.lower_.endswith("-based"):
            for i in range(start, tok.i):
                ref = state.ref_at(sentence.index, i, "place")
                if ref:
                    return ref.key
    return None


def most_salient(state: State, sent: int, actor_type: str) -> Entity | None:
    """The actor of ``actor_type`` mentioned most often up to sentence ``sent`` (ties: most recent)."""
    scores: dict[str, list[int]] = {}
    for ref in state.refs:
        if ref.kind != "actor" or ref.sent > sent or ref.sent < 0:
            continue
        entity = state.entity("actor", ref.key)
        if entity and actor_type in entity.types:
            count, _last = scores.get(ref.key, [0, -1])
            scores[ref.key] = [count + 1, max(_last, ref.span[0])]
    if not scores:
        return None
    key = max(scores, key=lambda k: tuple(scores[k]))
    return state.entity("actor", key)


def _monitor(state: State, sent: int, based: str | None) -> Entity | None:
    """The organisation based at ``based``, else the most recent monitoring organisation."""
    candidates = []
    for ref in state.refs:
        if ref.kind != "actor" or ref.sent > sent or ref.sent < 0:
            continue
        entity = state.entity("actor", ref.key)
        if entity is None or "Organization" not in entity.types:
            continue
        rank = 2 if based and _based_matches(state, entity, based) else 1 if entity.props.get("role") == "monitor" else 0
        candidates.append((rank, ref.span[0], entity))
    if not candidates:
        return None
    rank, _, entity = max(candidates, key=lambda c: (c[0], c[1]))
    return entity if rank > 0 or not based else None


def _based_matches(state: State, entity: Entity, place_key: str) -> bool:
    place = state.entity("place", place_key)
    return bool(place) and entity.props.get("based_in") == place.props.get("cc")
