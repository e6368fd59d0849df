"""Claims: attributed statements, who makes them, what they are about and the figures they state.

Attribution cues read from the parse: "according to X" (also "a statement issued by X"), a speech
verb with its subject ("X said", "X claimed"), a passive accusation or report with no agent ("has
been accused of", "reportedly") → an unnamed source, and an embedded post → its author.
"""
from __future__ import annotations

from kg.extract.coref import resolve_described_speakers
from kg.extract.mentions import add_actor_ref, most_salient, unnamed_source
from kg.extract.model import Claim, Entity, Sentence, State
from kg.extract.step import step

SAY_VERBS = {
    "say", "claim", "report", "state", "announce", "confirm", "tell", "add", "allege", "deny", "warn", "estimate",
    "insist", "note", "write", "tweet", "post", "accuse", "blame", "acknowledge", "admit", "declare", "assert",
    "quote", "cite", "publish", "document", "record", "show", "reveal", "find", "suggest", "argue", "describe",
    "criticize", "criticise", "echo", "identify", "predict", "explain", "announce", "insist", "maintain", "concede",
}
NEEDS_CLAUSE = {"find", "show", "suggest", "argue", "describe", "criticize", "criticise", "echo", "identify", "predict", "record", "reveal"}
UNNAMED_CUES = {"reportedly", "allegedly", "purportedly", "apparently"}
PASSIVE_CUES = {"accuse", "allege", "report", "say", "believe", "suspect", "claim", "think", "understand"}
DOCUMENT_NOUNS = {"statement", "report", "tweet", "post", "video", "data", "figure", "communique", "count", "toll", "source", "account"}
STATE_SOURCE_NOUNS = {"ministry", "government", "army", "military", "forces", "force", "authorities", "authority", "spokesman", "official", "officials"}
SPOKESPEOPLE = {"official", "spokesman", "spokeswoman", "spokesperson", "source", "officer"}
PRONOUN_TYPES = {"he": "Person", "she": "Person", "it": "Organization", "they": "Organization"}


@step(requires=["sentences", "actors", "figures", "attacks"], assigns=["claims"])
def find_claims(state: State) -> None:
    for sentence in state.sentences:
        if sentence.segment.kind == "tweet":
            author = sentence.segment.info.get("author")
            if author:
                span = (sentence.segment.start, sentence.segment.end)
                _add_claim(state, sentence, author, "post", span, 0.85)
            continue
        if sentence.segment.kind != "body":
            continue
        for source, cue, confidence in attributions(state, sentence):
            _add_claim(state, sentence, source, cue, (sentence.start, sentence.end), confidence)
    resolve_described_speakers(state)


def _add_claim(state: State, sentence: Sentence, source: str, cue: str, span, confidence: float) -> None:
    if any(c.sentence == sentence.index and c.source == source for c in state.claims):
        return
    claim = Claim(sentence.index, span, source, cue, confidence=confidence)
    speaker = state.entity("actor", source)
    if speaker is not None and speaker.props.get("member_of") and speaker.label.split()[-1] in SPOKESPEOPLE:
        claim.on_behalf_of = speaker.props["member_of"]
    figures = state.sentence_figures.get(sentence.index, {})
    claim.killed = [v for v, _ in figures.get("killed", ())]
    claim.injured = [v for v, _ in figures.get("injured", ())]
    claim.losses = list(figures.get("losses", ()))
    claim.attacks = [i for i, a in enumerate(state.attacks) if sentence.index in a.sentences]
    if not claim.attacks:
        claim.about = _main_entity(state, sentence, source)
    state.claims.append(claim)


def attributions(state: State, sentence: Sentence) -> list[tuple[str, str, float]]:
    """(source actor key, cue, confidence) for every attribution in the sentence."""
    found = []
    for tok in sentence.span:
        lemma = tok.lemma_.lower()
        if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
            for to in (c for c in tok.children if c.lower_ == "to"):
                for pobj in (c for c in to.children if c.dep_ == "pobj"):
                    found.append((_source_of(state, sentence, pobj), "according to", 0.85))
        elif lemma == "put" and any(c.dep_ == "dobj" and c.lemma_.lower() in ("toll", "figure", "number", "count") for c in tok.children) \
                and any(c.dep_ == "nsubj" for c in tok.children):
            subject = next(c for c in tok.children if c.dep_ == "nsubj")
            found.append((_source_of(state, sentence, subject), tok.text, 0.8))  # "X put the death toll at 14"
        elif lemma in SAY_VERBS and tok.pos_ == "VERB" and _reports(tok):
            subjects = [c for c in tok.children if c.dep_ == "nsubj"]
            if not subjects and tok.dep_ in ("advcl", "xcomp", "conj"):
                subjects = [c for c in tok.head.children if c.dep_ == "nsubj"]  # "..., saying ..."
            agents = [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if subjects or agents:
                if subjects and subjects[0].lower_ in ("i", "we", "you"):
                    continue
                found.append((_source_of(state, sentence, (subjects or agents)[-1]), tok.text, 0.8))
            elif lemma in PASSIVE_CUES and any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children):
                found.append((unnamed_source(state, sentence, tok).key, tok.text, 0.6))
        elif tok.lower_ in UNNAMED_CUES:
            found.append((unnamed_source(state, sentence, tok).key, tok.text, 0.55))
    return [f for f in found if f[0]]


def _reports(verb) -> bool:
    """The verb introduces content: a clause, a quote, or it is itself the reporting clause."""
    if verb.dep_ in ("parataxis",) or any(c.dep_ in ("ccomp", "parataxis") for c in verb.children):
        return True
    if verb.lemma_.lower() in NEEDS_CLAUSE:
        return False
    if verb.dep_ in ("advcl", "ROOT", "conj") and not any(c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN") for c in verb.children):
        return verb.lemma_.lower() not in ("add", "show", "record", "note")  # "..., the monitor said."
    if verb.lemma_.lower() in ("claim", "report", "announce", "confirm", "deny", "allege", "accuse", "blame", "publish", "document"):
        return True
    return any(t.text in ('"', "“", "”") for t in verb.sent)


def _source_of(state: State, sentence: Sentence, phrase) -> str | None:
    """The actor a source phrase names; a pronoun resolves to the last person or organisation."""
    for node in phrase.subtree:
        ref = state.ref_at(sentence.index, node.i, "actor")
        if ref:
            return ref.key
    for node in phrase.subtree:
        ref = state.ref_at(sentence.index, node.i, "place")
        place = state.entity("place", ref.key) if ref else None
        if place and "Country" in place.types and phrase.lemma_.lower() in STATE_SOURCE_NOUNS:
            from kg.extract.actors import state_actor

            actor = state_actor(state, place.props["cc"])
            add_actor_ref(state, sentence, actor, ref.tokens[0], phrase.i + 1, 0.8, "country-organ")
            return actor.key  # "Russia's defence ministry" speaks for Russia's state
    pronoun_type = PRONOUN_TYPES.get(phrase.lower_)
    if pronoun_type:
        entity = most_salient(state, sentence.index, pronoun_type)
        return entity.key if entity else None
    from kg.extract.figures import NOT_PEOPLE

    lemma = phrase.lemma_.lower()
    if lemma in DOCUMENT_NOUNS or lemma in NOT_PEOPLE or phrase.pos_ != "NOUN" or any(c.like_num for c in phrase.children):
        return None
    return _described_source(state, sentence, phrase).key


def _described_source(state: State, sentence: Sentence, noun) -> Entity:
    """"activists", "a military source": an unnamed actor described by the phrase."""
    tokens = [t for t in noun.subtree if t.i <= noun.i and t.dep_ not in ("det", "punct")]
    start = min(t.i for t in tokens)
    label = sentence.span.doc[start:noun.i + 1].text
    key = f"{state.article_key}-{label}"
    if ("actor", key) in state.entities and _introduces_another(noun):
        key = f"{key}-{sentence.index}"  # "another hospital doctor": a second person described alike
    entity = state.add_entity(Entity("actor", key, label, {"Person" if noun.tag_ != "NNS" else "Organization"}, props={"unnamed": True}))
    add_actor_ref(state, sentence, entity, start, noun.i + 1, 0.6, "described-source")
    return entity


def _introduces_another(noun) -> bool:
    """An indefinite singular description ("a doctor", "another doctor") introduces a new person."""
    return noun.tag_ == "NN" and any(c.dep_ == "det" and c.lower_ in ("a", "an", "another") for c in noun.children)


def _main_entity(state: State, sentence: Sentence, source: str) -> str | None:
    for ref in sorted(state.refs_in(sentence.index), key=lambda r: r.span[0]):
        if ref.key != source:
            return f"{ref.kind}:{ref.key}"
    return None
