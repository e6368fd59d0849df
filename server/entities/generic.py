"""The generic entity page: every property, the links pointing at the entity, its source sentences.

Every kind's page starts from it (:func:`describe`); kinds without a page of their own (mentions,
reports, ...) show it alone. Five queries at most whatever the entity: its triples, a summary of
the blank nodes it points at (only when it has any), the incoming links counted by property, the
first links of every property (one ``UNION``), its sentences; the names come with the page's batch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.iris import kind_of
from server.entities.common import (
    MAX_INCOMING_PER_PROPERTY,
    MAX_INCOMING_PROPERTIES,
    MAX_PROPERTIES,
    MAX_VALUES_SHOWN,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT,
    Evidence,
    base,
    by_name,
    evidence_of,
    later,
    named,
    scan,
    select,
    val,
)
from server.render import Value, curie, href_for, iri_ref, local_name


@dataclass
class EntityView:
    iri: str
    kind: str | None
    label: str
    types: list[Value] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    properties: list[tuple[Value, list[Value]]] = field(default_factory=list)
    incoming: list[tuple[Value, int, list[Value], str | None]] = field(default_factory=list)  # property, count, first subjects, or the section listing them
    evidence: list[Evidence] = field(default_factory=list)
    truncated: bool = False
    href: str | None = None  # its page on this server
    more: dict[str, int] = field(default_factory=dict)  # property → how many of its IRI values the page leaves out

    def first(self, prop: str) -> Value | None:
        for predicate, values in self.properties:
            if predicate.iri == prop:
                return values[0]
        return None

    def all(self, prop: str) -> list[Value]:
        return next((values for predicate, values in self.properties if predicate.iri == prop), [])


def describe(iri: str, *, skip: tuple[str, ...] = (), listed: dict[str, str] | None = None,
             facts_only: bool = False) -> EntityView:
    """Everything the generic entity page shows; ``skip`` leaves properties out of the table;
    ``listed`` names, for properties of incoming links, the section of the kind's page that lists
    their subjects (``{ckg:about: "#claims"}``): those are counted, not listed twice; ``facts_only``
    leaves out the incoming links and the sentences (an attack shown on a claim's page).

    Names (the label included, a title for an unlabelled attack or claim) are filled in by
    :func:`server.entities.common.resolve_names`.
    """
    ref = iri_ref(iri)
    rows = select(f"SELECT DISTINCT ?p ?o WHERE {{ {ref} ?p ?o }} LIMIT {MAX_PROPERTIES + 1}")
    view = EntityView(iri=iri, kind=kind_of(iri, base()), label=local_name(iri), truncated=len(rows) > MAX_PROPERTIES,
                      href=href_for(iri, base()))
    rows = rows[:MAX_PROPERTIES]
    grouped: dict[str, tuple[Value, list[Value]]] = {}
    nested = blank_summaries(iri) if any(isinstance(r["o"], ox.BlankNode) for r in rows) else {}
    linked_values: dict[str, int] = {}
    for row in rows:
        predicate = row["p"].value
        if predicate in skip and predicate != RDF_TYPE:
            continue
        if not isinstance(row["o"], ox.Literal) and predicate != RDF_TYPE:
            linked_values[predicate] = linked_values.get(predicate, 0) + 1
            if linked_values[predicate] > MAX_VALUES_SHOWN:  # an actor's hundreds of evidence mentions: counted, not named
                view.more[predicate] = linked_values[predicate] - MAX_VALUES_SHOWN
                continue
        if isinstance(row["o"], ox.BlankNode):
            shown = nested.get(row["o"].value) or Value("(a node without a name)")
        else:
            shown = named(row["o"])
        if predicate == RDF_TYPE:
            view.types.append(shown)
        if predicate in skip:
            continue
        grouped.setdefault(predicate, (predicate_value(row["p"]), []))[1].append(shown)
    view.properties = sorted(grouped.values(), key=lambda item: _property_order(item[0].iri))
    given = [v.text for v in view.all(RDFS_LABEL)]
    view.names = list(dict.fromkeys(given + [v.text for v in view.all(SKOS_ALT)]))
    if given:
        view.label = given[0]
    else:
        itself = named(ox.NamedNode(iri))  # an attack's or claim's title, with the page's names

        def titled() -> None:
            view.label = itself.text

        later(titled)
    if not facts_only:
        view.incoming = incoming(iri, listed or {})
        view.evidence = evidence_of([iri]).get(iri, [])
    return view


def blank_summaries(iri: str) -> dict[str, Value]:
    """A one-line description of each blank node ``iri`` points at, e.g. ``ckg:count 4; ckg:equipment Humvee``
    (its text is written once the page's names are known)."""
    rows = select(
        f"SELECT DISTINCT ?b ?q ?v WHERE {{ {iri_ref(iri)} ?p ?b FILTER(isBlank(?b)) ?b ?q ?v }} LIMIT {MAX_PROPERTIES}"
    )
    parts: dict[str, list[tuple[str, Value]]] = {}
    for row in rows:
        if row["q"].value != RDF_TYPE:
            parts.setdefault(row["b"].value, []).append((curie(row["q"].value), named(row["v"])))
    summaries = {node: Value("") for node in parts}

    def summarise() -> None:
        for node, texts in parts.items():
            summaries[node].text = "; ".join(sorted(f"{name} {shown.text}" for name, shown in texts))

    later(summarise)
    return summaries


def predicate_value(term) -> Value:
    """A property shown by its prefixed name (``ckg:killed``), the form users write in SPARQL."""
    shown = val(term)
    shown.text = curie(term.value)
    return shown


def _property_order(predicate: str) -> tuple[int, str]:
    first = [RDF_TYPE, RDFS_LABEL, SKOS_ALT]
    return (first.index(predicate) if predicate in first else len(first), curie(predicate))


def incoming(iri: str, listed: dict[str, str]) -> list[tuple[Value, int, list[Value], str | None]]:
    """Links pointing at ``iri``, grouped by property: the count of each and the first few, or for
    the properties in ``listed`` the anchor of the section listing them (two queries at most)."""
    ref = iri_ref(iri)
    counts = scan(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {ref} }} GROUP BY ?p ORDER BY DESC(?n) "
                    f"LIMIT {MAX_INCOMING_PROPERTIES}")
    if not counts:
        return []
    firsts = " UNION ".join(
        f"{{ SELECT DISTINCT ?s ({iri_ref(row['p'].value)} AS ?p) WHERE {{ ?s {iri_ref(row['p'].value)} {ref} }} "
        f"LIMIT {MAX_INCOMING_PER_PROPERTY} }}"
        for row in counts if row["p"].value not in listed
    )
    subjects: dict[str, list[Value]] = {}
    for row in select(f"SELECT ?p ?s WHERE {{ {firsts} }}") if firsts else ():
        subjects.setdefault(row["p"].value, []).append(named(row["s"]))
    groups = []
    for row in counts:
        shown = subjects.get(row["p"].value, [])
        by_name(shown)
        groups.append((predicate_value(row["p"]), int(row["n"].value), shown, listed.get(row["p"].value)))
    return groups
