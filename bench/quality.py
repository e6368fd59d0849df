"""Extraction quality on public annotated data: `python bench/quality.py [--eval-dir DIR] [--data DIR] [--limit N] [--pipelines rules,learned] [--only fakes] [--json]`.

Follows the held-out protocol of ``../shared/eval/README.md``: every document is written as a plain-text
article with a sidecar holding only its title (if any) and a unique url (no publication date), ingested
with ``kg ingest`` into a temporary store, once per pipeline (``--pipelines``: the rule-based baseline
and the learned pipeline score the same articles in one run, side by side), and read back with ``kg
query`` through the public ``ckg:`` terms; each predicted fact's evidence mention is mapped to its
document by ``ckg:inArticle``, ``dcterms:source`` and its character offsets. The measures and their
rules are in ``bench/README.md``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import functools
import json
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import eval_dir, kg_select, run_kg  # noqa: E402

DEV_SETS = "dev"  # under the evaluation folder (--eval-dir, KG_EVAL_DIR, ../shared/eval)
CORPUS = Path("corpus") / "reuters21578.jsonl"
DATASETS = ("wikievents", "rams", "fakes", "polnear")
DEFAULT_PIPELINES = ("rules", "learned")  # the baseline first: deltas are last − first
URL_BASE = "https://eval.invalid/"
ROLE_MAP = {"attacker": "perpetrator", "target": "target", "victim": "victim", "place": "location"}
ROLES = ("perpetrator", "target", "victim", "location")
CKG = "https://w3id.org/ckg/ontology#"
# gold attack subtypes (lowercased) → the ckg: attack classes that are the right type for them
TYPE_CLASSES = {
    "conflict.attack.airstrikemissilestrike": {"Airstrike", "MissileStrike"},
    "conflict.attack.bombing": {"Bombing"},
    "conflict.attack.biologicalchemicalpoisonattack": {"ChemicalAttack"},
    "conflict.attack.firearmattack": {"Shooting"},
    "conflict.attack.selfdirectedbattle": {"ArmedClash"},
    "conflict.attack.detonateexplode": {"Bombing"},  # WikiEvents
}
# event types (lowercased prefixes) of violence or its aftermath; a RAMS window annotated with none of them is peaceful
VIOLENT_TYPES = ("conflict.", "life.die", "life.injure", "artifactexistence.damagedestroy", "justice.")
Span = tuple[int, int]


# --- gold data ------------------------------------------------------------------------------------

@dataclass
class GoldArgument:
    role: str  # a ckg property name: perpetrator, target, victim, location
    span: Span
    text: str


@dataclass
class GoldAttack:
    trigger: Span
    arguments: list[GoldArgument] = field(default_factory=list)
    type: str = ""  # the annotated event type, lowercased: conflict.attack.bombing


@dataclass
class GoldAttribution:
    sources: list[Span]
    source_texts: list[str]
    cues: list[Span]
    contents: list[Span]


@dataclass
class GoldDoc:
    dataset: str
    doc_id: str
    text: str
    title: str | None = None
    attacks: list[GoldAttack] = field(default_factory=list)
    attributions: list[GoldAttribution] = field(default_factory=list)
    place: str | None = None
    date: str | None = None  # ISO
    url: str = ""
    event_types: list[str] = field(default_factory=list)  # every annotated event's type, lowercased


def is_attack_type(event_type: str) -> bool:
    """WikiEvents ``Conflict.Attack.*`` and RAMS ``conflict.attack.*`` events.

    >>> is_attack_type("Conflict.Attack.DetonateExplode"), is_attack_type("life.die.n/a")
    (True, False)
    """
    return event_type.lower().startswith("conflict.attack")


def event_doc(dataset: str, record: dict) -> GoldDoc:
    """A WikiEvents or RAMS record: its attack events with their mapped arguments."""
    doc = GoldDoc(dataset, record["doc_id"], record["text"])
    for event in record.get("events", ()):
        doc.event_types.append(event["type"].lower())
        if not is_attack_type(event["type"]):
            continue
        arguments = [
            GoldArgument(ROLE_MAP[arg["role"].lower()], tuple(arg["char_span"]), arg["text"])
            for arg in event.get("arguments", ())
            if arg["role"].lower() in ROLE_MAP
        ]
        doc.attacks.append(GoldAttack(tuple(event["trigger_char_span"]), arguments, event["type"].lower()))
    return doc


def polnear_doc(record: dict) -> GoldDoc:
    """A PolNeAR record: attributions with source, cue and content spans (one annotator's reading)."""
    doc = GoldDoc("polnear", f"{record['doc_id']}#{record.get('annotator', '')}", record["text"])

    def spans(parts):
        return [tuple(span) for part in parts or () for span in part["char_spans"]]

    for item in record.get("attributions", ()):
        cues, contents = spans(item.get("Cue")), spans(item.get("Content"))
        if not cues and not contents:
            continue
        sources = spans(item.get("Source"))
        texts = [part["text"] for part in item.get("Source") or ()]
        doc.attributions.append(GoldAttribution(sources, texts, cues, contents))
    return doc


def fakes_doc(record: dict) -> GoldDoc:
    """A FA-KES record: the article's main location and its date (M/D/YYYY in the data)."""
    month, day, year = (int(part) for part in record["date"].split("/"))
    return GoldDoc("fakes", record["id"], record["text"], title=record.get("title") or None,
                   place=record["location"], date=dt.date(year, month, day).isoformat())


def newswire_doc(record: dict) -> GoldDoc:
    """A Reuters-21578 newswire: no annotations; mostly economic news, for counting false alarms."""
    return GoldDoc("reuters", str(record["id"]), record["text"], title=record.get("title") or None)


READERS = {
    "wikievents": lambda record: event_doc("wikievents", record),
    "rams": lambda record: event_doc("rams", record),
    "polnear": polnear_doc,
    "fakes": fakes_doc,
    "reuters": newswire_doc,
}


def load(data_dir: Path, dataset: str, limit: int | None = None, file: Path | None = None) -> list[GoldDoc]:
    """The first ``limit`` documents of ``dataset`` (the file ``<dataset>*.jsonl`` in ``data_dir``,
    or ``file``); empty texts are skipped."""
    files = [file] if file else sorted(data_dir.glob(f"{dataset}*.jsonl"))
    if not files or not files[0].exists():
        return []
    docs = []
    with files[0].open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if limit is not None and len(docs) >= limit:
                break
            if line.strip():
                try:
                    doc = READERS[dataset](json.loads(line))
                    if doc.text.strip():
                        docs.append(doc)
                except (KeyError, ValueError, TypeError) as exc:
                    raise SystemExit(f"{files[0]}:{number}: not a {dataset} record ({type(exc).__name__}: {exc})") from None
    return docs


def write_articles(docs: list[GoldDoc], folder: Path) -> None:
    """Each document as ``NNNNN.txt`` + a sidecar holding only its title and a unique url."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, doc in enumerate(docs):
        doc.url = f"{URL_BASE}{doc.dataset}/{number:05d}"
        stem = folder / f"{number:05d}"
        stem.with_suffix(".txt").write_text(doc.text, encoding="utf-8", newline="")
        sidecar = {"title": doc.title, "url": doc.url} if doc.title else {"url": doc.url}
        stem.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")


# --- predictions, read back through SPARQL --------------------------------------------------------

@dataclass
class ValuePred:
    """An actor or place that fills a role, as seen from one article."""

    iri: str
    labels: set[str] = field(default_factory=set)  # rdfs:label and skos:altLabel, lowercased
    spans: list[Span] = field(default_factory=list)  # its evidence in this article
    container_labels: list[set[str]] = field(default_factory=list)  # places containing it, transitively


@dataclass
class AttackPred:
    spans: list[Span]
    dates: set[str] = field(default_factory=set)
    roles: dict[str, list[ValuePred]] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)  # local names of its ckg: classes under ckg:Attack


@dataclass
class ClaimPred:
    spans: list[Span]
    sources: list[ValuePred] = field(default_factory=list)


@dataclass
class DocPred:
    """What the store says about one document."""

    text: str | None = None
    issued: str | None = None
    attacks: list[AttackPred] = field(default_factory=list)
    claims: list[ClaimPred] = field(default_factory=list)
    spatial: ValuePred | None = None  # the article's main place (dcterms:spatial), when the extractor names one


QUERIES = {
    "articles": """SELECT ?art ?src ?issued ?spatial ?text WHERE { ?art a ckg:Article ; dcterms:source ?src ; ckg:text ?text .
        OPTIONAL { ?art dcterms:issued ?issued } OPTIONAL { ?art dcterms:spatial ?spatial } }""",
    "attack_evidence": """SELECT DISTINCT ?node ?art ?s ?e WHERE { ?node a/rdfs:subClassOf* ckg:Attack ; ckg:evidence ?m .
        ?m ckg:inArticle ?art ; ckg:startOffset ?s ; ckg:endOffset ?e }""",
    "attack_types": """SELECT DISTINCT ?node ?t WHERE { ?node a ?t . ?t rdfs:subClassOf* ckg:Attack }""",
    "attack_dates": """SELECT DISTINCT ?node ?d WHERE { ?node a/rdfs:subClassOf* ckg:Attack ; ckg:date ?d }""",
    "roles": """SELECT DISTINCT ?node ?role ?v WHERE { ?node a/rdfs:subClassOf* ckg:Attack ; ?role ?v .
        VALUES ?role { ckg:perpetrator ckg:target ckg:victim ckg:location } }""",
    "claim_evidence": """SELECT DISTINCT ?node ?art ?s ?e WHERE { ?node a/rdfs:subClassOf* ckg:Claim ; ckg:evidence ?m .
        ?m ckg:inArticle ?art ; ckg:startOffset ?s ; ckg:endOffset ?e }""",
    "claimed_by": """SELECT DISTINCT ?node ?v WHERE { ?node a/rdfs:subClassOf* ckg:Claim ; ckg:claimedBy ?v }""",
    "value_labels": """SELECT DISTINCT ?v ?l WHERE {
        { ?x ckg:perpetrator|ckg:target|ckg:victim|ckg:location|ckg:claimedBy|dcterms:spatial ?v }
        UNION { ?x (ckg:location|dcterms:spatial)/ckg:locatedIn+ ?v }
        ?v rdfs:label|skos:altLabel ?l }""",
    "value_evidence": """SELECT DISTINCT ?v ?art ?s ?e WHERE {
        ?x ckg:perpetrator|ckg:target|ckg:victim|ckg:location|ckg:claimedBy ?v .
        ?v ckg:evidence ?m . ?m ckg:inArticle ?art ; ckg:startOffset ?s ; ckg:endOffset ?e }""",
    "containers": """SELECT DISTINCT ?v ?c WHERE { ?x ckg:location|dcterms:spatial ?v . ?v ckg:locatedIn+ ?c . FILTER(?c != ?v) }""",
}


def _evidence(rows) -> dict[str, dict[str, list[Span]]]:
    """node → article → evidence spans."""
    found = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if isinstance(row["s"], int) and isinstance(row["e"], int):
            found[row.get("node") or row.get("v")][row["art"]].append((row["s"], row["e"]))
    return found


def read_predictions(store: Path, select=kg_select) -> dict[str, DocPred]:
    """Everything the store says, as one :class:`DocPred` per ``dcterms:source``."""
    rows = {name: select(store, sparql) for name, sparql in QUERIES.items()}
    labels = defaultdict(set)
    for row in rows["value_labels"]:
        labels[row["v"]].add(str(row["l"]).strip().lower())
    containers = defaultdict(list)
    for row in rows["containers"]:
        containers[row["v"]].append(labels.get(row["c"], set()))
    value_spans = _evidence(rows["value_evidence"])

    def value(iri: str, article: str) -> ValuePred:
        return ValuePred(iri, labels.get(iri, set()), value_spans.get(iri, {}).get(article, []), containers.get(iri, []))

    dates, roles, claimed_by, types = defaultdict(set), defaultdict(list), defaultdict(list), defaultdict(set)
    for row in rows["attack_types"]:
        if row["t"].startswith(CKG):
            types[row["node"]].add(row["t"][len(CKG):])
    for row in rows["attack_dates"]:
        dates[row["node"]].add(str(row["d"])[:10])
    for row in rows["roles"]:
        roles[row["node"]].append((row["role"].rsplit("#", 1)[-1], row["v"]))
    for row in rows["claimed_by"]:
        claimed_by[row["node"]].append(row["v"])

    by_article = defaultdict(DocPred)
    for row in rows["articles"]:
        doc = by_article[row["art"]]
        doc.text, doc.issued = row["text"], str(row["issued"])[:10] if row["issued"] else None
        doc.spatial = value(row["spatial"], row["art"]) if row.get("spatial") else None
    for node, articles in _evidence(rows["attack_evidence"]).items():
        for article, spans in articles.items():
            filled = defaultdict(list)
            for role, iri in roles.get(node, ()):
                filled[role].append(value(iri, article))
            by_article[article].attacks.append(AttackPred(sorted(spans), dates.get(node, set()), dict(filled), types.get(node, set())))
    for node, articles in _evidence(rows["claim_evidence"]).items():
        for article, spans in articles.items():
            by_article[article].claims.append(ClaimPred(sorted(spans), [value(iri, article) for iri in claimed_by.get(node, ())]))
    return {row["src"]: by_article[row["art"]] for row in rows["articles"]}


# --- scoring --------------------------------------------------------------------------------------

def overlaps(a: Span, b: Span) -> bool:
    """Whether two half-open character spans share a character.

    >>> overlaps((0, 5), (4, 9)), overlaps((0, 5), (5, 9))
    (True, False)
    """
    return a[0] < b[1] and b[0] < a[1]


def any_overlap(spans, others) -> bool:
    return any(overlaps(a, b) for a in spans for b in others)


@functools.lru_cache(maxsize=1)
def _sentencizer():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10_000_000
    return nlp


def sentences(text: str) -> list[Span]:
    """Sentence spans by spaCy's rule-based sentencizer: the same splitter whatever the extractor does.

    >>> sentences("Jets struck Raqqa. Ten died.")
    [(0, 18), (19, 28)]
    """
    return [(sent.start_char, sent.end_char) for sent in _sentencizer()(text).sents]


def sentence_of(spans: list[Span], offset: int) -> int | None:
    for index, (start, end) in enumerate(spans):
        if start <= offset < end:
            return index
    return None


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def gold_attack_sentences(doc: GoldDoc, spans: list[Span]) -> set[int]:
    return {i for attack in doc.attacks if (i := sentence_of(spans, attack.trigger[0])) is not None}


def predicted_attack_sentences(pred: DocPred, spans: list[Span]) -> set[int]:
    """Sentences overlapping any evidence mention of any predicted attack."""
    evidence = [s for attack in pred.attacks for s in attack.spans]
    return {i for i, sentence in enumerate(spans) if any(overlaps(sentence, e) for e in evidence)}


def score_detection(pairs: list[tuple[GoldDoc, DocPred]]) -> PRF:
    """Attack detection at sentence level, micro-averaged over every sentence of every document."""
    counts = PRF()
    for doc, pred in pairs:
        spans = sentences(doc.text)
        gold, found = gold_attack_sentences(doc, spans), predicted_attack_sentences(pred, spans)
        counts.tp += len(gold & found)
        counts.fp += len(found - gold)
        counts.fn += len(gold - found)
    return counts


def value_matches(value: ValuePred, span: Span, text: str) -> bool:
    """A predicted role filler matches a gold argument: its evidence overlaps the gold span, or one of
    its labels is the gold text (case-insensitive)."""
    return any(overlaps(s, span) for s in value.spans) or text.strip().lower() in value.labels


def attacks_at(pred: DocPred, spans: list[Span], trigger: Span) -> list[AttackPred]:
    """The predicted attacks with evidence in the sentence of a gold trigger (none if the trigger is
    in no sentence)."""
    index = sentence_of(spans, trigger[0])
    return [] if index is None else [a for a in pred.attacks if any_overlap(a.spans, [spans[index]])]


def score_arguments(pairs: list[tuple[GoldDoc, DocPred]]) -> dict[str, dict]:
    """Recall of gold attack arguments by role, through the predicted attacks whose evidence lies in
    the gold trigger's sentence."""
    gold, recalled = Counter(), Counter()
    for doc, pred in pairs:
        spans = sentences(doc.text)
        for attack in doc.attacks:
            matched = attacks_at(pred, spans, attack.trigger)
            for argument in attack.arguments:
                gold[argument.role] += 1
                if any(value_matches(v, argument.span, argument.text) for a in matched for v in a.roles.get(argument.role, ())):
                    recalled[argument.role] += 1
    return {role: {"recall": round(recalled[role] / gold[role], 4) if gold[role] else None, "recalled": recalled[role], "gold": gold[role]}
            for role in ROLES}


def score_types(pairs: list[tuple[GoldDoc, DocPred]]) -> dict:
    """Attack type: for each gold attack whose subtype maps to ckg: classes (:data:`TYPE_CLASSES`),
    is a predicted attack with evidence in the trigger's sentence of one of them? Accuracy over the
    mapped gold attacks (no attack there is wrong) and over those where some attack was detected."""
    counts = defaultdict(Counter)  # subtype → gold, detected, right
    for doc, pred in pairs:
        spans = sentences(doc.text)
        for attack in doc.attacks:
            classes = TYPE_CLASSES.get(attack.type)
            if not classes:
                continue
            found = attacks_at(pred, spans, attack.trigger)
            subtype = counts[attack.type.rsplit(".", 1)[-1]]
            subtype["gold"] += 1
            subtype["detected"] += bool(found)
            subtype["right"] += any(a.types & classes for a in found)
    total = sum(counts.values(), Counter())
    return {"accuracy": _ratio(total["right"], total["gold"]), "accuracy_detected": _ratio(total["right"], total["detected"]),
            "right": total["right"], "detected": total["detected"], "gold": total["gold"],
            "by_subtype": {name: dict(c) for name, c in sorted(counts.items())}}


def is_peaceful(doc: GoldDoc) -> bool:
    """A window with annotated events, none of them violent (:data:`VIOLENT_TYPES`).

    >>> is_peaceful(GoldDoc("rams", "r", "t", event_types=["transaction.transfermoney.n/a"]))
    True
    >>> is_peaceful(GoldDoc("rams", "r", "t", event_types=["life.injure.n/a"])), is_peaceful(GoldDoc("rams", "r", "t"))
    (False, False)
    """
    return bool(doc.event_types) and not any(t.startswith(VIOLENT_TYPES) for t in doc.event_types)


def score_peaceful(pairs: list[tuple[GoldDoc, DocPred]]) -> dict:
    """RAMS: the share of peaceful windows (transactions, contact, government, movement ...) in which
    any attack is predicted, i.e. an invented attack."""
    windows = [pred for doc, pred in pairs if is_peaceful(doc)]
    with_attack = sum(1 for pred in windows if pred.attacks)
    return {"share_with_attack": _ratio(with_attack, len(windows)), "with_attack": with_attack, "windows": len(windows)}


def place_key(name: str) -> str:
    """A place name reduced for comparison: ASCII, lowercase, no article, no 'province', no punctuation.

    >>> place_key("Al-Hasakah Governorate"), place_key("Deir ez-Zor"), place_key("Dar‘ā")
    ('hasakah', 'deirezzor', 'dara')
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\b(governorate|province|city|countryside|district|region)\b", " ", text)
    text = re.sub(r"^\s*(al|ar|as|ad|an|at|az|ash|el|er|es)[\s\-]+", "", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def same_place(gold: str, label: str) -> bool:
    """Whether a predicted place label names the gold place, allowing transliteration variants.

    >>> same_place("hasakeh", "Al Ḩasakah"), same_place("lattakia", "Latakia"), same_place("homs", "Hama")
    (True, True, False)
    """
    a, b = place_key(gold), place_key(label)
    if not a or not b:
        return False
    return a == b or (min(len(a), len(b)) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.75)


def place_names(value: ValuePred) -> set[str]:
    """The labels of a place and of every place containing it."""
    return set(value.labels).union(*value.container_labels) if value.container_labels else set(value.labels)


def main_place(pred: DocPred) -> ValuePred | None:
    """The article's main place as the extractor states it (``dcterms:spatial``), else the location
    of most predicted attacks in the document (ties: the earliest mentioned)."""
    if pred.spatial is not None:
        return pred.spatial
    counts, first = Counter(), {}
    values = {}
    for attack in pred.attacks:
        start = min((s for s, _ in attack.spans), default=0)
        for value in attack.roles.get("location", ()):
            counts[value.iri] += 1
            first[value.iri] = min(first.get(value.iri, start), start)
            values[value.iri] = value
    if not counts:
        return None
    best = min(counts, key=lambda iri: (-counts[iri], first[iri]))
    return values[best]


def score_places(pairs: list[tuple[GoldDoc, DocPred]]) -> dict:
    """FA-KES: is the gold main location the predicted main attack place (or a place containing it)?
    Also: is it among any predicted attack place?"""
    main_ok = any_ok = predicted = 0
    for doc, pred in pairs:
        main = main_place(pred)
        if main is None:
            continue
        predicted += 1
        main_ok += any(same_place(doc.place, name) for name in place_names(main))
        any_ok += any(same_place(doc.place, name) for a in pred.attacks for v in a.roles.get("location", ()) for name in place_names(v))
    n = len(pairs)
    return {"accuracy": _ratio(main_ok, n), "any_attack_place": _ratio(any_ok, n), "predicted": predicted, "n": n}


def predicted_date(pred: DocPred) -> str | None:
    """The article's date: its ``dcterms:issued`` (inferred, since no date is given), else the most
    frequent attack date in it (ties: the latest)."""
    if pred.issued:
        return pred.issued
    counts = Counter(d for attack in pred.attacks for d in attack.dates)
    return max(counts, key=lambda d: (counts[d], d)) if counts else None


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")


def day_in_text(text: str, iso: str) -> bool:
    """Whether the text writes the day ``iso`` with its month in words ("5 April", "Apr 05", "April 5th")
    or as digits (5/4, 4/5, 2017-04-05); a rough check, independent of the extractor's own patterns.

    >>> day_in_text("Wed 05 Apr 2017 Syria ...", "2017-04-05"), day_in_text("on April 15", "2017-04-05")
    (True, False)
    """
    day, month = int(iso[8:10]), int(iso[5:7])
    name = _MONTH_NAMES[month - 1][:3]
    words = rf"\b0?{day}(?:st|nd|rd|th)?\s+(?:of\s+)?{name}[a-z]*\.?|\b{name}[a-z]*\.?\s+0?{day}(?!\d\d?\b)(?:st|nd|rd|th)?\b"
    digits = rf"\b0?{day}[/.]0?{month}[/.]\d{{4}}\b|\b0?{month}[/.]0?{day}[/.]\d{{4}}\b|{iso}"
    return re.search(words, text, re.IGNORECASE) is not None or re.search(digits, text) is not None


DATE_FAILURES = ("day not in text", "no date predicted", "wrong anchor", "wrong attack date (no anchor)")


def date_failure(doc: GoldDoc, pred: DocPred, guess: str | None) -> str | None:
    """Why a predicted article date is not the labelled day (None when it is): nothing predicted, the
    day not written in the text at all, a wrong article date (``dcterms:issued``) although the text
    writes the day, or, with no article date, the attack dates (wrong relative resolution or wrong attack)."""
    if guess == doc.date:
        return None
    if not day_in_text(doc.text, doc.date):
        return "day not in text"
    if guess is None:
        return "no date predicted"
    if pred.issued:
        return "wrong anchor"
    return "wrong attack date (no anchor)"


def score_dates(pairs: list[tuple[GoldDoc, DocPred]]) -> dict:
    exact = near = predicted = 0
    causes = Counter()
    for doc, pred in pairs:
        guess = predicted_date(pred)
        cause = date_failure(doc, pred, guess)
        if cause:
            causes[cause] += 1
        if not guess:
            continue
        predicted += 1
        try:
            gap = abs((dt.date.fromisoformat(guess) - dt.date.fromisoformat(doc.date)).days)
        except ValueError:
            continue
        exact += gap == 0
        near += gap <= 1
    n = len(pairs)
    return {"accuracy": _ratio(exact, n), "within_1_day": _ratio(near, n), "predicted": predicted, "n": n,
            "failures": dict(sorted(causes.items()))}


def claim_matches(claim: ClaimPred, gold: GoldAttribution) -> bool:
    """A predicted claim is a gold attribution when its evidence overlaps the gold content or cue."""
    return any_overlap(claim.spans, gold.contents + gold.cues)


def source_matches(claim: ClaimPred, gold: GoldAttribution) -> bool:
    texts = {t.strip().lower() for t in gold.source_texts}
    return any(any_overlap(who.spans, gold.sources) or who.labels & texts for who in claim.sources)


def score_claims(pairs: list[tuple[GoldDoc, DocPred]]) -> dict:
    """PolNeAR: claim precision (predicted claims that are a gold attribution), recall (gold
    attributions some predicted claim finds), and recall of the attributed source."""
    predicted = correct = gold = found = with_source = sources_found = 0
    for doc, pred in pairs:
        predicted += len(pred.claims)
        correct += sum(1 for c in pred.claims if any(claim_matches(c, g) for g in doc.attributions))
        gold += len(doc.attributions)
        found += sum(1 for g in doc.attributions if any(claim_matches(c, g) for c in pred.claims))
        for attribution in doc.attributions:
            if attribution.sources:
                with_source += 1
                sources_found += any(claim_matches(c, attribution) and source_matches(c, attribution) for c in pred.claims)
    p, r = correct / predicted if predicted else 0.0, found / gold if gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "predicted": predicted, "predicted_correct": correct, "gold": gold, "gold_found": found,
            "source_recall": _ratio(sources_found, with_source), "gold_with_source": with_source}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score_false_alarms(pairs: list[tuple[GoldDoc, DocPred]]) -> dict:
    """On mostly non-violent newswire: how often attacks are predicted at all. A few 1987 wires do
    report attacks, so this is an upper bound on false alarms."""
    sentences_total = flagged = 0
    for doc, pred in pairs:
        spans = sentences(doc.text)
        sentences_total += len(spans)
        flagged += len(predicted_attack_sentences(pred, spans))
    with_attack = sum(1 for _, pred in pairs if pred.attacks)
    return {"articles_with_attack": _ratio(with_attack, len(pairs)), "attacks_per_100_articles": round(100 * sum(len(p.attacks) for _, p in pairs) / len(pairs), 2) if pairs else None,
            "attack_sentences_per_1000": round(1000 * flagged / sentences_total, 2) if sentences_total else None}


def score(dataset: str, pairs: list[tuple[GoldDoc, DocPred]]) -> dict:
    """Every measure that applies to ``dataset``."""
    if dataset == "reuters":
        return {"documents": len(pairs), "false_alarms": score_false_alarms(pairs)}
    if dataset in ("wikievents", "rams"):
        result = {"documents": len(pairs), "attack_sentences": score_detection(pairs).as_dict(), "argument_recall": score_arguments(pairs),
                  "attack_type": score_types(pairs)}
        return {**result, "peaceful": score_peaceful(pairs)} if dataset == "rams" else result
    if dataset == "fakes":
        return {"documents": len(pairs), "place": score_places(pairs), "date": score_dates(pairs)}
    return {"documents": len(pairs), "claims": score_claims(pairs)}


# --- running --------------------------------------------------------------------------------------

def ingest(folder: Path, store: Path, workers: int, pipeline: str | None = None) -> str:
    """``kg ingest`` the folder (with ``--pipeline``, if given); returns its summary line (rejections
    are reported, not fatal)."""
    choice = ("--pipeline", pipeline) if pipeline else ()
    done = run_kg("ingest", str(folder), "--store", str(store), "--workers", str(workers), *choice, check=False)
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    if done.returncode not in (0, 1) or not lines:
        raise SystemExit(f"kg ingest failed ({done.returncode}): {' '.join(lines[-5:])}")
    return lines[-1]


def pair_up(docs: list[GoldDoc], predictions: dict[str, DocPred]) -> tuple[list[tuple[GoldDoc, DocPred]], int]:
    """Each document with what the store says about it; documents whose stored text is not the text
    written (offsets would not line up) are counted and scored as predicting nothing."""
    pairs, misaligned = [], 0
    for doc in docs:
        pred = predictions.get(doc.url, DocPred())
        if pred.text is not None and pred.text != doc.text:
            misaligned += 1
            pred = DocPred()
        pairs.append((doc, pred))
    return pairs, misaligned


def load_corpora(data_dir: Path, limit: int | None, corpus: Path | None, newswires: int,
                 only: tuple[str, ...] = ()) -> dict[str, list[GoldDoc]]:
    """Every dataset found in ``data_dir`` (and the newswires), non-empty ones only; with ``only``,
    just those datasets (``reuters`` names the newswires)."""
    corpora = {name: load(data_dir, name, limit) for name in DATASETS if not only or name in only}
    if only and "reuters" not in only:
        newswires = 0
    if not any(corpora.values()):
        raise SystemExit(f"no datasets found in {data_dir} (expected {', '.join(n + '*.jsonl' for n in DATASETS)})")
    if newswires and corpus:
        corpora["reuters"] = load(corpus.parent, "reuters", newswires, file=corpus)
    return {name: docs for name, docs in corpora.items() if docs}


def run_pipeline(pipeline: str, articles: Path, store: Path, workers: int, corpora: dict[str, list[GoldDoc]]) -> dict:
    """Ingest the written articles with one pipeline into a fresh ``store`` and score every dataset."""
    started = time.perf_counter()
    summary = ingest(articles, store, workers, pipeline)
    seconds = time.perf_counter() - started
    predictions = read_predictions(store)
    datasets = {}
    for name, docs in corpora.items():
        pairs, misaligned = pair_up(docs, predictions)
        datasets[name] = {**score(name, pairs), "stored": sum(1 for d in docs if d.url in predictions), "misaligned": misaligned}
    return {"ingest": {"summary": summary, "seconds": round(seconds, 1)}, "datasets": datasets}


def store_name(pipeline: str) -> str:
    """A folder name for a pipeline's store (a pipeline may be given as a path).

    >>> store_name("rules"), store_name("/tmp/my pipeline.cfg")
    ('store-rules', 'store-_tmp_my_pipeline.cfg')
    """
    return "store-" + re.sub(r"[^\w.-]+", "_", pipeline)


def evaluate(data_dir: Path, limit: int | None, workers: int, keep: Path | None = None, corpus: Path | None = None,
             newswires: int = 0, pipelines: tuple[str, ...] = DEFAULT_PIPELINES, only: tuple[str, ...] = ()) -> dict:
    """Write the documents once, ingest them once per pipeline (each into its own fresh store, kept
    under ``keep`` if given) and score each: ``{"data", "pipelines", "runs": {pipeline: report}}``."""
    work = Path(tempfile.mkdtemp(prefix="kg-quality-"))
    try:
        corpora = load_corpora(data_dir, limit, corpus, newswires, only)
        for name, docs in corpora.items():
            write_articles(docs, work / "articles" / name)
        runs = {p: run_pipeline(p, work / "articles", (keep or work) / store_name(p), workers, corpora) for p in pipelines}
        return {"data": str(data_dir), "pipelines": list(pipelines), "runs": runs}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the side-by-side table -----------------------------------------------------------------------

Row = tuple[str, tuple, str]  # measure, its figures ((P, R, F1) or (one figure,)), counts


def _detection_rows(result: dict) -> list[Row]:
    d = result["attack_sentences"]
    return [("attack sentences P/R/F1", (d["precision"], d["recall"], d["f1"]), f"tp={d['tp']} fp={d['fp']} fn={d['fn']}")]


def _argument_rows(result: dict) -> list[Row]:
    return [(f"argument recall: {role}", (r["recall"],), f"{r['recalled']}/{r['gold']}") for role, r in result["argument_recall"].items()]


def _type_rows(result: dict) -> list[Row]:
    t = result["attack_type"]
    return [("attack type right acc", (t["accuracy"],), f"{t['right']}/{t['gold']} mapped gold attacks"),
            ("attack type right, detected acc", (t["accuracy_detected"],), f"{t['right']}/{t['detected']} detected")]


def _peaceful_rows(result: dict) -> list[Row]:
    w = result["peaceful"]
    return [("peaceful windows w/ attack", (w["share_with_attack"],), f"{w['with_attack']}/{w['windows']}; lower is better")]


def _place_rows(result: dict) -> list[Row]:
    p = result["place"]
    return [("place: main attack place acc", (p["accuracy"],), f"predicted {p['predicted']}/{p['n']}"),
            ("place: any attack place acc", (p["any_attack_place"],), "")]


def _date_rows(result: dict) -> list[Row]:
    d = result["date"]
    rows = [("date: exact day acc", (d["accuracy"],), f"predicted {d['predicted']}/{d['n']}"),
            ("date: within 1 day acc", (d["within_1_day"],), "")]
    failures = d.get("failures", {})
    return rows + [(f"date fails: {cause}"[:33], (_ratio(failures.get(cause, 0), d["n"]),), f"{failures.get(cause, 0)} docs")
                   for cause in DATE_FAILURES]


def _false_alarm_rows(result: dict) -> list[Row]:
    f = result["false_alarms"]
    return [("false alarms: articles w/ attack", (f["articles_with_attack"],), "lower is better"),
            ("false alarms: attacks/100 arts", (f["attacks_per_100_articles"],), ""),
            ("false alarms: attack sents/1000", (f["attack_sentences_per_1000"],), "")]


def _claim_rows(result: dict) -> list[Row]:
    c = result["claims"]
    return [("claims P/R/F1", (c["precision"], c["recall"], c["f1"]), f"correct {c['predicted_correct']}/{c['predicted']}; found {c['gold_found']}/{c['gold']}"),
            ("claim source recall", (c["source_recall"],), f"of {c['gold_with_source']} with a source")]


ROW_MAKERS = {"attack_sentences": _detection_rows, "argument_recall": _argument_rows, "attack_type": _type_rows, "peaceful": _peaceful_rows, "place": _place_rows, "date": _date_rows,
              "false_alarms": _false_alarm_rows, "claims": _claim_rows}


def measure_rows(result: dict) -> list[Row]:
    """One pipeline's figures on one dataset, one row per measure, led by the documents stored."""
    stored = f"{result['documents']} docs, {result['stored']} stored" + (f", {result['misaligned']} misaligned" if result["misaligned"] else "")
    rows = [("documents stored (share)", (_ratio(result["stored"], result["documents"]),), stored)]
    for key, make in ROW_MAKERS.items():
        if key in result:
            rows += make(result)
    return rows


def _figures(values: tuple) -> str:
    return "/".join("—" if v is None else f"{v:.3f}" for v in values)


def delta(first: tuple, last: tuple) -> tuple:
    """Figure by figure, ``last − first`` (None where either is missing).

    >>> delta((0.5, None), (0.75, 0.1))
    (0.25, None)
    """
    return tuple(None if a is None or b is None else round(b - a, 4) for a, b in zip(first, last))


def _signed(values: tuple) -> str:
    return "/".join("—" if v is None else f"{v:+.3f}" for v in values)


def side_by_side(report: dict) -> list[tuple[str, str, list[tuple], str]]:
    """Rows of (dataset, measure, figures per pipeline, counts): each measure once, every pipeline's
    figures beside each other; counts shown once when all pipelines agree, else separated by ``|``."""
    runs = [report["runs"][p] for p in report["pipelines"]]
    rows = []
    for name in runs[0]["datasets"]:
        per_pipeline = [measure_rows(run["datasets"][name]) for run in runs]
        for measure_and_more in zip(*per_pipeline):
            counts = [c for _, _, c in measure_and_more]
            rows.append((name, measure_and_more[0][0], [v for _, v, _ in measure_and_more], counts[0] if len(set(counts)) == 1 else " | ".join(counts)))
    return rows


def table(report: dict) -> str:
    """The report as a text table: one row per measure, a column per pipeline, and the delta of the
    last pipeline over the first (learned − rules by default)."""
    names = report["pipelines"]
    lines = [f"data: {report['data']}"]
    lines += [f"ingest {p}: {report['runs'][p]['ingest']['summary']} in {report['runs'][p]['ingest']['seconds']} s" for p in names]
    compare = len(names) > 1
    header = f"{'dataset':<11} {'measure':<33} " + " ".join(f"{p[:20]:<20}" for p in names)
    header += f" {('delta ' + names[-1] + '−' + names[0])[:21]:<21}" if compare else ""
    lines += ["", header + " counts" + (f" ({' | '.join(names)})" if compare else "")]
    for name, measure, figures, counts in side_by_side(report):
        line = f"{name:<11} {measure:<33} " + " ".join(f"{_figures(v):<20}" for v in figures)
        line += f" {_signed(delta(figures[0], figures[-1])):<21}" if compare else ""
        lines.append(line + " " + counts)
    return "\n".join(lines)


def pipeline_list(text: str) -> tuple[str, ...]:
    """``--pipelines``: comma-separated names (or paths), at least one, none twice.

    >>> pipeline_list("rules, learned")
    ('rules', 'learned')
    """
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"give one or more distinct pipelines, comma-separated, not {text!r}")
    return names


def dataset_list(text: str) -> tuple[str, ...]:
    """``--only``: comma-separated dataset names among :data:`DATASETS` and ``reuters``.

    >>> dataset_list("fakes")
    ('fakes',)
    """
    names = tuple(name.strip().lower() for name in text.split(",") if name.strip())
    unknown = [n for n in names if n not in (*DATASETS, "reuters")]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"give datasets among {', '.join((*DATASETS, 'reuters'))}, not {text!r}")
    return names


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=None,
                        help="the evaluation data folder (default KG_EVAL_DIR, else ../shared/eval beside the repository)")
    parser.add_argument("--data", type=Path, default=None, help=f"folder of the annotated JSONL files (default EVAL_DIR/{DEV_SETS})")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N documents of each dataset")
    parser.add_argument("--corpus", type=Path, default=None, help=f"unannotated newswire JSONL for false alarms (default EVAL_DIR/{CORPUS.as_posix()})")
    parser.add_argument("--newswires", type=int, default=300, help="how many of its articles to score for false alarms (default 300; 0 skips)")
    parser.add_argument("--pipelines", type=pipeline_list, default=DEFAULT_PIPELINES,
                        help=f"kg ingest --pipeline for each run, comma-separated; the first is the baseline (default {','.join(DEFAULT_PIPELINES)})")
    parser.add_argument("--only", type=dataset_list, default=(),
                        help="score only these datasets, comma-separated (e.g. fakes; reuters = the newswires)")
    parser.add_argument("--workers", type=int, default=2, help="kg ingest --workers (default 2)")
    parser.add_argument("--store", type=Path, default=None, help="keep the stores here for inspection (a new folder; one store-PIPELINE inside per pipeline)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.store and args.store.exists():
        parser.error(f"--store {args.store} exists; give a new folder")
    newswires = min(args.newswires, args.limit) if args.limit is not None else args.newswires
    data, corpus = args.data or eval_dir(args.eval_dir) / DEV_SETS, args.corpus or eval_dir(args.eval_dir) / CORPUS
    report = evaluate(data, args.limit, args.workers, args.store, corpus, newswires, args.pipelines, args.only)
    print(json.dumps(report, indent=2) if args.json else table(report))


if __name__ == "__main__":
    main()
