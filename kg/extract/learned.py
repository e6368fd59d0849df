"""Trained spaCy components: attack triggers, their arguments, attribution cues and their sources.

Four ``Language.factory`` components, added after the English pipeline's ``ner`` (see
:func:`kg.extract.nlp.load_model`); each reads the parse and the shared ``tok2vec`` output
(``doc.tensor``), so none of them runs a network of its own over the text:

- ``ckg_attack_triggers`` (:class:`TokenTagger`): which tokens report an attack →
  ``doc.spans["ckg_attack_triggers"]`` (one span per run of positive tokens, label ``attack``),
  each with ``Span._.ckg_trigger_probability``;
- ``ckg_attack_arguments`` (:class:`PairScorer`): for each trigger, which candidate phrase of its
  sentence (noun chunks, named entities) is its perpetrator, target, victim or place →
  ``Span._.ckg_arguments`` on the trigger: ``[(role, candidate span, probability), ...]``;
- ``ckg_attribution_cues`` (:class:`TokenTagger`): words that attribute a statement ("said",
  "according to", "told") → ``doc.spans["ckg_attribution_cues"]``, with ``Span._.ckg_cue_probability``;
- ``ckg_attribution_sources`` (:class:`PairScorer`): for each cue, the phrase naming who speaks →
  ``Span._.ckg_sources`` on the cue: ``[("source", span, probability)]``.

Every component classifies *instances* (a token, or an anchor–candidate pair) with the same small
network, :func:`instance_classifier`: hashed symbolic features (lemmas, dependency labels, the
path between anchor and candidate) embedded with ``HashEmbed``, concatenated with ``doc.tensor``
rows, then a ReLU layer and a softmax. "Nothing here" is a label like the others and is learned
from the sentences without events. Trained by :mod:`kg.train`; weights under ``kg/models/``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.training import Example
from thinc.api import Model, Relu, Softmax, chain, HashEmbed
from thinc.types import Floats2d

import spacy

NONE = "none"
TRIGGER_KEY = "ckg_attack_triggers"
ARGUMENTS = "ckg_attack_arguments"
CUE_KEY = "ckg_attribution_cues"
ROLES = ("perpetrator", "target", "victim", "place")

# Span extensions are stored per (name, offsets): a word can be both a trigger and a cue
# ("attacked"), so each component writes attributes of its own.
SPAN_ATTRIBUTES = ("ckg_arguments", "ckg_sources", "ckg_trigger_probability", "ckg_cue_probability")
for _name in SPAN_ATTRIBUTES:
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
if not Doc.has_extension("ckg_token_scores"):
    Doc.set_extension("ckg_token_scores", default=None)  # spans key → {token index: probability of its best label}
if not Doc.has_extension("ckg_gold"):
    Doc.set_extension("ckg_gold", default=None)  # training only: {"anchors": [...], "arguments": [...]}


# --- the network --------------------------------------------------------------------------------

@spacy.registry.architectures("ckg.InstanceClassifier.v1")
def instance_classifier(n_slots: int, n_dense: int, n_labels: int, embed_width: int = 32, n_rows: int = 50_000,
                        hidden: int = 128, dropout: float = 0.1) -> Model:
    """(hashed feature ids ``(N, n_slots)``, dense features ``(N, n_dense)``) → label probabilities ``(N, n_labels)``."""
    embed = HashEmbed(embed_width, n_rows, seed=7)
    mlp = chain(Relu(hidden, n_slots * embed_width + n_dense, dropout=dropout), Softmax(n_labels, hidden))
    return Model("ckg_instances", _instances_forward, layers=[embed, mlp], init=_instances_init,
                 dims={"slots": n_slots, "dense": n_dense, "width": embed_width})


def _instances_init(model: Model, X=None, Y=None) -> Model:
    embed, mlp = model.layers
    embed.initialize()
    mlp.initialize()
    return model


def _instances_forward(model: Model, inputs, is_train: bool):
    ids, dense = inputs
    embed, mlp = model.layers
    n, slots, width = dense.shape[0], model.get_dim("slots"), model.get_dim("width")
    vectors, embed_backprop = embed(ids.reshape(-1), is_train)
    hidden_in = model.ops.xp.hstack([vectors.reshape(n, slots * width), dense])
    scores, mlp_backprop = mlp(hidden_in, is_train)

    def backprop(d_scores: Floats2d):
        d_in = mlp_backprop(d_scores)
        embed_backprop(model.ops.as_contig(d_in[:, : slots * width].reshape(n * slots, width)))
        return inputs

    return scores, backprop


# --- features -----------------------------------------------------------------------------------

def _ids(features: list[str]) -> list[int]:
    return [get_string_id(f) for f in features]


def _lemma(tok) -> str:
    return tok.lemma_.lower()


def token_features(tok) -> list[str]:
    """Symbolic features of one token in its parse (a fixed number of slots).

    >>> import spacy; nlp = spacy.blank("en"); doc = nlp("Jets bombed Raqqa")
    >>> len(token_features(doc[1])) == TOKEN_SLOTS
    True
    """
    doc, i = tok.doc, tok.i
    prev = doc[i - 1] if i > 0 else None
    nxt = doc[i + 1] if i + 1 < len(doc) else None
    mods = sorted(_lemma(c) for c in tok.children if c.dep_ in ("amod", "compound", "nmod"))[:2]
    args = sorted(f"{c.dep_}={_lemma(c)}" for c in tok.children if c.dep_ in ("nsubj", "nsubjpass", "dobj", "agent", "prep"))[:3]
    return [
        f"w={tok.lower_}", f"l={_lemma(tok)}", f"lp={_lemma(tok)}|{tok.tag_}", f"pd={tok.pos_}|{tok.dep_}",
        f"h={_lemma(tok.head)}|{tok.dep_}", f"hp={tok.head.pos_}", f"p={_lemma(prev) if prev else '<s>'}",
        f"n={_lemma(nxt) if nxt else '</s>'}", f"pn={prev.lower_ if prev else '<s>'}|{_lemma(tok)}",
        f"m0={mods[0] if mods else '-'}", f"m1={mods[1] if len(mods) > 1 else '-'}",
        f"a0={args[0] if args else '-'}", f"a1={args[1] if len(args) > 1 else '-'}", f"a2={args[2] if len(args) > 2 else '-'}",
        f"e={tok.ent_type_ or '-'}", f"s={tok.lower_[-3:]}", f"neg={any(c.dep_ == 'neg' for c in tok.children)}",
        f"cc={any(c.dep_ in ('ccomp', 'parataxis') for c in tok.children)}|{tok.pos_}",
        f"lex={_lexicon(tok)}", f"lexh={_lexicon(tok.head)}|{tok.dep_}",
    ]


TOKEN_SLOTS = 20


def _lexicon(tok) -> str:
    """What the rules' word lists say of a token: an attack word (and its class), a speech verb, nothing."""
    from kg.extract.attacks import NOUN_TRIGGERS, VERB_TRIGGERS
    from kg.extract.claims import SAY_VERBS

    lemma = tok.lemma_.lower()
    entry = (VERB_TRIGGERS if tok.pos_ == "VERB" else NOUN_TRIGGERS).get(lemma)
    if entry:
        return f"{entry[0]}{'!' if entry[1] else ''}"
    return "say" if lemma in SAY_VERBS else "-"


def dense_token(tensor, tok, sentence_means: dict) -> numpy.ndarray:
    """The token's and its head's ``tok2vec`` rows, and the mean row of its sentence."""
    return numpy.concatenate([tensor[tok.i], tensor[tok.head.i], sentence_means[tok.i]])


def sentence_means(doc: Doc, tensor) -> dict[int, numpy.ndarray]:
    """Token index → the mean ``tok2vec`` row of its sentence."""
    means = {}
    for sent in doc.sents:
        mean = tensor[sent.start:sent.end].mean(axis=0)
        for i in range(sent.start, sent.end):
            means[i] = mean
    return means


def _path(anchor, cand) -> str:
    """Dependency labels from the candidate up to the lowest common governor, then down to the anchor."""
    up_a = [anchor] + list(anchor.ancestors)
    up_c = [cand] + list(cand.ancestors)
    common = next((t for t in up_c if t in up_a), None)
    if common is None:
        return "none"
    left = [t.dep_ for t in up_c[: up_c.index(common)]]
    right = [t.dep_ for t in up_a[: up_a.index(common)]]
    if len(left) + len(right) > 5:
        return "long"
    return "^".join(left) + "|" + _lemma(common) * (common is not anchor) + "|" + "v".join(reversed(right))


def _path_labels(anchor, cand) -> str:
    path = _path(anchor, cand)
    parts = path.split("|")
    return parts[0] + "||" + parts[-1] if len(parts) == 3 else path


def pair_features(anchor: Span, cand: Span) -> list[str]:
    """Symbolic features of an (anchor, candidate) pair: what the candidate is, how it hangs on the anchor."""
    a, c = anchor.root, cand.root
    gap = c.i - a.i
    distance = "0" if gap == 0 else ("-" if gap < 0 else "+") + str(min(abs(gap) // 3, 5))
    prep = c.head.lower_ if c.dep_ == "pobj" else "-"
    path = _path(a, c)
    return [
        f"al={_lemma(a)}", f"cl={_lemma(c)}", f"cd={c.dep_}", f"ch={_lemma(c.head)}|{c.dep_}", f"ce={c.ent_type_ or '-'}",
        f"ct={c.tag_}", f"path={path}", f"pathl={_path_labels(a, c)}", f"alp={_lemma(a)}|{_path_labels(a, c)}",
        f"prep={prep}", f"aprep={_lemma(a)}|{prep}", f"dist={distance}", f"ce|path={c.ent_type_}|{_path_labels(a, c)}",
        f"pron={c.pos_ == 'PRON'}", f"ap={a.pos_}", f"cw={c.lower_}", f"cdet={next((t.lower_ for t in c.children if t.dep_ == 'det'), '-')}",
        f"gov={_lemma(c.head.head)}|{c.head.dep_}" if c.dep_ == "pobj" else "gov=-",
    ]


PAIR_SLOTS = 18


def dense_pair(tensor, anchor: Span, cand: Span) -> numpy.ndarray:
    return numpy.concatenate([tensor[anchor.root.i], tensor[cand.root.i], tensor[cand.start:cand.end].mean(axis=0)])


def candidates(sentence: Span) -> list[Span]:
    """Phrases that can fill a role: noun chunks and the named entities outside them."""
    doc = sentence.doc
    found = [c for c in doc.noun_chunks if sentence.start <= c.start and c.end <= sentence.end] if doc.has_annotation("DEP") else []
    taken = {t for c in found for t in range(c.start, c.end)}
    found += [e for e in sentence.ents if not any(t in taken for t in range(e.start, e.end))]
    return sorted(found, key=lambda s: s.start)


def _tensor(doc: Doc) -> numpy.ndarray:
    tensor = doc.tensor
    if tensor is None or getattr(tensor, "shape", (0,))[0] != len(doc):
        raise ValueError("the learned components need doc.tensor from the pipeline's tok2vec; add them after it")
    return numpy.asarray(tensor, dtype="float32")


# --- components ---------------------------------------------------------------------------------

class InstancePipe(TrainablePipe):
    """A component that classifies instances built from each doc; subclasses say what an instance is."""

    slots = 0

    def __init__(self, vocab, model: Model, name: str, labels: list[str], threshold: float):
        self.vocab, self.model, self.name = vocab, model, name
        self.cfg = {"labels": [NONE, *[label for label in labels if label != NONE]], "threshold": threshold}

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    # instances: subclasses return (keys, symbolic features, dense rows) for one doc
    def instances(self, doc: Doc) -> tuple[list, list[list[str]], list[numpy.ndarray]]:
        raise NotImplementedError

    def gold(self, example: Example, keys: list) -> list[str]:
        raise NotImplementedError

    def featurize(self, docs: Iterable[Doc]):
        keys, ids, dense, owners = [], [], [], []
        for d, doc in enumerate(docs):
            k, feats, rows = self.instances(doc)
            keys += k
            owners += [d] * len(k)
            ids += [_ids(f) for f in feats]
            dense += rows
        return keys, owners, self.arrays(ids, dense)

    def arrays(self, ids: list[list[int]], dense: list[numpy.ndarray]):
        """The model's input: hashed feature ids ``(N, slots)`` and dense rows ``(N, dense)``."""
        ids_array = numpy.asarray(ids, dtype="uint64").reshape(len(ids), self.slots)
        dense_array = numpy.asarray(dense, dtype="float32").reshape(len(dense), self.model.get_dim("dense"))
        return ids_array, dense_array

    def predict(self, docs):
        docs = list(docs)
        keys, owners, inputs = self.featurize(docs)
        scores = self.model.predict(inputs) if keys else numpy.zeros((0, len(self.labels)), dtype="float32")
        return keys, owners, scores

    def decide(self, row) -> tuple[str, float] | None:
        """The label of one instance: the best non-``none`` label if its probability reaches the threshold."""
        best = int(numpy.argmax(row[1:])) + 1
        return (self.labels[best], float(row[best])) if row[best] >= self.cfg["threshold"] else None

    def decide_all(self, row) -> list[tuple[str, float]]:
        """Every non-``none`` label whose probability reaches the threshold, best first: a phrase can
        fill two roles ("the market" is where the bomb went off and what it hit)."""
        found = [(self.labels[i], float(row[i])) for i in range(1, len(row)) if row[i] >= self.cfg["threshold"]]
        return sorted(found, key=lambda x: -x[1])

    def update(self, examples, *, drop: float = 0.0, sgd=None, losses=None):
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        keys, owners, inputs = self.featurize(eg.predicted for eg in examples)
        if not keys:
            return losses
        by_doc = {}
        for key, owner in zip(keys, owners):
            by_doc.setdefault(owner, []).append(key)
        truth = [label for d, eg in enumerate(examples) for label in self.gold(eg, by_doc.get(d, []))]
        scores, backprop = self.model.begin_update(inputs)
        loss, d_scores = self.get_loss(truth, scores)
        backprop(d_scores)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, truth: list[str], scores):
        index = {label: i for i, label in enumerate(self.labels)}
        target = numpy.zeros_like(scores)
        target[numpy.arange(len(truth)), [index[t] for t in truth]] = 1.0
        d_scores = (scores - target) / len(truth)
        loss = float(-(numpy.log(numpy.clip(scores, 1e-9, 1.0)) * target).sum() / len(truth))
        return loss, d_scores

    def initialize(self, get_examples: Callable, *, nlp=None, labels=None):
        self.model.initialize()

    def to_disk(self, path, *, exclude=tuple()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "cfg.json").write_text(json.dumps(self.cfg, indent=2), encoding="utf-8")
        self.model.to_disk(path / "model")

    def from_disk(self, path, *, exclude=tuple()):
        path = Path(path)
        self.cfg.update(json.loads((path / "cfg.json").read_text(encoding="utf-8")))
        self.model.from_disk(path / "model")
        return self


class TokenTagger(InstancePipe):
    """Each candidate token is ``none`` or a label; runs of labelled tokens become spans in ``doc.spans[key]``."""

    slots = TOKEN_SLOTS

    def __init__(self, vocab, model, name, labels, threshold, spans_key: str, pos: list[str], attribute: str,
                 alone_threshold: float | None = None):
        super().__init__(vocab, model, name, labels, threshold)
        self.cfg.update({"spans_key": spans_key, "pos": list(pos), "attribute": attribute, "alone_threshold": alone_threshold})

    def instances(self, doc):
        tensor = _tensor(doc)
        pos = set(self.cfg["pos"])
        toks = [t for t in doc if t.pos_ in pos]
        means = sentence_means(doc, tensor) if toks else {}
        return [t.i for t in toks], [token_features(t) for t in toks], [dense_token(tensor, t, means) for t in toks]

    def gold(self, example, keys):
        """A token has the label of the reference span it overlaps (by characters, so any tokenization aligns)."""
        spans = [(s.start_char, s.end_char, s.label_) for s in example.reference.spans.get(self.cfg["spans_key"], ())]
        doc = example.predicted
        labels = []
        for i in keys:
            start, end = doc[i].idx, doc[i].idx + len(doc[i])
            labels.append(next((label for s, e, label in spans if start < e and s < end), NONE))
        return labels

    def set_annotations(self, docs, predictions):
        keys, owners, scores = predictions
        docs = list(docs)
        hits = {d: [] for d in range(len(docs))}
        token_scores = {d: {} for d in range(len(docs))}
        for i, owner, row in zip(keys, owners, scores):
            token_scores[owner][i] = float(row[1:].max())
            decided = self.decide(row)
            if decided:
                hits[owner].append((i, *decided))
        for d, doc in enumerate(docs):
            doc.spans[self.cfg["spans_key"]] = _runs(doc, hits[d], self.cfg["attribute"])
            if doc._.ckg_token_scores is None:
                doc._.ckg_token_scores = {}
            doc._.ckg_token_scores[self.cfg["spans_key"]] = token_scores[d]


def _runs(doc: Doc, hits: list[tuple[int, str, float]], attribute: str) -> list[Span]:
    """Adjacent tokens with the same label as one span, with the highest probability among them."""
    runs = []
    for i, label, p in sorted(hits):
        if runs and runs[-1][1] == i and runs[-1][2] == label:
            runs[-1][1], runs[-1][3] = i + 1, max(runs[-1][3], p)
        else:
            runs.append([i, i + 1, label, p])
    spans = []
    for start, end, label, p in runs:
        span = Span(doc, start, end, label=label)
        span._.set(attribute, round(p, 4))
        spans.append(span)
    return spans


class PairScorer(InstancePipe):
    """For each anchor span in ``doc.spans[anchor_key]``, each candidate phrase of its sentence is
    ``none`` or a role; the decided roles go to the anchor's span attribute (``cfg["attribute"]``)."""

    slots = PAIR_SLOTS

    def __init__(self, vocab, model, name, labels, threshold, anchor_key: str, max_per_role: int, attribute: str,
                 multi_role: bool = False):
        super().__init__(vocab, model, name, labels, threshold)
        self.cfg.update({"anchor_key": anchor_key, "max_per_role": max_per_role, "attribute": attribute, "multi_role": multi_role})

    def anchors(self, doc: Doc) -> list[Span]:
        gold = doc._.ckg_gold
        if gold is not None:
            return [doc[start:end] for start, end in gold["anchors"]]
        return list(doc.spans.get(self.cfg["anchor_key"], ()))

    def instances(self, doc):
        return self._pairs(doc, self.anchors(doc))

    def gold(self, example, keys):
        """A candidate has the role of the gold argument it covers the head of (else the first it overlaps)."""
        arguments = example.predicted._.ckg_gold["arguments"]  # [(anchor index, start char, end char, role)]
        doc = example.predicted
        labels = []
        for a, start, end in keys:
            span = doc[start:end]
            label = NONE
            for anchor_index, s, e, role in arguments:
                if anchor_index == a and span.start_char < e and s < span.end_char:
                    label = role
                    if s <= span.root.idx < e:
                        break
            labels.append(label)
        return labels

    def set_annotations(self, docs, predictions):
        keys, owners, scores = predictions
        docs = list(docs)
        found = self._found(keys, owners, scores)
        for d, doc in enumerate(docs):
            for a, anchor in enumerate(self.anchors(doc)):
                anchor._.set(self.cfg["attribute"], self._choose(doc, found.get((d, a), ())))

    def score_anchors(self, doc: Doc, anchors: list[Span]) -> list[list[tuple[str, Span, float]]]:
        """The decided roles of the candidates of each of ``anchors`` (spans of ``doc`` the component
        did not see, such as the rules' triggers), without touching ``doc``'s annotations."""
        keys, feats, rows = self._pairs(doc, anchors)
        if not keys:
            return [[] for _ in anchors]
        found = self._found(keys, [0] * len(keys), self.model.predict(self.arrays([_ids(f) for f in feats], rows)))
        return [self._choose(doc, found.get((0, a), ())) for a in range(len(anchors))]

    def _pairs(self, doc: Doc, anchors: list[Span]):
        tensor = _tensor(doc)
        keys, feats, rows = [], [], []
        for a, anchor in enumerate(anchors):
            for cand in candidates(anchor.sent):
                if cand.start <= anchor.root.i < cand.end:
                    continue
                keys.append((a, cand.start, cand.end))
                feats.append(pair_features(anchor, cand))
                rows.append(dense_pair(tensor, anchor, cand))
        return keys, feats, rows

    def _found(self, keys, owners, scores) -> dict:
        found = {}
        for (a, start, end), owner, row in zip(keys, owners, scores):
            labels = self.decide_all(row) if self.cfg.get("multi_role") else [d for d in [self.decide(row)] if d]
            for label, p in labels:
                found.setdefault((owner, a), []).append((label, start, end, p))
        return found

    def _choose(self, doc: Doc, found) -> list[tuple[str, Span, float]]:
        """The most probable candidates, at most ``max_per_role`` of each role."""
        chosen, per_role = [], {}
        for role, start, end, p in sorted(found, key=lambda x: -x[3]):
            if per_role.get(role, 0) < self.cfg["max_per_role"]:
                per_role[role] = per_role.get(role, 0) + 1
                chosen.append((role, doc[start:end], p))
        return chosen


# --- factories ----------------------------------------------------------------------------------

TAGGER_POS = ["NOUN", "VERB", "PROPN", "ADJ"]
CUE_POS = ["VERB", "NOUN", "ADP", "ADV", "ADJ", "PROPN", "AUX", "PART", "SCONJ"]


def _model_config(n_slots: int, n_dense: int, n_labels: int) -> dict:
    return {"@architectures": "ckg.InstanceClassifier.v1", "n_slots": n_slots, "n_dense": n_dense, "n_labels": n_labels}


@Language.factory("ckg_attack_triggers", default_config={
    "model": _model_config(TOKEN_SLOTS, 288, 2), "threshold": 0.5, "labels": ["attack"], "pos": TAGGER_POS,
    "alone_threshold": None})
def make_attack_triggers(nlp, name, model, threshold, labels, pos, alone_threshold):
    """``alone_threshold``: what a trigger needs where the rules find no attack (read by the
    ``learned-attacks`` step; tuned on dev with ``bench/quality.py``, not by ``kg train``)."""
    return TokenTagger(nlp.vocab, model, name, labels, threshold, TRIGGER_KEY, pos, "ckg_trigger_probability", alone_threshold)


@Language.factory("ckg_attack_arguments", default_config={
    "model": _model_config(PAIR_SLOTS, 288, 1 + len(ROLES)), "threshold": 0.5, "labels": list(ROLES), "max_per_role": 2,
    "multi_role": False})
def make_attack_arguments(nlp, name, model, threshold, labels, max_per_role, multi_role):
    return PairScorer(nlp.vocab, model, name, labels, threshold, TRIGGER_KEY, max_per_role, "ckg_arguments", multi_role)


@Language.factory("ckg_attribution_cues", default_config={
    "model": _model_config(TOKEN_SLOTS, 288, 2), "threshold": 0.5, "labels": ["cue"], "pos": CUE_POS})
def make_attribution_cues(nlp, name, model, threshold, labels, pos):
    return TokenTagger(nlp.vocab, model, name, labels, threshold, CUE_KEY, pos, "ckg_cue_probability")


@Language.factory("ckg_attribution_sources", default_config={
    "model": _model_config(PAIR_SLOTS, 288, 2), "threshold": 0.5, "labels": ["source"], "max_per_role": 1})
def make_attribution_sources(nlp, name, model, threshold, labels, max_per_role):
    return PairScorer(nlp.vocab, model, name, labels, threshold, CUE_KEY, max_per_role, "ckg_sources")


COMPONENTS = ("ckg_attack_triggers", "ckg_attack_arguments", "ckg_attribution_cues", "ckg_attribution_sources")
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "ckg_en"


class ModelNotTrained(FileNotFoundError):
    """The trained components are not where the package expects them."""


def load_components(nlp, model_dir: Path = MODEL_DIR):
    """Add the trained components of ``model_dir`` (in its ``config.cfg`` order) to ``nlp``."""
    from spacy.util import load_config

    config_path = model_dir / "config.cfg"
    if not config_path.is_file():
        raise ModelNotTrained(f"{model_dir}: no trained components (run `kg train`, or use --pipeline rules)")
    config = load_config(config_path)
    for name in config["nlp"]["pipeline"]:
        settings = dict(config["components"][name])
        factory = settings.pop("factory")
        nlp.add_pipe(factory, name=name, config=settings).from_disk(model_dir / name)
    return nlp
