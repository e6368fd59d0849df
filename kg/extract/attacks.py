"""Attacks: trigger words read through the dependency parse into who attacked what, where and when.

A trigger is a noun or verb lemma ("airstrike", "shelling", "behead", "attack" ...); modifiers refine
its type ("air attack" → Airstrike, "chemical weapons attack" → ChemicalAttack, "missiles
targeted" → MissileStrike). Ambiguous triggers ("strike", "hit", "battle") count only in a sentence
about armed conflict. Mentions of one attack in an article are merged into one attack.
"""
from __future__ import annotations

import difflib
from datetime import date

from kg.extract.actors import state_actor
from kg.extract.dates import find_date_mentions, parse_iso, resolve_expression
from kg.extract.figures import PEOPLE_WORDS
from kg.extract.gazetteer import gazetteer
from kg.extract.mentions import add_actor_ref
from kg.extract.model import Attack, Entity, Sentence, State
from kg.extract.step import step
from kg.resources import data_json

# The word lists live in kg/data/attack-words.json, each described there under "about".
_WORDS = data_json("attack-words.json")
NOUN_TRIGGERS = {lemma: tuple(entry) for lemma, entry in _WORDS["noun_triggers"].items()}  # lemma → (class, strong)
VERB_TRIGGERS = {lemma: tuple(entry) for lemma, entry in _WORDS["verb_triggers"].items()}
MODIFIER_TYPES: dict[str, str] = _WORDS["modifier_types"]
INSTRUMENT_TYPES: dict[str, str] = _WORDS["instrument_types"]
WEAPONS, WEAPON_USE, LIGHT_VERBS, HYPOTHETICAL = (set(_WORDS[k]) for k in ("weapons", "weapon_use", "light_verbs", "hypothetical"))
CONFLICT_WORDS, HARD_CONFLICT, _MONEY = (set(_WORDS[k]) for k in ("conflict_words", "hard_conflict", "money_words"))
NON_CONFLICT = {  # senses of ambiguous triggers outside armed conflict, told by words in the sentence
    lemma: set(entry["words"]) | (_MONEY if entry["money_words"] else set()) for lemma, entry in _WORDS["non_conflict"].items()
}
PAST_CUES, LOCATIVE, DATE_BLOCKERS = (set(_WORDS[k]) for k in ("past_cues", "locative", "date_blockers"))
ANAPHOR_WORDS = tuple(_WORDS["anaphor_words"])
FAMILIES: dict[str, str] = _WORDS["families"]


@step(requires=["sentences", "actors", "places"], assigns=["attacks"])
def find_attacks(state: State) -> None:
    reference = parse_iso(state.meta.get("published"))
    mentions = []
    for sentence in state.sentences:
        if sentence.segment.kind != "body":
            continue
        for tok in sentence.span:
            found = _attack_at(state, sentence, tok, reference)
            if found:
                mentions.append(found)
    for attack, anaphoric in mentions:
        merge_mention(state, attack, anaphoric)
    _inherit_dates(state, reference)


def _attack_at(state: State, sentence: Sentence, tok, reference: date | None):
    lemma = tok.lemma_.lower()
    anaphoric = False
    if tok.pos_ in ("NOUN", "PROPN") and lemma in NOUN_TRIGGERS and not (tok.pos_ == "PROPN" and not tok.is_sent_start and tok.text[0].isupper() and tok.ent_type_ == "ORG"):
        kind, strong = NOUN_TRIGGERS[lemma]
    elif tok.pos_ == "VERB" and lemma in VERB_TRIGGERS:
        kind, strong = VERB_TRIGGERS[lemma]
        if any(c.dep_ == "nsubj" and c.lemma_.lower() in NOUN_TRIGGERS and c.lemma_.lower() not in WEAPONS for c in tok.children):
            return None  # "airstrikes hit Aleppo": the subject is the attack; its verb gives target and place
    elif _misspelt_anaphor(tok):
        kind, strong, anaphoric = "Attack", False, True
    else:
        return None
    if tok.dep_ == "compound" and tok.head.lemma_.lower() in NOUN_TRIGGERS:
        return None  # "missile strike": the head noun is the trigger
    refined = _refine(tok, kind)
    if lemma == "blow" and tok.pos_ == "VERB" and not any(c.dep_ == "prt" and c.lower_ == "up" for c in tok.children):
        return None  # only "blew up" is an explosion
    if lemma == "bomber" and not any(c.lemma_.lower() in ("suicide", "car", "motorcycle", "truck") for c in tok.lefts):
        return None  # "a B-1B bomber" is an aircraft
    if lemma == "weapon" and (refined != "ChemicalAttack" or tok.head.lemma_.lower() not in WEAPON_USE):
        return None  # only "used chemical weapons" is an attack
    strong = strong or (refined != kind and tok.pos_ != "VERB")
    kind = refined
    if tok.pos_ != "VERB" and lemma in ("missile", "rocket", "bomb", "artillery", "mortar", "shell") and not _used_as_weapon(tok):
        return None
    if _hypothetical(tok) or _aggregate(tok):
        return None
    if not strong and not _conflict_context(state, sentence, tok):
        return None
    anaphoric = anaphoric or _definite_bare(tok)
    attack = Attack(kind, sentences=[sentence.index], trigger=sentence.offsets(tok), strong=strong)
    attack.perpetrators = _perpetrators(state, sentence, tok)
    if kind == "ArmedClash":
        sides = _clash_sides(state, sentence, tok, attack.perpetrators)
        attack.perpetrators, attack.targets = sides, list(sides)
    elif kind == "Execution":
        attack.victims = _victims(state, sentence, tok)
    else:
        attack.targets, attack.victims = _targets(state, sentence, tok)
        attack.targets = [k for k in attack.targets if k not in attack.perpetrators]
    attack.places = _places(state, sentence, tok)
    attack.dates = _dates(sentence, tok, reference)
    attack.passing = _passing(sentence, tok, attack, reference)
    return attack, anaphoric


def _misspelt_anaphor(tok) -> bool:
    """"the stike": a definite noun one typo away from an attack word refers to an attack."""
    if tok.pos_ != "NOUN" or len(tok.text) < 5 or not any(c.lower_ in ("the", "this", "that", "these") for c in tok.lefts):
        return False
    word = tok.lower_.rstrip("s")
    return any(difflib.SequenceMatcher(None, word, w).ratio() >= 0.8 for w in ANAPHOR_WORDS) and word not in ANAPHOR_WORDS


def _definite_bare(tok) -> bool:
    lefts = list(tok.lefts)
    return any(c.lower_ in ("the", "these", "this", "those") for c in lefts) and not any(c.dep_ in ("amod", "compound", "nummod", "poss") for c in lefts) \
        and not any(c.dep_ == "prep" and c.lower_ in ("by",) for c in tok.children)


def _refine(tok, kind: str) -> str:
    """The type the modifiers or the instrument give: "air attack", "missiles targeted"."""
    modifiers = [c for c in tok.subtree if c.i < tok.i and c.dep_ in ("amod", "compound", "nmod")]
    for mod in modifiers:
        refined = MODIFIER_TYPES.get(mod.lemma_.lower())
        if refined and (kind in ("Attack", "Raid") or refined != kind and kind in ("Bombing",) and refined == "Airstrike"):
            return refined
    if kind == "Bombing" and any(m.lemma_.lower() in ("aerial", "air") for m in modifiers):
        return "Airstrike"
    if tok.pos_ != "VERB" and tok.dep_ == "dobj" and kind in ("Attack", "Raid"):
        for subject in (c for c in tok.head.children if c.dep_ == "nsubj"):
            refined = INSTRUMENT_TYPES.get(subject.lemma_.lower())
            if refined:
                return refined  # "two jets carried out three raids"
    if tok.pos_ == "VERB" and kind in ("Attack", "Bombing"):
        for child in tok.children:
            words = [child] + ([g for g in child.children if g.dep_ == "pobj"] if child.dep_ == "prep" and child.lower_ == "with" else [])
            for word in words:
                refined = INSTRUMENT_TYPES.get(word.lemma_.lower())
                if refined and child.dep_ in ("nsubj", "prep"):
                    return refined
    return kind


def _used_as_weapon(tok) -> bool:
    """A weapon noun is an attack only when it is fired, lands or strikes, or modifies an attack word."""
    head = tok.head
    if tok.dep_ in ("nsubj",) and head.lemma_.lower() in set(VERB_TRIGGERS) | {"land", "kill", "slam", "rain", "fall", "explode"}:
        return False  # the verb is the trigger; the weapon refines it
    if tok.dep_ in ("dobj", "nsubjpass") and head.lemma_.lower() in {"fire", "launch", "drop", "lob", "use", "detonate", "plant"}:
        return True
    if tok.lemma_.lower() == "bomb" and any(c.lemma_.lower() in ("car", "roadside", "barrel", "suicide", "truck") for c in tok.lefts):
        return True
    return tok.lemma_.lower() in ("artillery", "mortar") and head.lemma_.lower() in ("fire", "attack", "strike", "round")


def _governors(tok, depth: int = 6):
    node = tok
    for _ in range(depth):
        if node.head is node:
            return
        node = node.head
        yield node


def _hypothetical(tok) -> bool:
    if any(c.dep_ == "neg" for c in tok.children) or any(c.dep_ == "neg" for c in tok.head.children if tok.dep_ in ("dobj", "nsubj")):
        return True
    for gov in _governors(tok, 3):
        if gov.lemma_.lower() in HYPOTHETICAL:
            return True
    return any(c.lower_ in ("would", "could", "might", "may", "should") for c in (tok.head if tok.pos_ != "VERB" else tok).children)


def _aggregate(tok) -> bool:
    """"has ramped up airstrikes ... since August": a campaign, not one attack."""
    if tok.pos_ == "VERB" or tok.tag_ not in ("NNS", "NNPS"):
        return False
    clause = [tok, tok.head] if tok.dep_ in ("dobj", "nsubj", "pobj") else [tok]
    return any(c.lower_ in ("since", "throughout") for node in clause for c in node.subtree if c.dep_ in ("prep", "mark")) or \
        any(c.lemma_.lower() in ("limited", "many", "several", "numerous", "repeated", "frequent") for c in tok.lefts)


def hard_conflict(sentence: Sentence) -> bool:
    """A sentence that names fighters or weapons ("insurgent groups", "warplanes")."""
    return any(t.lemma_.lower() in HARD_CONFLICT for t in sentence.span)


def _conflict_context(state: State, sentence: Sentence, tok) -> bool:
    if hard_conflict(sentence):
        return True
    lemmas = {t.lemma_.lower() for t in sentence.span}
    if lemmas & NON_CONFLICT.get(tok.lemma_.lower(), set()):
        return False
    if lemmas & CONFLICT_WORDS:
        return True
    for ref in state.refs_in(sentence.index, "actor"):
        entity = state.entity("actor", ref.key)
        if entity and entity.types & {"ArmedGroup", "StateActor"}:
            return True
    return False


def _actor_keys(state: State, sentence: Sentence, tok, deep: bool = False) -> list[str]:
    """Actors a noun phrase names: the token's own mention, its modifiers, its conjuncts."""
    keys = []
    nodes = list(tok.subtree) if deep else [tok, *[c for c in tok.children if c.dep_ in ("compound", "amod", "poss", "nmod", "conj", "appos")]]
    for node in nodes:
        ref = state.ref_at(sentence.index, node.i, "actor")
        if ref and ref.key not in keys:
            keys.append(ref.key)
        elif not ref and node.dep_ in ("amod", "compound") and node.text[:1].isupper():
            cc = gazetteer().demonym(node.text)
            if cc:
                entity = state_actor(state, cc)
                _note_demonym(state, sentence, node, entity)
                if entity.key not in keys:
                    keys.append(entity.key)
    return keys


def _note_demonym(state: State, sentence: Sentence, node, entity: Entity) -> None:
    add_actor_ref(state, sentence, entity, node.i, node.i + 1, 0.8, "demonym")


def _perpetrators(state: State, sentence: Sentence, tok) -> list[str]:
    for child in tok.children:
        if child.dep_ in ("agent", "prep") and child.lower_ == "by":
            for pobj in child.children:
                keys = _actor_keys(state, sentence, pobj)
                if keys:
                    return keys
    if tok.dep_ == "pobj" and tok.head.lower_ == "for" and tok.head.head.lemma_.lower() in ("blame", "accuse", "hold"):
        for obj in (c for c in tok.head.head.children if c.dep_ == "dobj"):
            keys = _actor_keys(state, sentence, obj) or _instrument_owner(state, sentence, obj)
            if keys:
                return keys  # "blaming Russian jets for the attack"
    own = [c for c in tok.children if c.dep_ in ("poss", "amod", "compound", "nmod")]
    for child in own:
        keys = _actor_keys(state, sentence, child)
        if keys:
            return keys
    if tok.pos_ == "VERB":
        for child in tok.children:
            if child.dep_ == "nsubj":
                return _actor_keys(state, sentence, child) or _instrument_owner(state, sentence, child)
    return _subject_of_clause(state, sentence, tok) or _accused_in_sentence(state, sentence)


def _accused_in_sentence(state: State, sentence: Sentence) -> list[str]:
    """"..., accusing government forces of dropping the gas": the accused of the sentence."""
    for verb in sentence.span:
        if verb.lemma_.lower() in ("accuse", "blame") and verb.pos_ == "VERB":
            for obj in (c for c in verb.children if c.dep_ == "dobj"):
                keys = _actor_keys(state, sentence, obj)
                if keys:
                    return keys
    return []


def _clash_sides(state: State, sentence: Sentence, tok, found: list[str]) -> list[str]:
    """Both sides of a clash ("clashes between A and B", "A fought B", "A clashed with B") are
    perpetrator and target alike."""
    sides = list(found)
    for child in tok.children:
        if child.dep_ in ("prep", "dobj", "nsubj") and (child.dep_ != "prep" or child.lower_ in ("between", "with", "against")):
            phrases = [c for c in child.children if c.dep_ == "pobj"] if child.dep_ == "prep" else [child]
            for phrase in phrases:
                for node in _phrase_nodes(phrase):
                    ref = state.ref_at(sentence.index, node.i, "actor")
                    if ref and ref.key not in sides:
                        sides.append(ref.key)
    return sides


def _instrument_owner(state: State, sentence: Sentence, noun) -> list[str]:
    for child in noun.children:
        if child.dep_ in ("amod", "compound", "poss"):
            keys = _actor_keys(state, sentence, child)
            if keys:
                return keys
    return []


def _subject_of_clause(state: State, sentence: Sentence, tok) -> list[str]:
    """The subject of the verb governing the trigger ("Syrian forces launched air attacks")."""
    node = tok
    for _ in range(5):
        if node.dep_ in ("nsubj", "nsubjpass") or node.head is node:
            return []
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            subjects = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects:
                light = node.lemma_.lower() in LIGHT_VERBS | {"accuse"}
                return _actor_keys(state, sentence, subjects[0]) if light else []
            if node.dep_ not in ("xcomp", "pcomp", "conj", "advcl", "acl", "prep", "pobj"):
                return []
    return []


def _targets(state: State, sentence: Sentence, tok) -> list[str]:
    phrases = []
    holders = [tok]
    if tok.dep_ == "nsubj" and tok.head.lemma_.lower() in VERB_TRIGGERS:
        phrases += [c for c in tok.head.children if c.dep_ == "dobj"]
    if tok.dep_ == "pobj" and tok.head.lower_ in ("in", "during", "by") and tok.head.head.pos_ == "VERB":
        holders.append(tok.head.head)  # "killed in the strike on X": "on X" hangs on the verb
    for holder in holders:
        for child in holder.children:
            if child.dep_ == "prep" and child.lower_ in ("on", "against", "targeting"):
                phrases += [c for c in child.children if c.dep_ == "pobj"]
    for child in tok.children:
        if tok.pos_ == "VERB" and child.dep_ in ("dobj", "nsubjpass"):
            phrases.append(child)
    keys, victims = [], []
    for phrase in phrases:
        found = False
        for node in phrase.subtree:
            ref = state.ref_at(sentence.index, node.i, "actor") or _facility_ref(state, sentence, node)
            if ref and ref.key not in keys:
                keys.append(ref.key)
                found = True
        if not found and phrase.lemma_.lower() in PEOPLE_WORDS:
            victims.append(_victim_group(state, sentence, phrase).key)
    return keys, victims


def _facility_ref(state: State, sentence: Sentence, node):
    ref = state.ref_at(sentence.index, node.i, "place")
    if ref and "Facility" in state.entity("place", ref.key).types:
        return ref
    return None


def _victims(state: State, sentence: Sentence, tok) -> list[str]:
    """People executed: "beheaded a soldier", "beheadings of two journalists" → victim actors."""
    phrases = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            phrases += [c for c in child.children if c.dep_ == "pobj"]
    keys = []
    for phrase in phrases:
        refs = [state.ref_at(sentence.index, n.i, "actor") for n in (phrase, *[c for c in phrase.children if c.dep_ in ("compound", "poss")])]
        named = [r.key for r in refs if r and "StateActor" not in state.entity("actor", r.key).types]
        if named:
            keys += named
            continue
        keys.append(_victim_group(state, sentence, phrase).key)
    return list(dict.fromkeys(keys))


def _victim_group(state: State, sentence: Sentence, noun) -> Entity:
    tokens = [t for t in noun.subtree if t.dep_ != "det" and t.pos_ != "PUNCT"]
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    if end - start > 6:
        start, end = min(t.i for t in tokens if t.i <= noun.i), noun.i + 1
    label = sentence.span.doc[start:end].text
    props = {"unnamed": True}
    for t in tokens:
        cc = gazetteer().demonym(t.text) if t.text[:1].isupper() else None
        if cc:
            props["country"] = cc
    entity = state.add_entity(Entity("actor", f"{state.article_key}-{label}", label, {"Person"}, props=props))
    add_actor_ref(state, sentence, entity, start, end, 0.6, "victim")
    return entity


def _places(state: State, sentence: Sentence, tok) -> list[str]:
    """Places the clause puts the attack in: "in/near X" on the trigger or its verb, else in the sentence."""
    scope = [tok] + list(_governors(tok, 2))
    if tok.pos_ == "VERB":
        scope += [c for c in tok.children if c.dep_ == "nsubj"]  # "gunmen in Tripoli fought"
    keys = []
    for node in scope:
        for child in node.children:
            if child.dep_ == "prep" and (child.lower_ in LOCATIVE or child.lower_ == "for" and node.lemma_.lower() in ("battle", "fight", "clash")
                                         or child.lower_ == "of" and node is tok and tok.pos_ == "NOUN"):
                keys += _place_keys(state, sentence, child)  # "in X", "the shelling of X", "battled for X"
            elif child.dep_ == "dobj" and node is tok.head and tok.dep_ == "nsubj" or child.dep_ == "dobj" and node is tok and tok.pos_ == "VERB":
                keys += _place_keys(state, sentence, child)  # "strikes hit Aleppo", "shelled Aleppo"
    if not keys:
        for ref in state.refs_in(sentence.index, "place"):
            name = sentence.span.doc[ref.tokens[1] - 1]
            head = _settlement_phrase(name)
            if head.dep_ == "pobj" and head.head.lower_ in LOCATIVE and not state.ref_at(sentence.index, name.i, "actor") \
                    and same_clause(tok, head) and not _is_modifier_place(sentence, ref):
                keys.append(ref.key)
    return _most_specific(state, keys)


def _settlement_phrase(name):
    """The phrase a place name heads or names: "the town of Khan Sheikhun" for "Sheikhun"."""
    nouns = gazetteer().settlement_nouns
    while name.dep_ == "pobj" and name.head.lower_ == "of" and name.head.head.lemma_.lower() in nouns:
        name = name.head.head
    return name


CLAUSE_DEPS = {"relcl", "advcl", "acl", "ccomp", "xcomp", "conj", "parataxis"}
ADJECTIVAL_PARTICIPLES = {"backed", "based", "led", "run", "controlled", "held", "supported", "allied", "linked", "funded", "born"}


def _phrase_nodes(node):
    """The phrase under ``node`` without the clauses embedded in it."""
    yield node
    for child in node.children:
        if child.dep_ not in CLAUSE_DEPS:
            yield from _phrase_nodes(child)


def _is_modifier_place(sentence: Sentence, ref) -> bool:
    """"Turkey-backed", "UK-based": a place name inside a modifier, not where something happened."""
    doc = sentence.span.doc
    end = ref.tokens[1]
    return end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in ADJECTIVAL_PARTICIPLES


def _place_keys(state: State, sentence: Sentence, prep) -> list[str]:
    keys = []
    for node in _phrase_nodes(prep):
        ref = state.ref_at(sentence.index, node.i, "place")
        if ref and ref.key not in keys and not state.ref_at(sentence.index, node.i, "actor") and not _is_modifier_place(sentence, ref):
            keys.append(ref.key)
    return keys


PLACE_RANK = {"Facility": 0, "City": 1, "Region": 2, "Country": 3}


def _rank(state: State, place: Entity) -> float:
    """How specific a place is (lower is more): facility, city, region, country. A village the
    gazetteer lacks that the text locates only in its country ranks after the known places beside
    it, which say more about where it is."""
    rank = min(PLACE_RANK.get(t, 4) for t in place.types)
    container = state.entity("place", place.props.get("located_in", ""))
    if place.props.get("unlisted") and (container is None or "Country" in container.types):
        return 2.5
    return rank


def _most_specific(state: State, keys: list[str]) -> list[str]:
    """The most specific non-facility places (a facility stands for its container)."""
    resolved = []
    for key in keys:
        place = state.entity("place", key)
        if "Facility" in place.types:
            key = place.props.get("located_in") or key
            place = state.entity("place", key) or place
            if "Facility" in place.types:
                continue
        resolved.append((_rank(state, place), key))
    if not resolved:
        return []
    best = min(rank for rank, _ in resolved)
    return list(dict.fromkeys(key for rank, key in resolved if rank == best))


def _is_verb(tok) -> bool:
    return tok.pos_ == "VERB" or tok.pos_ == "AUX" and tok.dep_ == "ROOT"


def _clause_verb(tok):
    return tok if _is_verb(tok) else next((g for g in _governors(tok, 5) if _is_verb(g)), None)


def same_clause(trigger, other) -> bool:
    """Whether ``other`` belongs to the trigger's clause (or to the main clause the trigger sits in)."""
    mine, theirs = _clause_verb(trigger), _clause_verb(other.head if other.dep_ == "pobj" else other)
    if mine is None or theirs is None or mine == theirs or theirs == trigger or theirs.dep_ == "relcl" and theirs.head == trigger:
        return True  # "an airstrike that released gas on the town": the trigger's own relative clause
    return theirs.dep_ == "ROOT" and mine.dep_ not in ("conj", "relcl", "advcl", "acl", "pcomp", "xcomp")


def _dates(sentence: Sentence, tok, reference: date | None) -> list[str]:
    """Dates of the trigger's clause (or of the whole sentence), not those after "since" or "until"."""
    values = []
    for root, found in _date_expressions(sentence, reference):
        if same_clause(tok, root):
            values += found
    return sorted(set(values))


def _date_expressions(sentence: Sentence, reference: date | None) -> list[tuple[object, list[str]]]:
    """The sentence's date expressions as (root token, values): spaCy's DATE entities and the
    absolute dates the patterns find outside them ("Wed 05 Apr 2017"), each resolved against the
    reference; none after "since", "until" and the like."""
    found = []
    covered = []
    for ent in sentence.ents:
        if ent.label_ != "DATE":
            continue
        covered.append((ent.start_char, ent.end_char))
        if not _blocked(ent.root):
            found.append((ent.root, resolve_expression(ent.text, reference)))
    for mention in find_date_mentions(sentence.span.text, reference):
        start, end = sentence.span.start_char + mention.start, sentence.span.start_char + mention.end
        span = sentence.span.doc.char_span(start, end, alignment_mode="expand")
        if span is None or any(s < end and start < e for s, e in covered) or mention.value.startswith("--") or _blocked(span.root):
            continue
        found.append((span.root, [mention.value]))
    return [(root, values) for root, values in found if values]


def _blocked(root) -> bool:
    return root.head.lower_ in DATE_BLOCKERS and root.dep_ == "pobj"


def _passing(sentence: Sentence, tok, attack: Attack, reference: date | None) -> bool:
    """A past event mentioned in passing (recent beheadings, last year's attack, accusations)."""
    words = {c.lemma_.lower() for c in tok.lefts} | {g.lemma_.lower() for g in _governors(tok, 4)}
    if words & PAST_CUES:
        return True
    clause = _clause_verb(tok)
    if clause is not None and any(c.dep_ == "prep" and c.lower_ in ("until", "till") for c in clause.children):
        return True  # "fought together until last year"
    if attack.dates and reference and all(len(d) == 4 or d < reference.replace(day=1).isoformat()[:len(d)] for d in attack.dates):
        return True
    return False


def _compatible(state: State, a: Attack, b: Attack) -> bool:
    family = lambda t: FAMILIES.get(t, t)  # noqa: E731
    if family(a.type) != family(b.type) and "Attack" not in (family(a.type), family(b.type)):
        return False
    if a.passing != b.passing:
        return False
    if set(a.sentences) & set(b.sentences) and "Attack" in (family(a.type), family(b.type)):
        return not _conflicting(state, a, b)  # "airstrikes ... hit Aleppo": one attack told twice in a sentence
    if _conflicting(state, a, b):
        return False
    if family(a.type) == family(b.type) and (not (b.places or b.perpetrators) or not (a.places or a.perpetrators)):
        return True  # an under-specified mention of an attack type already told is that attack
    shared = lambda x, y: bool(set(x) & set(y))  # noqa: E731
    pa, pb = _named(state, a.perpetrators), _named(state, b.perpetrators)
    same_place = _places_agree(state, a.places, b.places) and (shared(pa, pb) or not (pa and pb))
    same_day = shared(a.perpetrators, b.perpetrators) and shared(a.dates, b.dates)
    return same_place or same_day or shared(a.targets, b.targets) and shared(a.perpetrators, b.perpetrators)


def _conflicting(state: State, a: Attack, b: Attack) -> bool:
    if a.places and b.places and not _places_agree(state, a.places, b.places):
        return True
    if a.dates and b.dates and not any(x.startswith(y) or y.startswith(x) for x in a.dates for y in b.dates):
        return True
    pa, pb = _named(state, a.perpetrators), _named(state, b.perpetrators)
    return bool(pa and pb and not pa & pb)


def _named(state: State, actors: list[str]) -> set[str]:
    """The actors of ``actors`` that are named: a description ("two insurgent groups", "a suicide
    bomber") may be any of them, so it neither matches nor contradicts a named one."""
    return {key for key in actors if not ((entity := state.entity("actor", key)) and entity.props.get("unnamed"))}


def _places_agree(state: State, xs: list[str], ys: list[str]) -> bool:
    """The same place, or one inside the other (Saraqeb and northwestern Syria)."""
    def around(key: str) -> set[str]:
        found, place = {key}, state.entity("place", key)
        while place is not None and place.props.get("located_in") and place.props["located_in"] not in found:
            found.add(place.props["located_in"])
            place = state.entity("place", place.props["located_in"])
        return found

    def coarse(key: str) -> bool:
        place = state.entity("place", key)
        return place is not None and bool(place.types & {"Country", "Region"})

    for x in xs:
        for y in ys:
            if x == y or x in around(y) or y in around(x):
                return True
            if (coarse(x) or coarse(y)) and around(x) & around(y) - {x, y}:
                return True
    return False


def merge_mention(state: State, attack: Attack, anaphoric: bool) -> None:
    """Add one mention: merged into the attack it refers to, else a new attack."""
    target = None
    if anaphoric and state.attacks:
        candidates = [a for a in state.attacks if not a.passing and a.sentences[-1] <= attack.sentences[0] and not _conflicting(state, a, attack)
                      and (attack.type in ("Attack", "Raid") or FAMILIES.get(a.type, a.type) in (attack.type, "Attack"))]
        target = max(candidates, key=lambda a: a.sentences[-1], default=None)
    if target is None:
        target = next((a for a in reversed(state.attacks) if _compatible(state, a, attack)), None)
    if target is None:
        if anaphoric and not (attack.places or attack.perpetrators or attack.targets):
            return
        state.attacks.append(attack)
        return
    _merge_into(target, attack)


def _merge_into(target: Attack, attack: Attack) -> None:
    if target.type in ("Attack", "Raid") and attack.type not in ("Attack", "Raid"):
        target.type = attack.type
    for name in ("sentences", "perpetrators", "targets", "victims", "places", "dates"):
        merged = getattr(target, name)
        merged += [v for v in getattr(attack, name) if v not in merged]
    target.strong = target.strong or attack.strong




def _inherit_dates(state: State, reference: date | None) -> None:
    """An undated attack takes the nearest date expression of its sentence, else of its paragraph;
    else, told right after a dated attack, that attack's day. Never the article's date by default:
    only a "today" in the text gives it."""
    for i, attack in enumerate(state.attacks):
        if attack.dates or attack.passing:
            continue
        attack.dates = _nearest_dates(state, attack, reference)
        if attack.dates or any(e.label_ == "DATE" for s in attack.sentences for e in state.sentences[s].ents):
            continue
        for earlier in reversed(state.attacks[:i]):
            told_before = [s for s in earlier.sentences if s <= attack.sentences[0]]
            if earlier.dates and not earlier.passing and told_before and attack.sentences[0] - told_before[-1] <= 4:
                attack.dates = [d for d in earlier.dates if len(d) == 10][-1:]
                break


def _nearest_dates(state: State, attack: Attack, reference: date | None) -> list[str]:
    """The days of the dated expression nearest the attack's first sentence: in that sentence, else
    in the same paragraph (the nearer sentence first, the earlier on a tie). Only days: a month or a
    year there is background ("since March 2011") more often than the attack's date."""
    first = state.sentences[attack.sentences[0]]
    paragraph = [s for s in state.sentences if s.segment is first.segment and s.segment.kind == "body"]
    for sentence in sorted(paragraph, key=lambda s: (abs(s.index - first.index), s.index)):
        for _root, values in _date_expressions(sentence, reference):
            days = sorted({v for v in values if len(v) == 10})
            if days:
                return days
    return []


