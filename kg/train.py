"""Training the learned extraction components (``kg train`` or ``python -m kg.train``).

Reads the public annotated training sets (``--train``, default ``../shared/eval/train``: WikiEvents
and M2E2 for attacks and their arguments, PolNeAR for attributions; see their README), parses them
once with the English pipeline, turns them into ``spacy.training.Example`` objects whose reference
docs carry the gold spans, and trains the four components of :mod:`kg.extract.learned` with the
settings of ``kg/data/train.cfg`` (fixed seed: the same command gives the same weights). Decision
thresholds are tuned on ``--dev`` (WikiEvents dev for attacks, PolNeAR dev for attributions), and
the dev scores of each component go into the model card (``README.md`` and ``meta.json`` beside
the weights). Nothing is copied from the data folders into the output.
"""
from __future__ import annotations

import json
import pickle
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy
from spacy.tokens import Span

from kg.extract import learned
from kg.extract.learned import CUE_KEY, NONE, TRIGGER_KEY

CONFIG_PATH = Path(__file__).resolve().parent / "data" / "train.cfg"
WIKIEVENTS_ROLES = {"Attacker": "perpetrator", "Target": "target", "Victim": "victim", "Place": "place"}
M2E2_ROLES = {"Attacker": "perpetrator", "Target": "target", "Place": "place"}
THRESHOLDS = [0.02, 0.04, 0.06, 0.08] + [round(0.05 * i, 2) for i in range(2, 19)]


class TrainingDataMissing(FileNotFoundError):
    """A training or dev file the command needs is not there."""


# --- reading the annotated data ---------------------------------------------------------------

@dataclass
class Annotated:
    """One text with its gold anchors (triggers or cues) and their arguments, as character spans."""

    text: str
    kind: str  # "attack" or "attribution"
    anchors: list[tuple[int, int]] = field(default_factory=list)
    arguments: list[tuple[int, int, int, str]] = field(default_factory=list)  # (anchor index, start, end, role)
    tagged: list[tuple[int, int]] | None = None  # spans the token tagger learns (default: the anchors)


def _jsonl(path: Path):
    if not path.is_file():
        raise TrainingDataMissing(f"{path}: no such file (give --train/--dev the folders of the annotated JSON Lines)")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc})") from None


def is_attack(event_type: str) -> bool:
    """WikiEvents ``Conflict.Attack`` (any depth) and ACE ``Conflict:Attack``.

    >>> is_attack("Conflict.Attack.DetonateExplode"), is_attack("Conflict:Attack"), is_attack("Life.Die")
    (True, True, False)
    """
    return event_type.replace(":", ".").lower().startswith("conflict.attack")


def event_record(record: dict, roles: dict[str, str]) -> Annotated:
    item = Annotated(record["text"], "attack")
    for event in record.get("events", ()):
        if not is_attack(event["type"]) or not event.get("trigger_char_span"):
            continue
        start, end = event["trigger_char_span"]
        if end <= start:
            continue
        index = len(item.anchors)
        item.anchors.append((start, end))
        for argument in event.get("arguments", ()):
            role = roles.get(argument["role"])
            if role and argument.get("char_span"):
                item.arguments.append((index, *argument["char_span"], role))
    return item


def attribution_record(record: dict) -> Annotated:
    """PolNeAR: each attribution's first cue piece is the anchor; its source pieces are ``source``."""
    item = Annotated(record["text"], "attribution")
    for attribution in record.get("attributions", ()):
        cues = [tuple(span) for part in attribution.get("Cue") or () for span in part["char_spans"]]
        if not cues:
            continue
        index = len(item.anchors)
        item.anchors.append(min(cues))
        item.arguments += [(index, *span, "source") for part in attribution.get("Source") or () for span in part["char_spans"]]
    item.tagged = [tuple(span) for a in record.get("attributions", ()) for part in a.get("Cue") or () for span in part["char_spans"]]
    return item


def unique_docs(records):
    """One reading per PolNeAR article (several annotators read some)."""
    seen = set()
    for record in records:
        if record["doc_id"] not in seen:
            seen.add(record["doc_id"])
            yield record


def attack_data(folder: Path, dev: bool = False) -> list[Annotated]:
    if dev:
        return [event_record(r, WIKIEVENTS_ROLES) for r in _jsonl(folder / "wikievents_dev.jsonl")]
    return [event_record(r, WIKIEVENTS_ROLES) for r in _jsonl(folder / "wikievents_train.jsonl")] + \
        [event_record(r, M2E2_ROLES) for r in _jsonl(folder / "m2e2_train.jsonl")]


def attribution_data(folder: Path, dev: bool = False, limit: int | None = None) -> list[Annotated]:
    name = "polnear_dev.jsonl" if dev else "polnear_train.jsonl"
    items = [attribution_record(r) for r in unique_docs(_jsonl(folder / name))]
    return items[:limit] if limit else items


# --- parsing and examples ---------------------------------------------------------------------

def parse(nlp, items: list[Annotated], cache: Path | None, name: str):
    """Parsed docs for ``items`` (base pipeline only), cached by name when a cache folder is given."""
    from spacy.tokens import Doc

    path = cache / f"{name}-{len(items)}.pickle" if cache else None
    if path and path.is_file():
        return [Doc(nlp.vocab).from_bytes(b) for b in pickle.loads(path.read_bytes())]
    docs = list(nlp.pipe((item.text for item in items), batch_size=32))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps([d.to_bytes() for d in docs]))
    return docs


def examples(docs, items: list[Annotated], key: str, label: str):
    """Examples whose reference holds the gold anchors in ``doc.spans[key]``; the predicted docs
    carry the gold anchors and arguments for the pair scorers (teacher forcing)."""
    from spacy.training import Example

    made = []
    for doc, item in zip(docs, items):
        anchors = [doc.char_span(s, e, alignment_mode="expand") for s, e in item.anchors]
        keep = [i for i, span in enumerate(anchors) if span is not None and len(span)]
        remap = {old: new for new, old in enumerate(keep)}
        gold = {"anchors": [(anchors[i].start, anchors[i].end) for i in keep],
                          "arguments": [(remap[a], s, e, role) for a, s, e, role in item.arguments if a in remap]}
        doc._.ckg_gold = None
        reference = doc.copy()
        doc._.ckg_gold = gold
        tagged = [reference.char_span(s, e, alignment_mode="expand") for s, e in (item.tagged if item.tagged is not None else item.anchors)]
        reference.spans[key] = [Span(reference, t.start, t.end, label=label) for t in tagged if t is not None and len(t)]
        made.append(Example(doc, reference))
    return made


# --- training -----------------------------------------------------------------------------------

def instance_arrays(pipe, examples_):
    """(ids, dense, gold label indices) of every instance of ``examples_`` for ``pipe``."""
    keys, owners, (ids, dense) = pipe.featurize(eg.predicted for eg in examples_)
    by_doc = {}
    for key, owner in zip(keys, owners):
        by_doc.setdefault(owner, []).append(key)
    truth = [label for d, eg in enumerate(examples_) for label in pipe.gold(eg, by_doc.get(d, []))]
    index = {label: i for i, label in enumerate(pipe.labels)}
    return ids, dense, numpy.asarray([index[t] for t in truth], dtype="int64")


def fit(pipe, arrays, dev_arrays, settings: dict, seed: int, log) -> dict:
    """Minibatch training of one component on precomputed instances, keeping the weights of the
    epoch with the best dev F1 (at its best threshold): early stopping on dev."""
    from thinc.api import Adam

    ids, dense, truth = arrays
    optimizer = Adam(settings["learn_rate"])
    rng = numpy.random.RandomState(seed)
    one_hot = numpy.eye(len(pipe.labels), dtype="float32")
    best = (-1.0, None, 0, 0.0)
    for epoch in range(settings["epochs"]):
        order = rng.permutation(len(truth))
        total = 0.0
        for start in range(0, len(order), settings["batch_size"]):
            batch = order[start:start + settings["batch_size"]]
            scores, backprop = pipe.model.begin_update((ids[batch], dense[batch]))
            target = one_hot[truth[batch]]
            backprop((scores - target) / len(batch))
            pipe.model.finish_update(optimizer)
            total += float(-(numpy.log(numpy.clip(scores, 1e-9, 1)) * target).sum())
        loss = total / max(len(truth), 1)
        threshold, dev = tune(pipe, dev_arrays)
        log(f"  {pipe.name}: epoch {epoch + 1}/{settings['epochs']}, loss {loss:.4f}, dev F1 {dev['f1']:.3f} at {threshold}")
        if dev["f1"] > best[0]:
            best = (dev["f1"], pipe.model.to_bytes(), epoch + 1, loss)
    pipe.model.from_bytes(best[1])
    return {"loss": round(best[3], 5), "epoch": best[2], "instances": int(len(truth)), "positives": int((truth != 0).sum())}


def component_settings(settings: dict, name: str) -> dict:
    """The training settings of one component: ``[training]`` with ``[training.components.NAME]`` over it.

    >>> component_settings({"epochs": 3, "batch_size": 512, "components": {"x": {"epochs": 8}}}, "x")
    {'epochs': 8, 'batch_size': 512}
    """
    own = dict(settings.get("components", {}).get(name, {}))
    return {**{k: v for k, v in settings.items() if k != "components"}, **own}


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}


def instance_scores(pipe, arrays, threshold: float) -> dict:
    """P/R/F1 of the non-``none`` decisions of ``pipe`` at ``threshold`` (a decision is right when its label is)."""
    ids, dense, truth = arrays
    scores = pipe.model.predict((ids, dense))
    best = scores[:, 1:].argmax(axis=1) + 1
    decided = scores[numpy.arange(len(best)), best] >= threshold
    tp = int(((best == truth) & decided & (truth != 0)).sum())
    fp = int((decided & (best != truth)).sum())
    fn = int(((truth != 0) & ~(decided & (best == truth))).sum())
    return prf(tp, fp, fn)


def tune(pipe, arrays) -> tuple[float, dict]:
    """The threshold with the best dev F1 (ties: the higher threshold)."""
    results = [(instance_scores(pipe, arrays, t), t) for t in THRESHOLDS]
    best, threshold = max(results, key=lambda r: (r[0]["f1"], r[1]))
    return threshold, best


def build_nlp(config):
    """The English pipeline with the configured learned components added (untrained)."""
    from kg.extract.nlp import english_pipeline

    nlp = english_pipeline()
    nlp.max_length = 2_000_000  # training texts are trusted and some articles are long
    for name in config["nlp"]["pipeline"]:
        settings = dict(config["components"][name])
        factory = settings.pop("factory")
        nlp.add_pipe(factory, name=name, config=settings)
    return nlp


PLAN = {  # component → (data kind, spans key of its anchors, anchor label)
    "ckg_attack_triggers": ("attack", TRIGGER_KEY, "attack"),
    "ckg_attack_arguments": ("attack", TRIGGER_KEY, "attack"),
    "ckg_attribution_cues": ("attribution", CUE_KEY, "cue"),
    "ckg_attribution_sources": ("attribution", CUE_KEY, "cue"),
}


def train(train_dir: Path, dev_dir: Path, output: Path, config_path: Path = CONFIG_PATH, cache: Path | None = None,
          limit: int | None = None, log=print) -> dict:
    """Train every configured component and write the weights and the model card to ``output``."""
    from spacy.util import fix_random_seed, load_config

    started = time.perf_counter()
    config = load_config(config_path, interpolate=True)
    settings, seed = config["training"], config["system"]["seed"]
    fix_random_seed(seed)
    nlp = build_nlp(config)
    base = nlp.select_pipes(disable=list(config["nlp"]["pipeline"]))
    attack_train, attack_dev = attack_data(train_dir), attack_data(dev_dir, dev=True)
    attribution_train, attribution_dev = attribution_data(train_dir, limit=settings["polnear_articles"]), attribution_data(dev_dir, dev=True)
    if limit:
        attack_train, attack_dev, attribution_train, attribution_dev = attack_train[:limit], attack_dev[:limit], attribution_train[:limit], attribution_dev[:limit]
    log(f"parsing {len(attack_train) + len(attack_dev) + len(attribution_train) + len(attribution_dev)} texts")
    docs = {name: parse(nlp, items, cache, name) for name, items in
            (("attack-train", attack_train), ("attack-dev", attack_dev), ("attribution-train", attribution_train), ("attribution-dev", attribution_dev))}
    base.restore()
    log(f"parsed in {time.perf_counter() - started:.0f} s")
    # political news (PolNeAR) stands for text without attacks in training; not in tuning, where its
    # unannotated reports of real attacks (2016 coverage) would count as false alarms
    negatives = settings["polnear_negatives"] if not limit else max(1, limit // 4)
    quiet = lambda items: [Annotated(item.text, "attack") for item in items]  # noqa: E731
    data = {
        "attack": (attack_train + quiet(attribution_train[:negatives]), attack_dev),
        "attribution": (attribution_train, attribution_dev),
    }
    parsed = {
        "attack": (docs["attack-train"] + docs["attribution-train"][:negatives], docs["attack-dev"] + docs["attribution-dev"]),
        "attribution": (docs["attribution-train"], docs["attribution-dev"]),
    }
    card = {"components": {}, "seed": seed, "config": config_path.name}
    for name in config["nlp"]["pipeline"]:
        kind, key, label = PLAN[name]
        (train_items, dev_items), (train_docs, dev_docs) = data[kind], parsed[kind]
        pipe = nlp.get_pipe(name)
        pipe.initialize(lambda: [])
        train_arrays = instance_arrays(pipe, examples(train_docs, train_items, key, label))
        dev_arrays = instance_arrays(pipe, examples(dev_docs, dev_items, key, label))
        fitted = fit(pipe, train_arrays, dev_arrays, component_settings(settings, name), seed, log)
        threshold, dev = tune(pipe, dev_arrays)
        pipe.cfg["threshold"] = threshold
        card["components"][name] = {"train": fitted, "dev": dev, "threshold": threshold,
                                    "train_texts": len(train_items), "dev_texts": len(dev_items)}
        log(f"{name}: dev P/R/F1 {dev['precision']:.3f}/{dev['recall']:.3f}/{dev['f1']:.3f} at threshold {threshold}")
    for doc in (d for group in docs.values() for d in group):
        doc._.ckg_gold = None
    card["seconds"] = round(time.perf_counter() - started, 1)
    save(nlp, config, output, card)
    return card


def save(nlp, config, output: Path, card: dict) -> None:
    """Each component's weights in ``output/<name>/``, the config, and the model card."""
    output.mkdir(parents=True, exist_ok=True)
    for name in config["nlp"]["pipeline"]:
        nlp.get_pipe(name).to_disk(output / name)
    config.to_disk(output / "config.cfg")
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file() and p.name not in ("meta.json", "README.md"))
    card["size_bytes"] = size
    card["pipeline"] = list(config["nlp"]["pipeline"])
    (output / "meta.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    (output / "README.md").write_text(model_card(card), encoding="utf-8")


def model_card(card: dict) -> str:
    rows = "\n".join(
        f"| `{name}` | {c['train_texts']} texts, {c['train']['instances']} instances ({c['train']['positives']} positive) | "
        f"{c['dev']['precision']:.3f} / {c['dev']['recall']:.3f} / {c['dev']['f1']:.3f} | {c['threshold']} |"
        for name, c in card["components"].items())
    return f"""# ckg_en: learned extraction components

Trained by `kg train` (kg/train.py) with `config.cfg` (seed {card['seed']}) in {card['seconds']} s on CPU;
{card['size_bytes'] / 1e6:.1f} MB of weights. Added after the English pipeline's `ner`; each reads the
parse and `doc.tensor`.

## Data
- Attack triggers and arguments: WikiEvents train (KAIROS `Conflict.Attack`; roles Attacker →
  perpetrator, Target, Victim, Place) and M2E2 (ACE `Conflict:Attack`; Attacker, Target, Place), with
  every sentence without an attack as negatives, plus PolNeAR political articles as documents without
  attacks.
- Attribution cues and sources: PolNeAR train (one annotator's reading per article).
- Dev (thresholds and the scores below): WikiEvents dev, PolNeAR dev. Nothing of the data is stored here.

## Dev scores per component
Instance level: a trigger or cue token right, or an (anchor, candidate) pair with the right role,
anchors being the gold triggers and cues. End-to-end figures through the graph are in `bench/quality.py`.

| component | trained on | dev P / R / F1 | threshold |
|---|---|---|---|
{rows}

## Limits
English news only; trained on 2010s attack coverage (WikiEvents), VOA news (M2E2) and 2016 US
political news (PolNeAR). Attack subtypes come from the trigger's words and instrument (rules), not from
this model. Arguments are sought in the trigger's sentence only.
"""


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="kg train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, default=Path("../shared/eval/train"))
    parser.add_argument("--dev", type=Path, default=Path("../shared/eval/dev"))
    parser.add_argument("--output", type=Path, default=learned.MODEL_DIR)
    parser.add_argument("--config", type=Path, default=CONFIG_PATH)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    train(args.train, args.dev, args.output, args.config, args.cache, args.limit)


if __name__ == "__main__":
    main()
