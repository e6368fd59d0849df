"""Actors: one entity per real-world actor, whatever the text calls it.

Sources, in order: the curated list shipped in ``kg/data/actors.json`` (names, aliases, acronyms;
matched on tokens), demonym phrases ("Syrian forces" → Syria's state forces), a country acting as
subject ("the US carried out"), acronyms defined in parentheses, fuzzy matches of spaCy names
against the list ("Barak Obama" → Barack Obama), post authors and their handles, unnamed members
("an IS commander"), and finally spaCy's own persons and organisations.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.extract.gazetteer import gazetteer, normalise
from kg.extract.mentions import add_actor_ref, most_salient
from kg.extract.model import Entity, Ref, Sentence, State
from kg.extract.step import step
from kg.resources import data_json

FORCE_NOUNS = {
    "force", "forces", "military", "troop", "troops", "army", "government", "regime", "jet", "warplane", "aircraft",
    "plane", "helicopter", "soldier", "navy", "authority", "authorities", "police", "drone", "tank", "artillery",
    "missile", "rocket", "official", "gunboat", "ministry",
}
ROLE_NOUNS = {
    "commander", "spokesman", "spokeswoman", "spokesperson", "official", "fighter", "militant", "leader", "member",
    "source", "officer", "activist", "soldier", "general", "minister", "envoy", "diplomat", "jihadist", "sniper",
}
AGENT_DEPS = {"nsubj", "nsubjpass"}
FUZZY_THRESHOLD = 0.88
_ACRONYM = re.compile(r"^[A-Z][A-Za-z]{1,9}$")


@dataclass
class CatalogEntry:
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    based_in: str | None = None
    member_of: str | None = None
    state_of: str | None = None
    wikidata: str | None = None
    role: str | None = None
    title: str | None = None


class Catalog:
    """The curated actor list, with a token matcher over its names and aliases."""

    def __init__(self) -> None:
        data = data_json("actors.json")
        self.entries = [CatalogEntry(**{k: v for k, v in item.items() if k in CatalogEntry.__dataclass_fields__}) for item in data["actors"]]
        self.by_name = {e.name: e for e in self.entries}
        self.state_of = {e.state_of: e for e in self.entries if e.state_of}
        self.surface = {}
        for entry in self.entries:
            for alias in [entry.name, *entry.aliases]:
                self.surface.setdefault(normalise(alias), entry)
        self._matchers = None

    def matchers(self):
        """PhraseMatchers: exact case for acronyms and short names, lowercase for the rest."""
        if self._matchers is None:
            from spacy.matcher import PhraseMatcher

            from kg.extract.nlp import loaded_pipeline

            nlp = loaded_pipeline()
            exact, lower = PhraseMatcher(nlp.vocab, attr="ORTH"), PhraseMatcher(nlp.vocab, attr="LOWER")
            for index, entry in enumerate(self.entries):
                for alias in [entry.name, *entry.aliases]:
                    matcher = exact if _case_sensitive(alias) else lower
                    matcher.add(str(index), [nlp.make_doc(alias)])
            self._matchers = (exact, lower)
        return self._matchers

    def fuzzy(self, name: str, persons: bool) -> CatalogEntry | None:
        """The entry whose name or alias is closest to ``name``, if close enough."""
        return self._fuzzy(normalise(name), persons)

    @lru_cache(maxsize=4096)  # noqa: B019 - one catalog per process
    def _fuzzy(self, key: str, persons: bool) -> CatalogEntry | None:
        if len(key) < 6:
            return None
        best, best_ratio = None, 0.0
        for alias, entry in self.surface.items():
            if (entry.type == "Person") != persons or len(alias) < 6 or abs(len(alias) - len(key)) > 3 or alias[0] != key[0]:
                continue
            matcher = difflib.SequenceMatcher(None, key, alias)
            if matcher.real_quick_ratio() < FUZZY_THRESHOLD or matcher.quick_ratio() < FUZZY_THRESHOLD:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = entry, ratio
        return best if best_ratio >= FUZZY_THRESHOLD else None


def _case_sensitive(alias: str) -> bool:
    return (len(alias) < 6 and " " not in alias) or alias.isupper() or "." in alias


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog()


def catalog_entity(state: State, entry: CatalogEntry) -> Entity:
    """The entity for a curated entry (creating its organisation or country links)."""
    props = {"country": entry.country, "based_in": entry.based_in, "wikidata": entry.wikidata, "role": entry.role,
             "title": entry.title, "curated": True}
    entity = state.add_entity(Entity("actor", entry.wikidata or entry.name, entry.name, {entry.type}, props={k: v for k, v in props.items() if v}))
    if entry.member_of and entry.member_of in catalog().by_name:
        parent = catalog_entity(state, catalog().by_name[entry.member_of])
        entity.props["member_of"] = parent.key
    return entity


def state_actor(state: State, cc: str) -> Entity:
    """The state forces of country ``cc``: the curated entry when there is one."""
    entry = catalog().state_of.get(cc)
    if entry:
        return catalog_entity(state, entry)
    country = gazetteer().countries[cc].name
    return state.add_entity(Entity("actor", f"{country} state forces", f"{country} state forces", {"StateActor"}, props={"country": cc}))


def _free(state: State, sentence: Sentence, start: int, end: int) -> bool:
    return not state.covered(sentence.offsets(sentence.span.doc[start:end]), sentence.index) if end > start else False


@step(requires=["sentences", "places"], assigns=["actors"])
def resolve_actors(state: State) -> None:
    for sentence in state.sentences:
        _curated(state, sentence)
    _acronyms(state)
    for sentence in state.sentences:
        _demonym_phrases(state, sentence)
        _government_phrases(state, sentence)
        _countries_as_agents(state, sentence)
        _unnamed_members(state, sentence)
        _fuzzy_and_new(state, sentence)
    _tweet_authors(state)


def _shouting(sentence: Sentence) -> bool:
    letters = [c for c in sentence.span.text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _curated(state: State, sentence: Sentence) -> None:
    from spacy.util import filter_spans

    doc = sentence.span.doc
    exact, lower = catalog().matchers()
    found = []
    for matcher in (exact, lower):
        for match_id, start, end in matcher(doc):
            if start >= sentence.span.start and end <= sentence.span.end:
                span = doc[start:end]
                span.label_ = doc.vocab.strings[match_id]
                found.append(span)
    for span in filter_spans(found):
        entry = catalog().entries[int(span.label_)]
        if _case_sensitive(span.text) and len(span) == 1 and (_shouting(sentence) or span[0].dep_ in ("aux", "auxpass", "ROOT", "cop")):
            continue
        start, end = _widen_to_person(sentence, span, entry)
        if not _free(state, sentence, start, end):
            continue
        add_actor_ref(state, sentence, catalog_entity(state, entry), start, end, 0.95 if (start, end) == (span.start, span.end) else 0.8, "catalog")


def _widen_to_person(sentence: Sentence, span, entry: CatalogEntry) -> tuple[int, int]:
    """"Vladimr Putin": a surname match inside a longer, misspelt full name takes the full name."""
    for ent in sentence.ents:
        if ent.label_ == "PERSON" and ent.start <= span.start and span.end <= ent.end and len(ent) > len(span):
            if catalog().fuzzy(ent.text, persons=True) is entry:
                return ent.start, ent.end
    return span.start, span.end


def _acronyms(state: State) -> None:
    """"Long Name (LN)": the acronym becomes an alias of the long name's actor, for the whole article."""
    aliases: dict[str, str] = state.notes.setdefault("acronyms", {})
    for sentence in state.sentences:
        doc = sentence.span.doc
        for tok in sentence.span:
            if tok.text != "(" or tok.i + 2 >= len(doc) or doc[tok.i + 2].text != ")" or not _ACRONYM.match(doc[tok.i + 1].text):
                continue
            acronym = doc[tok.i + 1].text
            before = state.ref_at(sentence.index, tok.i - 1, "actor") or _new_org_before(state, sentence, tok.i)
            if before and _initials_match(acronym, state.entity("actor", before.key).label):
                aliases[acronym] = before.key
    for sentence in state.sentences:
        for tok in sentence.span:
            key = aliases.get(tok.text)
            if key and _free(state, sentence, tok.i, tok.i + 1):
                add_actor_ref(state, sentence, state.entity("actor", key), tok.i, tok.i + 1, 0.9, "acronym")


def _new_org_before(state: State, sentence: Sentence, paren_i: int) -> Ref | None:
    for ent in sentence.ents:
        if ent.end == paren_i and ent.label_ in ("ORG", "PERSON", "NORP", "FAC") and _free(state, sentence, ent.start, ent.end):
            start = ent.start + (1 if ent[0].lower_ == "the" else 0)
            label = sentence.span.doc[start:ent.end].text
            entity = state.add_entity(Entity("actor", label, label, {"Organization"}))
            return add_actor_ref(state, sentence, entity, start, ent.end, 0.8, "spacy")
    return None


def _initials_match(acronym: str, name: str) -> bool:
    """Whether an acronym abbreviates a name.

    >>> _initials_match("SOHR", "Syrian Observatory for Human Rights")
    True
    """
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isupper()]
    initials = "".join(w[0] for w in words).upper()
    return acronym.upper() == initials or acronym.upper() in initials or initials.startswith(acronym.upper()[:2]) and len(acronym) <= len(initials) + 1


def _demonym_phrases(state: State, sentence: Sentence) -> None:
    """"Syrian forces", "US jets", "American troops": the country's state forces."""
    gaz = gazetteer()
    for tok in sentence.span:
        cc = gaz.demonym(tok.text) if tok.text[:1].isupper() else None
        if not cc or not _free(state, sentence, tok.i, tok.i + 1) and not state.ref_at(sentence.index, tok.i, "place"):
            continue
        head = tok.head
        if head.lemma_.lower() not in FORCE_NOUNS and head.lower_ not in FORCE_NOUNS:
            continue
        end = head.i + 1
        if head.i < tok.i or not _free(state, sentence, tok.i + 1, end):
            continue
        add_actor_ref(state, sentence, state_actor(state, cc), tok.i, end, 0.85, "demonym")


def _government_phrases(state: State, sentence: Sentence) -> None:
    """"a government helicopter", "regime forces": the state forces of the article's country."""
    for tok in sentence.span:
        if tok.lower_ not in ("government", "regime", "pro-government") or tok.dep_ not in ("amod", "compound", "nmod"):
            continue
        head = tok.head
        if head.lemma_.lower() not in FORCE_NOUNS or head.i < tok.i or not _free(state, sentence, tok.i, head.i + 1):
            continue
        actor = most_salient(state, sentence.index, "StateActor")
        context = state.notes.get("context", set())
        if actor is None and len(context) == 1:
            actor = state_actor(state, next(iter(context)))
        if actor is not None:
            add_actor_ref(state, sentence, actor, tok.i, head.i + 1, 0.7, "government-phrase")


def _countries_as_agents(state: State, sentence: Sentence) -> None:
    """A country that acts ("The US carried out ...") is its state."""
    for ref in state.refs_in(sentence.index, "place"):
        place = state.entity("place", ref.key)
        token = sentence.span.doc[ref.tokens[1] - 1]
        if "Country" not in place.types or token.dep_ not in AGENT_DEPS or token.head.pos_ not in ("VERB", "AUX"):
            continue
        if state.ref_at(sentence.index, token.i, "actor"):
            continue
        add_actor_ref(state, sentence, state_actor(state, place.props["cc"]), ref.tokens[0], ref.tokens[1], 0.8, "country-agent")


def _unnamed_members(state: State, sentence: Sentence) -> None:
    """"an IS commander", "a Syrian official": an unnamed person, member of the named group."""
    doc = sentence.span.doc
    for tok in sentence.span:
        if tok.lemma_.lower() not in ROLE_NOUNS or not any(c.lower_ in ("a", "an", "one") and c.dep_ in ("det", "nummod") for c in tok.lefts):
            continue
        group = None
        for child in tok.lefts:
            ref = state.ref_at(sentence.index, child.i, "actor")
            if ref:
                group = ref.key
        if group is None:
            continue
        det = min(c.i for c in tok.lefts)
        number = sum(1 for e in state.entities.values() if e.props.get("unnamed") and e.props.get("member_of") == group)
        label = f"unnamed {tok.lemma_.lower()}"
        person = state.add_entity(Entity("actor", f"{state.article_key}-{label}-{number}", label, {"Person"},
                                         props={"unnamed": True, "member_of": group}))
        add_actor_ref(state, sentence, person, det, tok.i + 1, 0.75, "unnamed-member")


def _fuzzy_and_new(state: State, sentence: Sentence) -> None:
    """spaCy's persons and organisations: misspelt well-known names, else new actors."""
    doc = sentence.span.doc
    for start, end, label in _name_candidates(sentence):
        if not _free(state, sentence, start, end):
            continue
        text = doc[start:end].text
        entry = catalog().fuzzy(text, persons=(label == "PERSON"))
        if entry:
            add_actor_ref(state, sentence, catalog_entity(state, entry), start, end, 0.75, "fuzzy")
        elif label in ("PERSON", "ORG") and _plausible_name(text):
            add_actor_ref(state, sentence, _named_actor(state, text, label), start, end, 0.6, "spacy")


def _name_candidates(sentence: Sentence):
    doc = sentence.span.doc
    for ent in sentence.ents:
        if ent.label_ in ("PERSON", "ORG"):
            if ent.start > 0 and doc[ent.start - 1].lower_ in ("a", "an", "another"):
                continue  # "a Humvee": a thing, not a named actor
            start = ent.start + (1 if ent[0].lower_ == "the" else 0)
            yield start, ent.end, ent.label_
    run = []
    for tok in sentence.span:
        if tok.pos_ == "PROPN" or (tok.text[:1].isupper() and not tok.is_sent_start and tok.is_alpha):
            run.append(tok.i)
            continue
        if len(run) >= 2:
            yield run[0], run[-1] + 1, "NAME"
        run = []
    if len(run) >= 2:
        yield run[0], run[-1] + 1, "NAME"


def _plausible_name(text: str) -> bool:
    return 2 <= len(text) <= 80 and text[:1].isupper() and not any(ch.isdigit() for ch in text) and "\n" not in text


def _named_actor(state: State, text: str, label: str) -> Entity:
    """A new person or organisation; a surname alone joins the full name met before."""
    if label != "PERSON":
        for entity in state.entities.values():  # "Ahrar" after "Ahrar al-Sham"
            if entity.kind == "actor" and entity.types & {"ArmedGroup", "Organization", "StateActor"} and entity.label.startswith(text + " "):
                return entity
    if label == "PERSON":
        for entity in state.entities.values():
            if entity.kind == "actor" and "Person" in entity.types and entity.label.split()[-1] == text and " " in entity.label:
                return entity
    return state.add_entity(Entity("actor", text, text, {"Person" if label == "PERSON" else "Organization"}))


def _tweet_authors(state: State) -> None:
    """An embedded post's author, with its handle as another name, joined to an actor of the article."""
    for segment in state.segments:
        if segment.kind != "tweet":
            continue
        name, handle = segment.info["name"], "@" + segment.info["handle"]
        entity = _actor_named(state, name) or state.add_entity(Entity("actor", name, name, {"Organization"}))
        for span, surface in ((segment.info["name_span"], name), (segment.info["handle_span"], handle)):
            entity.add_mention(span, surface, 0.8)
        segment.info["author"] = entity.key


def _actor_named(state: State, name: str) -> Entity | None:
    key = normalise(name)
    entry = catalog().surface.get(key) or catalog().fuzzy(name, persons=False)
    if entry:
        return catalog_entity(state, entry)
    for entity in state.entities.values():
        if entity.kind == "actor" and any(normalise(n).startswith(key) for n in (entity.label, *entity.alt_labels)):
            return entity
    return None
