"""Helpers the components share for resolved mentions: recording that words name an actor, the
actor a description points back to, and the article's unnamed source.

Components import this module, never each other, for these: actors, coreference, attacks and
claims all record actor mentions and look up the salient actor.
"""
from __future__ import annotations

from kg.extract.model import Entity, Ref, Sentence, State


def add_actor_ref(state: State, sentence: Sentence, entity: Entity, start: int, end: int, confidence: float, how: str) -> Ref:
    """Record that tokens ``start:end`` of ``sentence`` name ``entity``."""
    span = sentence.span.doc[start:end]
    offsets = sentence.offsets(span)
    entity.add_mention(offsets, span.text, confidence)
    ref = Ref(offsets, "actor", entity.key, sentence.index, (start, end), how)
    return state.add_ref(ref)


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


def unnamed_source(state: State, sentence: Sentence, cue) -> Entity:
    """The article's one unnamed source: whoever accuses or reports without being named."""
    entity = state.add_entity(Entity("actor", f"{state.article_key}-unnamed-source", "unnamed source", set(), props={"unnamed": True}))
    entity.add_mention(sentence.offsets(cue), "", 0.6)
    return entity
