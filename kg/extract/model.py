"""What the extractor builds while it reads one article: the state that components share.

Offsets are Python ``str`` offsets (Unicode code points) into the article text as stored; nothing
here ever rewrites the text.

Confidence scale (``ckg:confidence``, 0..1): 0.95 an exact match in a curated list or gazetteer
with no rival reading; 0.8-0.9 a resolved rule match (demonym phrases, gazetteer with context);
0.6-0.75 fuzzy matches, coreference and facts with missing arguments; below 0.6 weak cues.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass
class Segment:
    """A line or paragraph of the text, with what kind of text it is.

    ``kind`` is ``body``, ``title``, ``tweet`` (an embedded post: mined for claims only) or a
    boilerplate kind (``age-notice``, ``photo-credit``, ``teaser``, ``follow``, ``watch``...), which
    are never mined.
    """

    start: int
    end: int
    kind: str = "body"
    info: dict = field(default_factory=dict)

    @property
    def mined(self) -> bool:
        return self.kind in ("body", "title", "tweet")


@dataclass
class Sentence:
    """One parsed sentence; ``base`` maps spaCy character indices back to article offsets."""

    index: int
    span: Any  # spacy Span
    base: int
    segment: Segment
    ents: tuple = ()  # the sentence's named entities (spaCy recomputes Span.ents on every access)

    @property
    def start(self) -> int:
        return self.base + self.span.start_char

    @property
    def end(self) -> int:
        return self.base + self.span.end_char

    def offsets(self, token_or_span) -> Span:
        """Article offsets of a spaCy token or span of this sentence."""
        if hasattr(token_or_span, "idx"):
            return self.base + token_or_span.idx, self.base + token_or_span.idx + len(token_or_span.text)
        return self.base + token_or_span.start_char, self.base + token_or_span.end_char


@dataclass
class Entity:
    """An actor or a place, with every surface form and mention the article uses for it."""

    kind: str  # "actor" or "place"
    key: str  # stable key for kg.iris.mint
    label: str
    types: set[str] = field(default_factory=set)  # CKG class names
    alt_labels: set[str] = field(default_factory=set)
    mentions: list[Span] = field(default_factory=list)
    confidence: float = 0.5
    props: dict = field(default_factory=dict)

    def add_mention(self, span: Span, surface: str, confidence: float) -> None:
        if span not in self.mentions:
            self.mentions.append(span)
        surface = " ".join(surface.split())  # a name, not an offset: no-break spaces and newlines fold
        if surface and surface != self.label:
            self.alt_labels.add(surface)
        self.confidence = max(self.confidence, confidence)


@dataclass
class Ref:
    """One resolved mention: characters ``span`` of sentence ``sent`` name entity ``key``."""

    span: Span
    kind: str
    key: str
    sent: int
    tokens: tuple[int, int]  # token indices within the sentence's doc (start, end)
    how: str = "name"  # name, alias, fuzzy, demonym, coref, gazetteer...


@dataclass
class Loss:
    equipment: str
    count: int
    how: str  # "destroyed" or "damaged"


@dataclass
class Attack:
    """One attack as the article tells it, possibly merged from several mentions."""

    type: str  # CKG class name: Airstrike, Shelling, ... or Attack
    sentences: list[int] = field(default_factory=list)
    trigger: Span | None = None
    perpetrators: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    victims: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # ISO dates or years
    killed: list[int] = field(default_factory=list)  # own figure, else the lowest claimed (ACLED)
    injured: list[int] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    own_killed: list[int] = field(default_factory=list)  # the article's own (unattributed) figures only
    own_injured: list[int] = field(default_factory=list)
    figure_sentences: list[int] = field(default_factory=list)  # the sentences stating the own figures
    passing: bool = False  # a past event mentioned in passing: asserted only through claims
    strong: bool = False
    confidence: float = 0.5


@dataclass
class Claim:
    """An attributed statement: who says it, what it is about, the figures it states."""

    sentence: int
    span: Span
    source: str  # actor key
    cue: str
    attacks: list[int] = field(default_factory=list)  # indices into State.attacks
    about: str | None = None  # entity key when no attack
    killed: list[int] = field(default_factory=list)
    injured: list[int] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    confidence: float = 0.8
    on_behalf_of: str | None = None  # the group an unnamed spokesman or official speaks for


@dataclass
class State:
    """Everything the components share while reading one article."""

    text: str
    meta: dict
    inferred: set[str] = field(default_factory=set)
    article_key: str = ""
    segments: list[Segment] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)
    attacks: list[Attack] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    sentence_figures: dict[int, dict] = field(default_factory=dict)  # sentence → killed/injured/losses
    notes: dict = field(default_factory=dict)  # component scratch space (acronyms, handles, ...)
    _refs_by_sent: dict[int, list[Ref]] = field(default_factory=dict)

    def add_ref(self, ref: Ref) -> Ref:
        self.refs.append(ref)
        self._refs_by_sent.setdefault(ref.sent, []).append(ref)
        return ref

    def entity(self, kind: str, key: str) -> Entity | None:
        return self.entities.get((kind, key))

    def add_entity(self, entity: Entity) -> Entity:
        """Register ``entity`` or return the one already registered under its key."""
        found = self.entities.get((entity.kind, entity.key))
        if found is None:
            self.entities[(entity.kind, entity.key)] = entity
            return entity
        found.types |= entity.types
        for k, v in entity.props.items():
            found.props.setdefault(k, v)
        return found

    def refs_in(self, sent: int, kind: str | None = None) -> list[Ref]:
        return [r for r in self._refs_by_sent.get(sent, ()) if kind is None or r.kind == kind]

    def ref_at(self, sent: int, token_i: int, kind: str | None = None) -> Ref | None:
        """The resolved mention covering token ``token_i`` of sentence ``sent``."""
        for ref in self._refs_by_sent.get(sent, ()):
            if ref.tokens[0] <= token_i < ref.tokens[1] and (kind is None or ref.kind == kind):
                return ref
        return None

    def covered(self, span: Span, sent: int | None = None) -> bool:
        refs = self.refs if sent is None else self._refs_by_sent.get(sent, ())
        return any(r.span[0] < span[1] and span[0] < r.span[1] for r in refs)
