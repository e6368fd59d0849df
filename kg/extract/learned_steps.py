"""Extraction steps that read the trained components' annotations into attacks and claims.

``learned-attacks`` and ``learned-claims`` replace ``attacks`` and ``claims`` in the default
pipeline (``kg/data/pipeline.cfg``); they need ``parse-learned``, which runs the components of
:mod:`kg.extract.learned` on the same docs. What the model finds goes through the same resolution as
the rules' findings (the article's actors and places, coreference, dates, merging of mentions) into
the same :class:`~kg.extract.model.Attack` and :class:`~kg.extract.model.Claim` objects:

- a trigger's type is the class its words and instrument name (the rules' lexicon and modifiers:
  "air strike" → Airstrike, "car bomb" → Bombing), else ``Attack``;
- an argument phrase that names a known actor or place is that entity; one that does not becomes an
  unnamed actor (people, groups) or, as a target or place, an unnamed place of this article, so the
  graph keeps what the text says ("a bakery") with its evidence, never more; such a place is the
  attack's location only when no known place is;
- the rules' dependency patterns still add what they find for the same trigger (a learned argument
  comes first);
- a cue's source phrase resolves as the rules' sources do (named actors, pronouns to the most
  salient actor, described sources); a cue with no source found has the article's unnamed source.
"""
from __future__ import annotations

from kg.extract import attacks as rules
from kg.extract.claims import _add_claim, _source_of, unnamed_source
from kg.extract.coref import resolve_described_speakers
from kg.extract.dates import parse_iso
from kg.extract.figures import PEOPLE_WORDS
from kg.extract.learned import CUE_KEY, TRIGGER_KEY
from kg.extract.model import Attack, Entity, Sentence, State
from kg.extract.step import step

PERSON_ENTS = {"PERSON", "NORP", "ORG"}
PLACE_ENTS = {"GPE", "LOC", "FAC"}


def _in_sentence(spans, sentence: Sentence):
    return [s for s in spans if sentence.span.start <= s.root.i < sentence.span.end]


RULE_VETO = 0.05  # a rule trigger with a peaceful sense stands only if the model gives it this much


@step(requires=["sentences", "trained-spans", "actors", "places"], assigns=["attacks"])
def find_learned_attacks(state: State) -> None:
    """Attacks where the model or the rules find a trigger; the model also vetoes weak rule triggers.

    Per token of a body sentence: a learned trigger (``doc.spans["ckg_attack_triggers"]``) is an
    attack with its learned arguments; where the rules find an attack at the same word, their
    reading (type, negation, weapon use, passing mentions) is kept and the learned arguments are
    added to it. A learned trigger that is a word with peaceful senses ("target", "attack") needs a
    sentence about armed conflict, as the rules' do; a rule trigger of such a word that the model did
    not tag stands only when the model gives it at least ``RULE_VETO`` or the sentence names fighters
    or weapons.
    """
    reference = parse_iso(state.meta.get("published"))
    mentions = []
    for sentence in state.sentences:
        if sentence.segment.kind != "body":
            continue
        doc = sentence.span.doc
        learned = {span.root.i: span for span in _in_sentence(doc.spans.get(TRIGGER_KEY, ()), sentence)}
        scores = (doc._.ckg_token_scores or {}).get(TRIGGER_KEY, {})
        covered = {t.i for span in learned.values() for t in span if t.i != span.root.i}
        for tok in sentence.span:
            if tok.i in covered:
                continue
            found = rules._attack_at(state, sentence, tok, reference)
            trigger = learned.get(tok.i)
            if found and trigger is not None:
                attack, anaphoric = found
                add_learned_arguments(state, sentence, attack, trigger)
                mentions.append((attack, anaphoric))
            elif trigger is not None:
                if _ambiguous(tok) and not rules._conflict_context(state, sentence, tok):
                    continue  # "its sales target", "Trump attacked Clinton": a word with a peaceful sense, in a peaceful sentence
                if rules._hypothetical(tok) or rules._aggregate(tok):
                    continue  # "considering attacks", "has ramped up airstrikes since August": no one attack happened
                mentions.append((attack_from_trigger(state, sentence, trigger, reference), rules._definite_bare(tok)))
            elif found and (found[0].strong or not _ambiguous(tok) or scores.get(tok.i, 0.0) >= RULE_VETO or rules.hard_conflict(sentence)):
                mentions.append(found)
    for attack, anaphoric in mentions:
        rules.merge_mention(state, attack, anaphoric)
    rules._inherit_dates(state, reference)


def _ambiguous(tok) -> bool:
    """A word with peaceful senses as well ("strike", "target", "attack", "battle")."""
    return tok.lemma_.lower() in rules.NON_CONFLICT


def add_learned_arguments(state: State, sentence: Sentence, attack: Attack, trigger) -> None:
    """Add the model's arguments for ``trigger`` to an attack the rules read at the same word."""
    learned = learned_arguments(state, sentence, trigger)
    attack.perpetrators = _union(attack.perpetrators, learned["perpetrator"])
    if attack.type == "ArmedClash":
        attack.targets = _union(attack.targets, learned["perpetrator"], learned["target"])
        attack.perpetrators = _union(attack.perpetrators, learned["target"])
    else:
        attack.targets = [k for k in _union(attack.targets, learned["target"]) if k not in attack.perpetrators]
    attack.victims = _union(attack.victims, learned["victim"])
    if not attack.places:
        known = [k for k in learned["place"] if not state.entity("place", k).props.get("local")]
        attack.places = rules._most_specific(state, known) or [k for k in learned["place"] if k not in known]


def learned_arguments(state: State, sentence: Sentence, trigger) -> dict[str, list[str]]:
    """Role → entity keys of the model's arguments of ``trigger``."""
    found = {"perpetrator": [], "target": [], "victim": [], "place": []}
    for role, span, _p in trigger._.ckg_arguments or ():
        key = resolve_argument(state, sentence, role, span)
        if key and key not in found[role]:
            found[role].append(key)
    return found


def trigger_type(trigger) -> str:
    """The ontology class the trigger's words name, refined by its modifiers and instrument."""
    kind = "Attack"
    for tok in sorted(trigger, key=lambda t: t is not trigger.root):
        table = rules.VERB_TRIGGERS if tok.pos_ == "VERB" else rules.NOUN_TRIGGERS
        found = table.get(tok.lemma_.lower()) or rules.MODIFIER_TYPES.get(tok.lemma_.lower()) and (rules.MODIFIER_TYPES[tok.lemma_.lower()],)
        if found and found[0] not in ("Attack", "Raid"):
            kind = found[0]
            break
        if found and kind == "Attack":
            kind = found[0]
    return rules._refine(trigger.root, kind)


def attack_from_trigger(state: State, sentence: Sentence, trigger, reference) -> Attack:
    tok = trigger.root
    kind = trigger_type(trigger)
    probability = trigger._.ckg_trigger_probability or 0.5
    attack = Attack(kind, sentences=[sentence.index], trigger=sentence.offsets(trigger), strong=True, confidence=round(0.5 + 0.4 * probability, 2))
    learned = learned_arguments(state, sentence, trigger)
    perpetrators = _union(learned["perpetrator"], rules._perpetrators(state, sentence, tok))
    if kind == "ArmedClash":
        sides = _union(perpetrators, learned["target"], rules._clash_sides(state, sentence, tok, perpetrators))
        attack.perpetrators, attack.targets = sides, list(sides)
    else:
        targets, victims = rules._targets(state, sentence, tok)
        attack.perpetrators = perpetrators
        attack.targets = [k for k in _union(learned["target"], targets) if k not in perpetrators]
        attack.victims = _union(learned["victim"], victims, rules._victims(state, sentence, tok) if kind == "Execution" else [])
    known = [k for k in learned["place"] if not state.entity("place", k).props.get("local")]
    local = [k for k in learned["place"] if k not in known]
    attack.places = rules._most_specific(state, _union(known, rules._places(state, sentence, tok))) or local
    attack.dates = rules._dates(sentence, tok, reference)
    attack.passing = rules._passing(sentence, tok, attack, reference)
    return attack


def _union(*lists) -> list:
    return list(dict.fromkeys(k for keys in lists for k in keys))


def resolve_argument(state: State, sentence: Sentence, role: str, span) -> str | None:
    """The entity key an argument phrase stands for; a new unnamed one when it names none."""
    kinds = ("place",) if role == "place" else ("actor", "place") if role == "target" else ("actor",)
    for kind in kinds:
        for tok in sorted(span, key=lambda t: t is not span.root):
            ref = state.ref_at(sentence.index, tok.i, kind)
            if ref and (kind == "actor" or role == "place" or "Facility" in state.entity("place", ref.key).types or role == "target"):
                return ref.key
    root = span.root
    if root.pos_ in ("PRON", "DET", "PUNCT", "NUM") or not any(t.is_alpha for t in span) or state.ref_at(sentence.index, root.i):
        return None  # a pronoun nobody resolved, a number, or a place named as an actor
    if role == "place":
        return local_place(state, sentence, span, facility=False).key if _named_place(span) else None
    if role == "target" and not _people(span):
        return local_place(state, sentence, span, facility=True).key
    if not _people(span) and root.pos_ != "PROPN":
        return None
    return rules._victim_group(state, sentence, root).key


def _named_place(span) -> bool:
    """A place phrase with a name of its own ("Hardatain", "Rue Victor Hugo"), not "a bus" or "the past"."""
    root = span.root
    return root.pos_ == "PROPN" and root.ent_type_ not in PERSON_ENTS or root.ent_type_ in PLACE_ENTS


def _people(span) -> bool:
    root = span.root
    return root.lemma_.lower() in PEOPLE_WORDS or root.ent_type_ in PERSON_ENTS or root.tag_ in ("NNS", "NNPS") and root.ent_type_ not in PLACE_ENTS


def local_place(state: State, sentence: Sentence, span, facility: bool) -> Entity:
    """A place the gazetteer does not know ("a bakery", "Rue Victor Hugo"): this article's, no coordinates."""
    tokens = [t for t in span if t.dep_ != "det" and not t.is_punct]
    start, end = (tokens[0].i, tokens[-1].i + 1) if tokens else (span.start, span.end)
    words = sentence.span.doc[start:end]
    label = words.text
    types = {"Facility"} if facility or words.root.ent_type_ == "FAC" else {"Place"}
    entity = state.add_entity(Entity("place", f"{state.article_key}-{label.lower()}", label, types, props={"local": True}))
    offsets = sentence.offsets(words)
    entity.add_mention(offsets, words.text, 0.6)
    from kg.extract.model import Ref

    state.add_ref(Ref(offsets, "place", entity.key, sentence.index, (start, end), "learned"))
    return entity


@step(requires=["sentences", "trained-spans", "actors", "figures", "attacks"], assigns=["claims"])
def find_learned_claims(state: State) -> None:
    """The rules' attributions (precise where they fire), then the claims of every further cue in
    ``doc.spans["ckg_attribution_cues"]``, each claimed by its learned source (else the article's
    unnamed source); embedded posts are their authors' claims."""
    from kg.extract.claims import attributions

    for sentence in state.sentences:
        if sentence.segment.kind == "tweet":
            author = sentence.segment.info.get("author")
            if author:
                _add_claim(state, sentence, author, "post", (sentence.segment.start, sentence.segment.end), 0.85)
            continue
        if sentence.segment.kind != "body":
            continue
        rule_cues = set()
        for key, cue, confidence in attributions(state, sentence):
            _add_claim(state, sentence, key, cue, (sentence.start, sentence.end), confidence)
            rule_cues.add(cue.split()[0].lower())
        for cue in _in_sentence(sentence.span.doc.spans.get(CUE_KEY, ()), sentence):
            if any(t.lower_ in rule_cues for t in cue):
                continue  # the rules read this attribution already
            source = next((span for role, span, _p in cue._.ckg_sources or () if role == "source"), None)
            key = _source_of(state, sentence, source.root) if source is not None else None
            key = key or unnamed_source(state, sentence, cue.root).key
            confidence = round(0.5 + 0.4 * (cue._.ckg_cue_probability or 0.5), 2)
            _add_claim(state, sentence, key, cue.text, (sentence.start, sentence.end), confidence)
    resolve_described_speakers(state)
