"""Coreference for descriptions that refer back to an actor already named.

"the group", "militants", "the extremist group" → the most salient armed group so far;
"the government", "the regime" → the most salient state actor; "the Britain-based monitoring
group", "the monitor" → the organisation based there, else the last monitoring organisation.
Salience is the number of mentions up to the current sentence, ties to the most recent.

A described speaker ("a local health official said") is the person named in the next two
sentences, the one before or in apposition whose own description ("X, who heads the health
directorate", "the army's spokesman, Colonel X", "Dr. Y") has the same kind of role and shares a
field of work or an organisation, or says no more than the role: :func:`resolve_described_speakers`,
run by the claims component once every speaker is known. The description stays as another name.
"""
from __future__ import annotations

from kg.extract.mentions import add_actor_ref, most_salient
from kg.extract.model import Entity, Sentence, State
from kg.extract.step import step

ARMED_GROUP_NOUNS = {"group", "militant", "insurgent", "jihadist", "extremist", "terrorist", "militia", "organisation", "organization"}
BARE_PLURALS = {"militants", "insurgents", "jihadists", "extremists", "terrorists"}
STATE_NOUNS = {"government", "regime", "authorities"}
MONITOR_WORDS = {"monitor", "monitoring", "watchdog", "observatory", "rights"}


@step(requires=["sentences", "actors", "places"], assigns=["descriptions"])
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


# --- described speakers named nearby ------------------------------------------------------------
# "..., a local health official said. Mustafa al-Hajj, who heads the health directorate, told ..."
# A described source and the person a neighbouring sentence names and describes alike are one actor.

SPEAKER_REACH = (1, 2, -1, 0)  # sentences after the description, then before, then its own (apposition)
GENERIC_WORDS = {
    "local", "senior", "top", "high", "ranking", "high-ranking", "unnamed", "anonymous", "other", "another", "second",
    "first", "third", "one", "former", "new", "chief", "deputy", "who", "name", "condition", "anonymity", "area",
    "provincial", "regional", "municipal", "district",
}
ROLE_FAMILIES = {
    "official": "office", "officer": "office", "head": "office", "chief": "office", "director": "office",
    "administrator": "office", "governor": "office", "minister": "office", "mayor": "office", "manager": "office",
    "spokesman": "spokes", "spokeswoman": "spokes", "spokesperson": "spokes", "spokesmen": "spokes",
    "doctor": "medic", "medic": "medic", "physician": "medic", "surgeon": "medic", "nurse": "medic", "dr": "medic",
    "commander": "command", "leader": "command", "colonel": "command", "general": "command", "brigadier": "command",
    "witness": "witness", "eyewitness": "witness", "resident": "resident", "source": "source",
    "worker": "worker", "volunteer": "worker", "activist": "activist", "aide": "aide", "adviser": "aide",
    "advisor": "aide", "representative": "envoy", "envoy": "envoy", "diplomat": "envoy", "investigator": "expert",
    "analyst": "expert", "expert": "expert", "lawmaker": "lawmaker", "legislator": "lawmaker",
    "fighter": "fighter", "militant": "fighter", "soldier": "fighter", "gunman": "fighter", "rebel": "fighter",
    "member": "member",
}
CONCEPTS = {  # words that name the same field of work: "health official" ~ "runs the hospital"
    "health": "health", "medical": "health", "hospital": "health", "clinic": "health", "doctor": "health", "dr": "health",
    "medic": "health", "physician": "health", "surgeon": "health", "nurse": "health",
    "military": "military", "army": "military", "armed": "military", "colonel": "military", "general": "military",
    "brigadier": "military", "major": "military", "lieutenant": "military", "captain": "military", "defence": "military",
    "defense": "military", "troops": "military", "soldier": "military",
    "police": "police", "policeman": "police", "interior": "police", "security": "police",
    "rescue": "rescue", "rescuer": "rescue", "helmets": "rescue",
}
RUN_VERBS = {"head", "run", "lead", "direct", "manage", "chair", "command", "oversee"}


def resolve_described_speakers(state: State) -> None:
    """Join each unnamed described speaker to the person named nearby whose description matches."""
    taken: set[str] = set()
    for described in [e for e in list(state.entities.values()) if _described_person(e)]:
        refs = [r for r in state.refs if r.kind == "actor" and r.key == described.key]
        if not refs:
            continue
        first = min(refs, key=lambda r: r.span[0])
        person = _named_match(state, first, taken)
        if person is not None:
            taken.add(person.key)
            merge_actor(state, described, person)


def _described_person(entity: Entity) -> bool:
    return entity.kind == "actor" and bool(entity.props.get("unnamed")) and entity.types == {"Person"}


def _named_match(state: State, ref, taken: set[str]) -> Entity | None:
    """The named person of a neighbouring sentence described like ``ref``, if exactly one fits best."""
    sentence = state.sentences[ref.sent]
    words, role, orgs = _description(state, sentence, ref.tokens)
    if role is None:
        return None  # "a number of experts": no one person's role
    speakers_here = {c.source for c in state.claims if c.sentence == ref.sent}
    for reach in SPEAKER_REACH:
        index = ref.sent + reach
        if not 0 <= index < len(state.sentences):
            continue
        fits = []
        for other in state.refs_in(index, "actor"):
            person = state.entity("actor", other.key)
            if person is None or "Person" not in person.types or person.props.get("unnamed") or person.key in taken:
                continue
            if reach != 0 and person.key in speakers_here:
                continue  # a different source of the same statement
            if reach == 0 and not _apposed(state.sentences[index], ref.tokens, other.tokens):
                continue
            if _same_role(state, state.sentences[index], other.tokens, words, role, orgs):
                fits.append(person)
        if len({p.key for p in fits}) == 1:
            return fits[0]
        if fits:
            return None  # two people fit: no guess
    return None


def _description(state: State, sentence: Sentence, tokens: tuple[int, int]) -> tuple[set[str], str | None, set[str]]:
    """(content concepts, role family, organisations) of a description such as "a local health official"."""
    doc = sentence.span.doc
    head = doc[tokens[0]:tokens[1]].root
    described = list(doc[tokens[0]:tokens[1]]) + [t for c in head.children if c.dep_ == "prep" and c.i > head.i for t in c.subtree]
    words, orgs = set(), set()
    for tok in described:
        ref = state.ref_at(sentence.index, tok.i, "actor")
        if ref and ref.tokens != tuple(tokens):
            orgs.add(ref.key)
        elif tok.i != head.i:
            words |= _concepts(tok)
    return words, ROLE_FAMILIES.get(head.lemma_.lower()), orgs


def _concepts(tok) -> set[str]:
    """The field-of-work concept (or else the lemma) of a content word; nothing for generic words."""
    lemma = tok.lemma_.lower().rstrip(".")
    if tok.pos_ not in ("NOUN", "PROPN", "ADJ") or lemma in GENERIC_WORDS:
        return set()
    return {CONCEPTS.get(lemma, lemma)}


def _person_description(state: State, sentence: Sentence, tokens: tuple[int, int]):
    """The tokens that describe a named person: titles ("Dr.", "spokesman Colonel"), apposition,
    relative clause, "the army's spokesman, Name"."""
    doc = sentence.span.doc
    head = doc[tokens[0]:tokens[1]].root
    described = [t for t in doc[tokens[0]:tokens[1]] if t.lemma_.lower().rstrip(".") in ROLE_FAMILIES]
    for child in head.children:
        outside = not tokens[0] <= child.i < tokens[1]
        if outside and (child.dep_ in ("appos", "relcl", "acl") or child.dep_ in ("compound", "amod") and child.i < tokens[0]):
            described += list(child.subtree)
    if head.dep_ == "appos":
        own = {t.i for t in head.subtree}
        described += [t for t in head.head.subtree if t.i not in own and t.i < head.i]
    return described


def _same_role(state: State, sentence: Sentence, tokens, words: set[str], role: str | None, orgs: set[str]) -> bool:
    """Whether the named person's description matches: no other role, and a shared field of work or
    organisation, or the same role where one side says no more ("a spokesman for the coalition" ~
    "spokesman Colonel X")."""
    described = _person_description(state, sentence, tokens)
    if not described or any(t.lower_ in ("another", "other", "second") for t in described):
        return False
    their_words, their_titles, their_roles, their_orgs = set(), set(), set(), set()
    for tok in described:
        lemma = tok.lemma_.lower().rstrip(".")
        ref = state.ref_at(sentence.index, tok.i, "actor")
        if ref and not tokens[0] <= tok.i < tokens[1]:
            their_orgs.add(ref.key)
        if lemma in ROLE_FAMILIES and _is_title(tok, tokens):
            their_roles.add(ROLE_FAMILIES[lemma])
            their_titles |= _concepts(tok)  # "Dr." says health, yet is a title, not a field named
        elif lemma in RUN_VERBS and tok.pos_ == "VERB":
            their_roles.add("office")
        else:
            their_words |= _concepts(tok)
    if their_roles and role not in their_roles:
        return False  # "an IS commander" is not "X, an IS fighter"; "a spokeswoman" is not "director X"
    if words & (their_words | their_titles) or orgs & their_orgs:
        return True
    says_no_more = not (words or orgs) or not (their_words or their_orgs)
    return says_no_more and role in their_roles


def _is_title(tok, name: tuple[int, int]) -> bool:
    """A role word that is the person's title or description ("Dr. X", "X, a commander"), not a
    modifier of one ("a rebel commander")."""
    return tok.dep_ not in ("amod", "compound") or name[0] <= tok.head.i < name[1]


def _apposed(sentence: Sentence, tokens, other_tokens) -> bool:
    """Whether two mentions of one sentence stand in apposition ("a hospital doctor, Dr. Y")."""
    doc = sentence.span.doc
    one, two = doc[tokens[0]:tokens[1]].root, doc[other_tokens[0]:other_tokens[1]].root
    return (one.dep_ == "appos" and one.head.i == two.i) or (two.dep_ == "appos" and two.head.i == one.i)


def merge_actor(state: State, old: Entity, new: Entity) -> None:
    """Make every mention, claim and role of actor ``old`` one of ``new``; ``old`` goes."""
    for span in old.mentions:
        new.add_mention(span, state.text[span[0]:span[1]], min(old.confidence, 0.65))
    if old.label and old.label != new.label and not old.label.startswith("unnamed "):
        new.alt_labels.add(old.label)
    for key, value in old.props.items():
        if key != "unnamed":
            new.props.setdefault(key, value)
    for ref in state.refs:
        if ref.kind == "actor" and ref.key == old.key:
            ref.key, ref.how = new.key, "coref"
    for claim in state.claims:
        claim.source = new.key if claim.source == old.key else claim.source
        claim.on_behalf_of = new.key if claim.on_behalf_of == old.key else claim.on_behalf_of
        if claim.about == f"actor:{old.key}":
            claim.about = f"actor:{new.key}"
    for attack in state.attacks:
        for role in (attack.perpetrators, attack.targets, attack.victims):
            role[:] = [new.key if k == old.key else k for k in role]
    del state.entities[("actor", old.key)]
    seen = set()
    for claim in list(state.claims):
        if (claim.sentence, claim.source) in seen:
            state.claims.remove(claim)  # "a hospital doctor, Dr. Y, said": one speaker, one claim
        seen.add((claim.sentence, claim.source))
