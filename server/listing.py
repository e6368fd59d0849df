"""Index pages, search, the home page's counts and the ontology page: paged, bounded queries.

A page of an index is two queries: one that orders the class's members by the chosen key and
takes one page of IRIs (LIMIT/OFFSET), and one that fetches the columns for just those IRIs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS

from kg.terms import number
from kg.vocab import CKG, CKG_NS, ONTOLOGY_IRI
from server.entities import labelled, val
from server.entities.common import scan
from server.render import Value, curie, iri_ref, local_name, string_literal

PAGE_SIZE = 50
MAX_OFFSET = 1_000_000


select = scan  # an index's, the search's and the home page's queries scan the store: in a query worker


@dataclass(frozen=True)
class Sort:
    label: str
    pattern: str  # binds ?k0 for an entity ?e
    aggregate: str  # over ?k0, giving ?key
    descending: bool = False


_BY_NAME = Sort("name", "OPTIONAL { ?e rdfs:label ?k0 }", "MIN(LCASE(STR(?k0)))")


@dataclass(frozen=True)
class Index:
    name: str
    title: str
    root: str
    sorts: dict[str, Sort]
    columns: tuple[str, ...]  # headings after the name column
    details: dict[str, str]  # value column -> pattern binding ?v for ?e
    counted: dict[str, str] = field(default_factory=dict)  # column -> pattern binding ?x per ?e

    @property
    def default_sort(self) -> str:
        return next(iter(self.sorts))


INDEXES: dict[str, Index] = {
    "attacks": Index(
        "attacks",
        "Attacks",
        str(CKG.Attack),
        {
            "date": Sort("date", "OPTIONAL { ?e ckg:date ?k0 }", "MIN(?k0)", descending=True),
            "name": _BY_NAME,
            "killed": Sort("killed", "OPTIONAL { ?e ckg:killed ?k0 }", "MAX(?k0)", descending=True),
            "claims": Sort("claims", "OPTIONAL { ?k0 ckg:about ?e }", "COUNT(DISTINCT ?k0)", descending=True),
        },
        ("date", "where", "killed", "claims"),
        {"date": "?e ckg:date ?v", "where": "?e ckg:location ?v", "killed": "?e ckg:killed ?v"},
        {"claims": "?x ckg:about ?e"},
    ),
    "actors": Index(
        "actors",
        "Actors",
        str(CKG.Actor),
        {
            "name": _BY_NAME,
            "attacks": Sort("attacks carried out", "OPTIONAL { ?k0 ckg:perpetrator ?e }", "COUNT(DISTINCT ?k0)", descending=True),
            "claims": Sort("claims made", "OPTIONAL { ?k0 ckg:claimedBy ?e }", "COUNT(DISTINCT ?k0)", descending=True),
        },
        ("type", "attacks", "claims"),
        {"type": "?e a ?v FILTER(?v != ckg:Actor)"},
        {"attacks": "?x ckg:perpetrator ?e", "claims": "?x ckg:claimedBy ?e"},
    ),
    "places": Index(
        "places",
        "Places",
        str(CKG.Place),
        {
            "name": _BY_NAME,
            "attacks": Sort("attacks", "OPTIONAL { ?k0 ckg:location ?e }", "COUNT(DISTINCT ?k0)", descending=True),
        },
        ("type", "where", "attacks"),
        {"type": "?e a ?v FILTER(?v != ckg:Place)", "where": "?e ckg:locatedIn ?v"},
        {"attacks": "?x ckg:location ?e"},
    ),
    "claims": Index(
        "claims",
        "Claims",
        str(CKG.Claim),
        {
            "name": _BY_NAME,
            "killed": Sort("killed", "OPTIONAL { ?e ckg:killed ?k0 }", "MAX(?k0)", descending=True),
        },
        ("by", "about", "killed"),
        {"by": "?e ckg:claimedBy ?v", "about": "?e ckg:about ?v", "killed": "?e ckg:killed ?v"},
    ),
    "articles": Index(
        "articles",
        "Articles",
        str(CKG.Article),
        {
            "issued": Sort("date", "OPTIONAL { ?e dcterms:issued ?k0 }", "MIN(?k0)", descending=True),
            "name": _BY_NAME,
        },
        ("issued", "publisher", "mentions"),
        {"issued": "?e dcterms:issued ?v", "publisher": "?e dcterms:publisher ?v"},
        {"mentions": "?x ckg:inArticle ?e"},
    ),
}

def classes(root: str) -> list[str]:
    """``root`` and every subclass of it, as the ontology graph (loaded by `kg ingest`) declares."""
    found = [root] + [r["c"].value for r in select(f"SELECT DISTINCT ?c WHERE {{ ?c rdfs:subClassOf+ {iri_ref(root)} FILTER(isIRI(?c)) }} LIMIT 500")]
    return list(dict.fromkeys(found))


def members(index: Index, search: str | None = None) -> str:
    """The group pattern binding ?e to each member of the index's class (subclasses included).

    The classes go in a VALUES block, so each is one index lookup of ``?e a <class>``.
    """
    values = " ".join(iri_ref(c) for c in classes(index.root))
    pattern = f"VALUES ?type0 {{ {values} }} ?e a ?type0 ."
    if search:
        pattern += f" {name_filter(search)}"
    return f"{{ SELECT DISTINCT ?e WHERE {{ {pattern} }} }}"


def name_filter(search: str) -> str:
    """A filter keeping ?e whose label or alternate name contains ``search`` (case-insensitive)."""
    return (
        "FILTER EXISTS { ?e rdfs:label|skos:altLabel ?name . "
        f"FILTER(CONTAINS(LCASE(STR(?name)), LCASE({string_literal(search)}))) }}"
    )


@dataclass
class Row:
    entity: Value
    cells: dict[str, list[Value] | int | None] = field(default_factory=dict)


@dataclass
class Listing:
    index: Index
    rows: list[Row]
    total: int
    page: int
    sort: str
    search: str | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def listing(index: Index, *, page: int = 1, sort: str | None = None, search: str | None = None) -> Listing:
    """One page of an index, sorted by ``sort`` (a key of ``index.sorts``)."""
    sort = sort if sort in index.sorts else index.default_sort
    order = index.sorts[sort]
    offset = min((page - 1) * PAGE_SIZE, MAX_OFFSET)
    where = members(index, search)
    total = int(select(f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {where} }}")[0]["n"].value)
    # No tie-break on ?e: comparing IRIs costs a string lookup each and made pages ten times slower.
    direction = "DESC(?key)" if order.descending else "?key"
    page_rows = select(
        f"SELECT ?e ({order.aggregate} AS ?key) WHERE {{ {where} {order.pattern} }} "
        f"GROUP BY ?e ORDER BY {direction} LIMIT {PAGE_SIZE} OFFSET {offset}"
    )
    rows = _details(index, [r["e"] for r in page_rows])
    return Listing(index, rows, total, page, sort, search)


def _details(index: Index, entities: list) -> list[Row]:
    """The columns of one page of rows: one DISTINCT query per column, then labels in one batch."""
    if not entities:
        return []
    values = " ".join(iri_ref(e.value) for e in entities)
    rows = {e.value: Row(e, {column: 0 for column in index.counted}) for e in entities}
    cells: list[tuple[str, str, object]] = []
    for column, pattern in index.details.items():
        for record in select(f"SELECT DISTINCT ?e ?v WHERE {{ VALUES ?e {{ {values} }} {pattern} }} LIMIT {PAGE_SIZE * 20}"):
            cells.append((record["e"].value, column, record["v"]))
    shown = labelled([e for e in entities] + [term for _, _, term in cells])
    for row, entity in zip(rows.values(), shown):
        row.entity = entity
    for (entity, column, _), value in zip(cells, shown[len(entities):]):
        rows[entity].cells.setdefault(column, []).append(value)
    for column, pattern in index.counted.items():
        counts = select(f"SELECT ?e (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?e {{ {values} }} {pattern} }} GROUP BY ?e")
        for record in counts:
            rows[record["e"].value].cells[column] = int(record["n"].value)
    return [rows[e.value] for e in entities]


# --- search across every kind -----------------------------------------------------------------


@dataclass
class Hit:
    entity: Value
    matched: str
    types: list[Value]


def search(text: str, page: int = 1) -> tuple[list[Hit], int]:
    """Entities whose label or alternate name contains ``text``; exact matches first."""
    literal = string_literal(text)
    where = (
        "?e rdfs:label|skos:altLabel ?name . "
        f"FILTER(CONTAINS(LCASE(STR(?name)), LCASE({literal})))"
    )
    total = int(select(f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {where} }}")[0]["n"].value)
    offset = min((page - 1) * PAGE_SIZE, MAX_OFFSET)
    rows = select(
        f"""SELECT ?e (MIN(STR(?name)) AS ?matched) (MAX(IF(LCASE(STR(?name)) = LCASE({literal}), 1, 0)) AS ?exact)
WHERE {{ {where} }}
GROUP BY ?e ORDER BY DESC(?exact) LCASE(?matched) LIMIT {PAGE_SIZE} OFFSET {offset}"""
    )
    hits = [Hit(entity, r["matched"].value, []) for r, entity in zip(rows, labelled(r["e"] for r in rows))]
    if hits:
        values = " ".join(iri_ref(h.entity.iri) for h in hits)
        by_iri = {h.entity.iri: h for h in hits}
        for r in select(f"SELECT DISTINCT ?e ?t WHERE {{ VALUES ?e {{ {values} }} ?e a ?t }}"):
            by_iri[r["e"].value].types.append(val(r["t"]))
    return hits, total


# --- home page -----------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    """Members of each index class, subclasses included."""
    found = {}
    for name, index in INDEXES.items():
        found[name] = int(select(f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {members(index)} }}")[0]["n"].value)
    return found


# --- ontology ------------------------------------------------------------------------------------


@dataclass
class Term:
    iri: str
    name: str
    kind: str  # class, object property, datatype property, property
    label: str | None = None
    definition: str | None = None
    parents: list[Value] = field(default_factory=list)
    domains: list[Value] = field(default_factory=list)
    ranges: list[Value] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    count: int = 0


_TERM_KINDS = {
    str(OWL.Class): "class",
    str(RDFS.Class): "class",
    str(OWL.ObjectProperty): "object property",
    str(OWL.DatatypeProperty): "datatype property",
    str(OWL.AnnotationProperty): "annotation property",
    str(RDF.Property): "property",
}
_CHARACTERISTICS = ("TransitiveProperty", "FunctionalProperty", "SymmetricProperty", "InverseFunctionalProperty")


def ontology_terms() -> list[Term]:
    """Every ckg: term in the ontology graph with its definition, domain, range and usage count."""
    rows = select(
        f"""SELECT ?term ?type ?label ?comment ?definition ?parent ?domain ?range WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{
  ?term a ?type . FILTER(STRSTARTS(STR(?term), "{CKG_NS}"))
  OPTIONAL {{ ?term rdfs:label ?label }} OPTIONAL {{ ?term rdfs:comment ?comment }}
  OPTIONAL {{ ?term skos:definition ?definition }}
  OPTIONAL {{ ?term rdfs:subClassOf|rdfs:subPropertyOf ?parent FILTER(isIRI(?parent)) }}
  OPTIONAL {{ ?term rdfs:domain ?d0 . OPTIONAL {{ ?d0 owl:unionOf/rdf:rest*/rdf:first ?d1 }} BIND(COALESCE(?d1, ?d0) AS ?domain) }}
  OPTIONAL {{ ?term rdfs:range ?r0 . OPTIONAL {{ ?r0 owl:unionOf/rdf:rest*/rdf:first ?r1 }} BIND(COALESCE(?r1, ?r0) AS ?range) }}
}} }} LIMIT 20000"""
    )
    terms: dict[str, Term] = {}
    for row in rows:
        iri, type_iri = row["term"].value, row["type"].value
        term = terms.setdefault(iri, Term(iri, local_name(iri), "term"))
        if type_iri in _TERM_KINDS and term.kind in ("term", "property", "annotation property"):
            term.kind = _TERM_KINDS[type_iri]
        if local_name(type_iri) in _CHARACTERISTICS and local_name(type_iri) not in term.characteristics:
            term.characteristics.append(local_name(type_iri))
        term.label = term.label or (row["label"].value if row["label"] is not None else None)
        term.definition = term.definition or _text(row["definition"]) or _text(row["comment"])
        for key, bucket in (("parent", term.parents), ("domain", term.domains), ("range", term.ranges)):
            if isinstance(row[key], ox.NamedNode) and all(v.iri != row[key].value for v in bucket):
                bucket.append(val(row[key]))
    _count_usage(terms)
    return sorted(terms.values(), key=lambda t: (t.kind != "class", t.name.lower()))


def _text(term) -> str | None:
    return term.value if term is not None else None


def _count_usage(terms: dict[str, Term]) -> None:
    """Direct instances of each class and uses of each property, one index lookup per term."""
    classes = [t for t in terms.values() if t.kind == "class"]
    properties = [t for t in terms.values() if t.kind != "class"]
    if classes:
        values = " ".join(iri_ref(t.iri) for t in classes)
        for row in select(f"SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?c {{ {values} }} ?x a ?c }} GROUP BY ?c"):
            terms[row["c"].value].count = int(number(row["n"]) or 0)
    if properties:
        values = " ".join(iri_ref(t.iri) for t in properties)
        for row in select(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }} GROUP BY ?p"):
            terms[row["p"].value].count = int(number(row["n"]) or 0)


def ontology_title() -> str | None:
    rows = select(f"SELECT ?l WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ <{ONTOLOGY_IRI}> rdfs:label|dcterms:title ?l }} }} LIMIT 1")
    return rows[0]["l"].value if rows else None


__all__ = ["INDEXES", "PAGE_SIZE", "counts", "curie", "listing", "ontology_terms", "search"]
