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
from kg.extract.gazetteer import gazetteer
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
    alone = alone_threshold()
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
                add_learned_arguments(state, sentence, attack, trigger._.ckg_arguments or ())
                mentions.append((attack, anaphoric))
            elif trigger is not None:
                if (trigger._.ckg_trigger_probability or 0.0) < alone:
                    continue  # the rules see no attack here and the model is not sure enough on its own
                if _ambiguous(tok) and not rules._conflict_context(state, sentence, tok):
                    continue  # "its sales target", "Trump attacked Clinton": a word with a peaceful sense, in a peaceful sentence
                if rules._hypothetical(tok) or rules._aggregate(tok):
                    continue  # "considering attacks", "has ramped up airstrikes since August": no one attack happened
                mentions.append((attack_from_trigger(state, sentence, trigger, reference), rules._definite_bare(tok)))
            elif found and (found[0].strong or not _ambiguous(tok) or scores.get(tok.i, 0.0) >= RULE_VETO or rules.hard_conflict(sentence)):
                if not found[0].passing:  # a past event in passing keeps the rules' reading, claims and all
                    add_learned_arguments(state, sentence, found[0], arguments_of(doc, tok))
                mentions.append(found)
    for attack, anaphoric in mentions:
        rules.merge_mention(state, attack, anaphoric)
    rules._inherit_dates(state, reference)


def alone_threshold() -> float:
    """The probability a learned trigger needs where the rules find no attack (``alone_threshold``
    of the trigger component, tuned on dev against false alarms; else its own threshold)."""
    from kg.extract.learned_parse import load_learned_model

    cfg = load_learned_model().get_pipe(TRIGGER_KEY).cfg
    return cfg.get("alone_threshold") or cfg["threshold"]


def _ambiguous(tok) -> bool:
    """A word with peaceful senses as well ("strike", "target", "attack", "battle")."""
    return tok.lemma_.lower() in rules.NON_CONFLICT


def arguments_of(doc, tok) -> list:
    """The argument model's reading of a trigger only the rules found ("Shootings", "hit")."""
    from kg.extract.learned import ARGUMENTS
    from kg.extract.learned_parse import load_learned_model

    return load_learned_model().get_pipe(ARGUMENTS).score_anchors(doc, [doc[tok.i:tok.i + 1]])[0]


def add_learned_arguments(state: State, sentence: Sentence, attack: Attack, arguments) -> None:
    """Add the model's ``arguments`` (``[(role, span, probability)]``) to an attack the rules read."""
    learned = learned_arguments(state, sentence, arguments)
    attack.perpetrators = _union(attack.perpetrators, learned["perpetrator"])
    if attack.type == "ArmedClash":
        attack.targets = _union(attack.targets, learned["perpetrator"], learned["target"])
        attack.perpetrators = _union(attack.perpetrators, learned["target"])
    else:
        attack.targets = [k for k in _union(attack.targets, learned["target"]) if k not in attack.perpetrators]
    attack.victims = _union(attack.victims, learned["victim"])
    attack.places = locations(state, learned["place"], attack.places)


def learned_arguments(state: State, sentence: Sentence, arguments) -> dict[str, list[str]]:
    """Role → entity keys of the model's ``arguments`` of one trigger."""
    found = {"perpetrator": [], "target": [], "victim": [], "place": []}
    places = {(span.start, span.end) for role, span, _p in arguments if role == "place"}
    for role, span, _p in arguments:
        key = resolve_argument(state, sentence, role, span)
        if role == "target" and (span.start, span.end) in places and key and _settlement(state, key):
            continue  # "air strikes on Idlib": the town is where the attack was, not what it hit
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
    learned = learned_arguments(state, sentence, trigger._.ckg_arguments or ())
    perpetrators = _union(learned["perpetrator"], rules._perpetrators(state, sentence, tok))
    if kind == "ArmedClash":
        sides = _union(perpetrators, learned["target"], rules._clash_sides(state, sentence, tok, perpetrators))
        attack.perpetrators, attack.targets = sides, list(sides)
    else:
        targets, victims = rules._targets(state, sentence, tok)
        attack.perpetrators = perpetrators
        attack.targets = [k for k in _union(learned["target"], targets) if k not in perpetrators]
        attack.victims = _union(learned["victim"], victims, rules._victims(state, sentence, tok) if kind == "Execution" else [])
    attack.places = locations(state, learned["place"], rules._places(state, sentence, tok))
    attack.dates = rules._dates(sentence, tok, reference)
    attack.passing = rules._passing(sentence, tok, attack, reference)
    return attack


def locations(state: State, learned: list[str], found: list[str]) -> list[str]:
    """An attack's places: the most specific known places (the model's and the rules'), else the
    unnamed sites of this article the model placed it at ("the bus station", "Rue Victor Hugo")."""
    local = [k for k in learned if state.entity("place", k).props.get("local")]
    return rules._most_specific(state, _union([k for k in learned if k not in local], found)) or local


def _settlement(state: State, key: str) -> bool:
    """A known place that is not a site of its own (a town, a region, a country)."""
    place = state.entity("place", key)
    return place is not None and not place.props.get("local") and "Facility" not in place.types


def _union(*lists) -> list:
    return list(dict.fromkeys(k for keys in lists for k in keys))


def resolve_argument(state: State, sentence: Sentence, role: str, span) -> str | None:
    """The entity key an argument phrase stands for; a new unnamed one when it names none.

    A phrase that names a known actor ("Taliban gunmen", "the IRA's Belfast brigade") is that actor;
    a phrase naming no one is an unnamed actor when it
    speaks of people or a group ("a suicide bomber", "the organisation"), an unnamed place of this
    article when it is a target or a site ("a bakery", "the Markets area", "Rue Victor Hugo").
    """
    if role == "place" and _agent(span):
        return None  # "two American journalists": people, whatever place their nationality names
    kinds = ("place",) if role == "place" else ("actor", "place") if role == "target" else ("actor",)
    if role in ("place", "target") and (named := _settlement_named(state, sentence, span)):
        return named if role == "place" else None  # "the town of al-Bab" is al-Bab, where the attack was, not its target
    for kind in kinds:
        for tok in sorted(span, key=lambda t: t is not span.root):
            ref = state.ref_at(sentence.index, tok.i, kind)
            if ref and (kind == "actor" or role == "target" or _place_of(state, ref, span)):
                return ref.key
    root = span.root
    if root.pos_ in ("PRON", "DET", "PUNCT", "NUM") or not any(t.is_alpha for t in span) or root.ent_type_ in TIME_ENTS \
            or state.ref_at(sentence.index, root.i):
        return None  # a pronoun nobody resolved, a number, a time, or a place named as an actor
    if role == "place":
        return local_place(state, sentence, span, facility=not _named_place(span)).key if _site(span) else None
    if _agent(span):
        return rules._victim_group(state, sentence, root).key
    if role == "target" and root.lemma_.lower() not in rules.NOUN_TRIGGERS:
        return local_place(state, sentence, span, facility=True).key
    return None


TIME_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
GROUP_NOUNS = set(rules._WORDS["group_nouns"])
AGENT_SUFFIXES = tuple(rules._WORDS["agent_suffixes"])


def _settlement_named(state: State, sentence: Sentence, span) -> str | None:
    """The place a settlement noun names through "of" ("the town of al-Bab" → al-Bab), if any."""
    root = span.root
    if root.lemma_.lower() not in gazetteer().settlement_nouns:
        return None
    for prep in (c for c in root.rights if c.dep_ == "prep" and c.lower_ == "of"):
        for tok in prep.subtree:
            ref = state.ref_at(sentence.index, tok.i, "place")
            if ref is not None:
                return ref.key
    return None


def _place_of(state: State, ref, span) -> bool:
    """Whether a place already found in the phrase can be where an attack happened: a known place,
    or an unnamed one that is a site ("the hospital"), not the crowd or the car that was its target."""
    return not state.entity("place", ref.key).props.get("local") or _site(span)


def _named_place(span) -> bool:
    """A place phrase with a name of its own ("Hardatain", "Rue Victor Hugo"), not "a bus" or "the past"."""
    root = span.root
    return root.pos_ == "PROPN" and root.ent_type_ not in PERSON_ENTS or root.ent_type_ in PLACE_ENTS


def _site(span) -> bool:
    """A phrase that can be where an attack happened: a name of a place, or a site noun ("the bus
    station", "a busy pedestrian street", "the Markets area"), not "the past" or "a speech"."""
    return _named_place(span) or span.root.lemma_.lower() in gazetteer().site_nouns


def _agent(span) -> bool:
    """A phrase that speaks of people or a group: a person, group or nationality name, a word for
    people or forces, or an agent noun ("bomber", "assailant", "terrorists", "gunmen"), not a
    plural of things ("other military posts").
    """
    from kg.extract.actors import FORCE_NOUNS, ROLE_NOUNS

    root = span.root
    lemma = root.lemma_.lower() or root.lower_
    if root.ent_type_ in PLACE_ENTS or lemma in rules.NOUN_TRIGGERS and lemma != "bomber":
        return False
    return lemma in PEOPLE_WORDS or root.ent_type_ in PERSON_ENTS or lemma in FORCE_NOUNS or lemma in ROLE_NOUNS \
        or lemma in GROUP_NOUNS or root.pos_ == "NOUN" and lemma.endswith(AGENT_SUFFIXES) and len(lemma) > 4


def _said_by_an_event(verb) -> bool:
    """Whether the cue's verb has for subject (its own, else that of the verb it depends on) an
    attack or another event noun: then it tells what the event did, not what someone said.

    "The recent beheadings of two journalists has added clout to the camp calling for intervention":
    neither "added" nor "calling for" is anyone's statement.
    """
    for _ in range(3):
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return (subject.lemma_.lower() or subject.lower_) in rules.NOUN_TRIGGERS
        if verb.dep_ not in ("advcl", "xcomp", "conj") or verb.head is verb:
            return False
        verb = verb.head
    return False


def local_place(state: State, sentence: Sentence, span, facility: bool) -> Entity:
    """A place the gazetteer does not know ("a bakery", "Rue Victor Hugo"): this article's, no
    coordinates, located in the place the sentence puts it in (else the last city named)."""
    from kg.extract.model import Ref
    from kg.extract.places import _facility_container

    tokens = [t for t in span if t.dep_ != "det" and not t.is_punct and t.dep_ != "poss"]
    start, end = (tokens[0].i, tokens[-1].i + 1) if tokens else (span.start, span.end)
    words = sentence.span.doc[start:end]
    label = words.text
    types = {"Facility"} if facility or words.root.ent_type_ == "FAC" else {"Place"}
    props = {"local": True}
    container = _facility_container(state, sentence, words.root)
    if container:
        props["located_in"] = container
    entity = state.add_entity(Entity("place", f"{state.article_key}-{label.lower()}", label, types, props=props))
    offsets = sentence.offsets(words)
    entity.add_mention(offsets, words.text, 0.6)
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
            if _said_by_an_event(cue.root):
                continue  # "the beheadings ... has added clout": an attack does not speak
            source = next((span for role, span, _p in cue._.ckg_sources or () if role == "source"), None)
            key = _source_of(state, sentence, source.root) if source is not None else None
            key = key or unnamed_source(state, sentence, cue.root).key
            confidence = round(0.5 + 0.4 * (cue._.ckg_cue_probability or 0.5), 2)
            _add_claim(state, sentence, key, cue.text, (sentence.start, sentence.end), confidence)
    resolve_described_speakers(state)
