"""Check the knowledge graph: SHACL shapes and two fast checks on the data, HermiT on ontology + data.

Four complementary checks:

* **SHACL** (pyshacl) with ``ontology/shapes.ttl``: the shape of what the extractor writes (a
  mention's offsets, a non-negative death toll, a perpetrator that is an actor). The ontology is
  mixed in for its class hierarchy only (no RDFS inference), so an ``rdfs:range`` never makes a
  wrong value look right.
* **types**: no node is typed with two disjoint classes.
* **spans**: each mention's text is exactly its article's text between its offsets.
* **HermiT** (through owlready2, in a private World) on the ontology plus the data's individuals:
  their types and the object-property links between them. Literals are left out (SHACL checks
  them), which keeps the reasoner fast and away from datatypes outside OWL 2's map. HermiT finds
  what only reasoning shows, e.g. a node that some statement makes a place and another an actor.

>>> from rdflib import Graph
>>> validate_graph(Graph(), reasoner=False).ok
True
"""
from __future__ import annotations

import contextlib
import io
import shutil
import time
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, NamespaceManager

from kg.formats import PREFIXES
from kg.vocab import CKG, ONTOLOGY_FILE, ONTOLOGY_IRI, SHAPES_FILE

HERMIT_TIMEOUT = 300.0  # seconds HermiT may run before the check is reported as not finished
MAX_REPORTED = 200  # violations listed in full; the rest are counted
_SKOLEM = "urn:ckg:validate:bnode:"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, or one check that could not run."""

    check: str  # "SHACL", "types", "spans" or "HermiT"
    message: str
    focus: str = ""
    path: str = ""
    value: str = ""
    severity: str = "Violation"  # Violation, Warning, Info, or Error (the check itself failed)

    def line(self) -> str:
        where = " ".join(part for part in (self.focus, self.path) if part)
        value = f" = {self.value}" if self.value else ""
        head = f"{self.severity} [{self.check}]" + (f" {where}{value}" if where or value else "")
        return f"{head}\n    {self.message}"


@dataclass
class Report:
    """The outcome of :func:`validate_graph`: problems found and a note per check that ran."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is a violation or an error (warnings and infos do not count)."""
        return not any(p.severity in ("Violation", "Error") for p in self.problems)

    def text(self) -> str:
        """A readable report: each problem with its focus node, path, value and message."""
        lines = [p.line() for p in self.problems[:MAX_REPORTED]]
        if len(self.problems) > MAX_REPORTED:
            lines.append(f"... and {len(self.problems) - MAX_REPORTED} more problems")
        lines += self.notes
        lines.append("valid" if self.ok else f"NOT valid: {self._count()}")
        return "\n".join(lines)

    def _count(self) -> str:
        bad = [p for p in self.problems if p.severity in ("Violation", "Error")]
        checks = sorted({p.check for p in bad})
        return f"{len(bad)} problem{'s' if len(bad) != 1 else ''} ({', '.join(checks)})"


def validate_store(store, reasoner: bool = True, hermit_timeout: float = HERMIT_TIMEOUT) -> Report:
    """Validate every article graph in ``store`` (the ontology graph is the reference, not data)."""
    return validate_graph(data_graph(store), reasoner=reasoner, hermit_timeout=hermit_timeout)


def data_graph(store) -> Graph:
    """The union of the store's named graphs except the ontology's, read through SPARQL."""
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{ONTOLOGY_IRI}>) }}"
    )
    data = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt") if data else Graph()


def validate_graph(data: Graph, reasoner: bool = True, hermit_timeout: float = HERMIT_TIMEOUT) -> Report:
    """SHACL-validate ``data`` and, if ``reasoner``, check it with HermiT against the ontology."""
    report = Report()
    _run(report, "SHACL", lambda: shacl_problems(data))
    _run(report, "types", lambda: type_problems(data))
    _run(report, "spans", lambda: span_problems(data))
    if reasoner:
        _run(report, "HermiT", lambda: hermit_problems(data, hermit_timeout))
    return report


def _run(report: Report, check: str, function) -> None:
    started = time.perf_counter()
    problems, summary = function()
    report.problems += problems
    report.notes.append(f"{check}: {summary} ({time.perf_counter() - started:.1f} s)")


# --- SHACL -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def shacl_problems(data: Graph) -> tuple[list[Problem], str]:
    """SHACL results on ``data`` as problems, sorted by focus node, and a one-line summary."""
    import pyshacl

    _, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
    )
    problems = sorted(
        (_shacl_problem(results, node) for node in results.objects(None, SH.result)),  # not nested sh:detail
        key=lambda p: (p.focus, p.path, p.value, p.message),
    )
    return problems, f"{len(data)} triples, {len(problems)} results"


def _shacl_problem(results: Graph, node) -> Problem:
    focus, value = results.value(node, SH.focusNode), results.value(node, SH.value)
    message = results.value(node, SH.resultMessage) or f"violates {_show(results.value(node, SH.sourceConstraintComponent))}"
    return Problem(
        check="SHACL",
        message=str(message),
        focus=_show(focus),
        path=_show(results.value(node, SH.resultPath)),
        value=_show(value) if value != focus else "",
        severity=str(results.value(node, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1],
    )


def _show(term) -> str:
    """A term as a reader wants it: ``ckg:killed`` for known prefixes, ``<iri>`` otherwise."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            rest = str(term)[len(namespace):]
            if str(term).startswith(namespace) and rest.replace("_", "a").isalnum():
                return f"{prefix}:{rest}"
        return f"<{term}>"
    if isinstance(term, Literal):
        text = term.n3(_namespaces())
        return text if len(text) <= 120 else text[:117] + "..."
    return "[]" if isinstance(term, BNode) else str(term)


@lru_cache(maxsize=1)
def _namespaces() -> NamespaceManager:
    manager = NamespaceManager(Graph(bind_namespaces="none"))
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace)
    return manager


# --- evidence spans --------------------------------------------------------------------------


def span_problems(data: Graph) -> tuple[list[Problem], str]:
    """Mentions whose ``ckg:text`` is not their article's text between their offsets.

    Kept out of the SHACL shapes: as a SPARQL constraint pyshacl re-parses the query per mention.
    Mentions with missing or malformed offsets are skipped here; the shapes report those.
    """
    problems, checked = [], 0
    for mention, article in data.subject_objects(CKG.inArticle):
        text, start, end = (data.value(mention, p) for p in (CKG.text, CKG.startOffset, CKG.endOffset))
        article_text = data.value(article, CKG.text)
        if not all(isinstance(t, Literal) for t in (text, start, end, article_text)):
            continue
        start, end = start.toPython(), end.toPython()
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            continue
        checked += 1
        expected = str(article_text)[start:end]
        if str(text) != expected:
            problems.append(Problem(
                check="spans", focus=_show(mention), path="ckg:text", value=_show(text),
                message=f"is not the text of {_show(article)} from offset {start} to {end}, which is "
                        f"{_show(Literal(expected)) if expected else 'empty (the article is shorter)'}",
            ))
    return sorted(problems, key=lambda p: p.focus), f"mentions checked against their articles: {checked}"


# --- HermiT ----------------------------------------------------------------------------------


def hermit_problems(data: Graph, timeout: float = HERMIT_TIMEOUT) -> tuple[list[Problem], str]:
    """Ask HermiT whether the ontology plus the individuals of ``data`` are consistent."""
    import owlready2

    if not shutil.which(owlready2.JAVA_EXE):
        return [_error(f"Java ({owlready2.JAVA_EXE!r}) was not found on PATH; install a Java runtime (11 or later) "
                       "or skip this check with --no-reasoner")], "not run"
    abox = individuals_graph(data)
    count = len(set(abox.subjects()))
    try:
        _reason(ontology_graph() + abox, timeout)
    except owlready2.OwlReadyInconsistentOntologyError:
        return explain_inconsistency(abox), f"INCONSISTENT ontology + {count} individuals"
    except TimeoutError:
        return [_error(f"HermiT did not finish within {timeout:g} s on {count} individuals; "
                       "rerun with --no-reasoner to check the shapes only")], "not finished"
    except owlready2.OwlReadyJavaError as exc:
        return [_error(f"HermiT failed: {str(exc).strip()[:500]}")], "failed"
    return [], f"consistent, ontology + {count} individuals"


def _error(message: str) -> Problem:
    return Problem(check="HermiT", message=message, severity="Error")


def individuals_graph(data: Graph) -> Graph:
    """The ABox HermiT sees: typings with ontology classes and links by ontology object properties.

    Blank nodes become IRIs (owlready2 takes blank nodes for class expressions); triples about the
    ontology's own terms are left out so data cannot rewrite the TBox.
    """
    ontology = ontology_graph()
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    links = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | {OWL.sameAs, OWL.differentFrom}
    terms = set(ontology.subjects())
    abox = Graph()
    for s, p, o in data:
        if s in terms or isinstance(o, Literal):
            continue
        if (p == RDF.type and o in classes) or (p in links and o not in terms):
            abox.add((_skolem(s), p, _skolem(o) if p != RDF.type else o))
    return abox


def _skolem(term):
    return URIRef(_SKOLEM + str(term)) if isinstance(term, BNode) else term


def _reason(graph: Graph, timeout: float) -> None:
    """Run HermiT on ``graph`` in a fresh owlready2 World; raises on inconsistency or timeout."""
    import subprocess

    import owlready2

    world = owlready2.World()
    try:
        ntriples = graph.serialize(format="nt", encoding="utf-8")
        world.get_ontology(ONTOLOGY_IRI).load(fileobj=io.BytesIO(ntriples), format="ntriples")
        with _subprocess_timeout(owlready2, timeout):
            owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    except subprocess.TimeoutExpired:
        raise TimeoutError from None
    finally:
        world.close()


@contextlib.contextmanager
def _subprocess_timeout(owlready2, timeout: float):
    """owlready2 passes its module-level ``_subprocess_kargs`` to the Java call: the one hook for a timeout
    (if a later owlready2 drops it, HermiT simply runs without one)."""
    kwargs = getattr(owlready2.reasoning, "_subprocess_kargs", {})
    kwargs["timeout"] = timeout
    try:
        yield
    finally:
        kwargs.pop("timeout", None)


def explain_inconsistency(abox: Graph) -> list[Problem]:
    """HermiT only answers "inconsistent": name the nodes forced into two disjoint classes, the usual cause."""
    return class_clashes(abox, "HermiT", through_properties=True) or [Problem(
        check="HermiT", message="the ontology plus the data are inconsistent; no node with two disjoint "
        "classes explains it, see the SHACL results for the cause")]


def type_problems(data: Graph) -> tuple[list[Problem], str]:
    """Nodes typed with two disjoint classes (say ckg:Person and ckg:ArmedGroup).

    Kept out of the SHACL shapes: a shape for it doubled pyshacl's time.
    """
    typed = set(data.subjects(RDF.type, None))
    return class_clashes(data, "types", through_properties=False), f"typed nodes checked for disjoint classes: {len(typed)}"


def class_clashes(graph: Graph, check: str, through_properties: bool) -> list[Problem]:
    """Nodes whose classes (asserted, and with ``through_properties`` implied by property domains
    and ranges, all with their superclasses) include two disjoint ones, each with the statement
    that put it there."""
    disjoint = _disjoint_pairs()
    problems = []
    for node, reasons in _class_reasons(graph, through_properties).items():
        clash = next(((a, b) for a in reasons for b in reasons if (a, b) in disjoint), None)
        if clash:
            a, b = clash
            problems.append(Problem(
                check=check, focus=_show(_unskolem(node)),
                message=f"is both {_show(a)} ({reasons[a]}) and {_show(b)} ({reasons[b]}), which are disjoint",
            ))
    return sorted(problems, key=lambda p: p.focus)


def _class_reasons(graph: Graph, through_properties: bool) -> dict:
    """For each node, every named class it belongs to, with the first statement that says so."""
    reasons: dict = {}

    def note(node, cls, why):
        for sup in _superclasses(cls):
            reasons.setdefault(node, {}).setdefault(sup, why)

    for s, o in graph.subject_objects(RDF.type):
        note(s, o, f"typed {_show(o)}")
    if through_properties:
        ontology = ontology_graph()
        for s, p, o in graph:
            for domain in ontology.objects(p, RDFS.domain):
                note(s, domain, f"has {_show(p)}")
            for range_ in ontology.objects(p, RDFS.range):
                note(o, range_, f"{_show(p)} of {_show(_unskolem(s))}")
    return reasons


@lru_cache(maxsize=None)
def _superclasses(cls) -> tuple:
    """``cls`` and its named superclasses in the ontology (none for a blank-node class expression)."""
    if not isinstance(cls, URIRef):
        return ()
    return tuple(c for c in ontology_graph().transitive_objects(cls, RDFS.subClassOf) if isinstance(c, URIRef))


@lru_cache(maxsize=1)
def _disjoint_pairs() -> frozenset:
    ontology = ontology_graph()
    pairs = set()
    for a, b in ontology.subject_objects(OWL.disjointWith):
        pairs |= {(a, b), (b, a)}
    for group in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(ontology.items(ontology.value(group, OWL.members)))
        pairs |= {(a, b) for a in members for b in members if a != b}
    return frozenset(pairs)


def _unskolem(term):
    return BNode(str(term)[len(_SKOLEM):]) if str(term).startswith(_SKOLEM) else term
