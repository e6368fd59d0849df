"""Extraction results → RDF triples with provenance, in one named graph per article."""
from __future__ import annotations

import json
import re
from collections import Counter

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.extract import Extraction
from kg.formats import PREFIXES
from kg.iris import digest, iri_problem, mint, slugify
from kg.sources import Article
from kg.vocab import CKG, GEO, WD

GEONAMES_FEATURE = "https://sws.geonames.org/{}/"  # GeoNames' linked-data IRI of a feature

_META_PROPERTIES = {
    "title": DCTERMS.title,
    "author": DCTERMS.creator,
    "publisher": DCTERMS.publisher,
    "language": DCTERMS.language,
}
_INFERABLE = {**_META_PROPERTIES, "published": DCTERMS.issued}
_BASE_CLASS = {"actor": CKG.Actor, "place": CKG.Place}


def content_key(article: Article) -> str:
    """A digest of everything that determines an article's graph: source, text and metadata."""
    meta = {k: v for k, v in sorted(article.meta.items()) if not k.startswith("_")}
    return digest(json.dumps([article.source, article.text, meta], ensure_ascii=False), 24)


def graph_iri(article: Article) -> URIRef:
    """The named graph holding one version of one article, named from its content."""
    return mint("graph", "article-" + content_key(article))


def article_iri(article: Article) -> URIRef:
    """The article node, named from its text."""
    return mint("article", digest(article.text, 16))


def source_term(source: str) -> URIRef | Literal:
    """An article's source as an IRI when it is a well-formed absolute one, else as a typed literal.

    >>> source_term("https://news.example/a?id=1")
    rdflib.term.URIRef('https://news.example/a?id=1')
    >>> source_term('javascript:alert("x")')
    rdflib.term.Literal('javascript:alert("x")', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#anyURI'))
    """
    scheme = source.split(":", 1)[0].lower()
    if scheme in ("http", "https", "file") and iri_problem(source) is None:
        return URIRef(source)
    return Literal(source, datatype=XSD.anyURI)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    graph.bind("skos", SKOS)
    return graph


def to_rdf(article: Article, extraction: Extraction) -> Graph:
    """The triples one article contributes: the article, then every actor, place, attack and claim
    with its evidence mentions."""
    graph = new_graph()
    node = article_iri(article)
    _article(graph, node, article, extraction)
    writer = _Writer(graph, node, digest(article.text, 16), article.text, extraction)
    span = extraction.meta.get("_published_span")
    if "published" in extraction.inferred and extraction.meta.get("published") and span:
        writer.mention(node, tuple(span))  # the date the inferred dcterms:issued was read from
    writer.entities()
    if extraction.main_place and ("place", extraction.main_place) in extraction.entities:
        graph.add((node, DCTERMS.spatial, writer.iri("place", extraction.main_place)))
    writer.attacks()
    writer.claims()
    return graph


def _article(graph: Graph, node: URIRef, article: Article, extraction: Extraction) -> None:
    graph.add((node, RDF.type, CKG.Article))
    graph.add((node, CKG.text, Literal(article.text)))
    graph.add((node, DCTERMS.source, source_term(article.source)))
    meta = extraction.meta
    for key, prop in _META_PROPERTIES.items():
        if meta.get(key):
            graph.add((node, prop, Literal(meta[key])))
    if meta.get("published"):
        graph.add((node, DCTERMS.issued, Literal(meta["published"], datatype=XSD.date)))
    if meta.get("title"):
        graph.add((node, RDFS.label, Literal(meta["title"])))
    for key in sorted(extraction.inferred):
        if key in _INFERABLE and meta.get(key):
            graph.add((node, CKG.inferredProperty, _INFERABLE[key]))


def _wikidata(graph: Graph, node: URIRef, qid: str) -> None:
    """The Wikidata id as a literal and, when well formed, as an ``owl:sameAs`` link to the entity.

    >>> g = new_graph(); _wikidata(g, URIRef("http://x/a"), "Q44329")
    >>> g.value(URIRef("http://x/a"), OWL.sameAs)
    rdflib.term.URIRef('http://www.wikidata.org/entity/Q44329')
    """
    graph.add((node, CKG.wikidataId, Literal(qid)))
    if re.fullmatch(r"Q[1-9][0-9]*", qid):
        graph.add((node, OWL.sameAs, WD[qid]))


def _geonames(graph: Graph, node: URIRef, geonames_id) -> None:
    """The GeoNames id as a literal and an ``owl:sameAs`` link to the feature (``sws.geonames.org``)."""
    graph.add((node, CKG.geonamesId, Literal(str(geonames_id))))
    if str(geonames_id).isdigit():
        graph.add((node, OWL.sameAs, URIRef(GEONAMES_FEATURE.format(int(geonames_id)))))


def _decimal(value: float) -> Literal:
    return Literal(f"{value:.2f}", datatype=XSD.decimal)


def _date_literal(value: str) -> Literal:
    return Literal(value, datatype={4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date))


def _date_bounds(value: str) -> tuple[str, str]:
    """First and last day of a year or month.

    >>> _date_bounds("2013"), _date_bounds("2016-02")
    (('2013-01-01', '2013-12-31'), ('2016-02-01', '2016-02-29'))
    """
    import calendar

    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    year, month = int(value[:4]), int(value[5:7])
    return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"


def article_label(entity, text: str) -> str:
    """A place's label as the article spells it: its most used name there (on a tie the extraction's
    own label, else the earliest),
    a lost possessive ("Aleppos" beside "Aleppo") folded; countries and unmentioned places keep the
    gazetteer's name.

    >>> from kg.extract.model import Entity
    >>> hama = Entity("place", "Hamah-1", "Ḩamāh", {"City"}, mentions=[(0, 4), (10, 15), (20, 24)])
    >>> article_label(hama, "Hama and Hamas, Hama")
    'Hama'
    """
    if entity.kind != "place" or "Country" in entity.types or not entity.mentions:
        return entity.label
    names = [_bare_name(text[start:end]) for start, end in sorted(entity.mentions)]
    names = [n[:-1] if n.endswith("s") and n[:-1] in names else n for n in names if n]
    if not names:
        return entity.label
    counts = Counter(names)
    return max(counts, key=lambda n: (counts[n], n == entity.label, -names.index(n)))


def _bare_name(surface: str) -> str:
    name = " ".join(surface.split())
    name = re.sub(r"^(?:the|The)\s+", "", name)
    return re.sub(r"['’]s$", "", name)


class _Writer:
    """Writes one extraction's nodes; keeps the IRIs it minted so links resolve."""

    def __init__(self, graph: Graph, article: URIRef, article_key: str, text: str, extraction: Extraction):
        self.graph, self.article, self.article_key, self.text, self.x = graph, article, article_key, text, extraction

    def iri(self, kind: str, key: str) -> URIRef:
        return mint(kind, key)

    def mention(self, subject: URIRef, span: tuple[int, int]) -> None:
        start, end = span
        node = mint("mention", f"{self.article_key}-{start}-{end}")
        g = self.graph
        g.add((subject, CKG.evidence, node))
        g.add((node, RDF.type, CKG.Mention))
        g.add((node, CKG.text, Literal(self.text[start:end])))
        g.add((node, CKG.startOffset, Literal(start, datatype=XSD.integer)))
        g.add((node, CKG.endOffset, Literal(end, datatype=XSD.integer)))
        g.add((node, CKG.inArticle, self.article))

    def country(self, cc: str) -> URIRef | None:
        country = self.x.countries.get(cc)
        if country is None:
            return None
        node = self.iri("place", country.key)
        g = self.graph
        g.add((node, RDF.type, CKG.Place))
        g.add((node, RDF.type, CKG.Country))
        g.add((node, RDFS.label, Literal(country.name)))
        _geonames(g, node, country.geonames)
        return node

    def entities(self) -> None:
        for (kind, key), entity in self.x.entities.items():
            node = self.iri(kind, key)
            g = self.graph
            g.add((node, RDF.type, _BASE_CLASS[kind]))
            for class_name in sorted(entity.types):
                g.add((node, RDF.type, CKG[class_name]))
            label = article_label(entity, self.text)
            g.add((node, RDFS.label, Literal(label)))
            for alt in sorted((entity.alt_labels | {entity.label}) - {label}):
                g.add((node, SKOS.altLabel, Literal(alt)))
            g.add((node, CKG.confidence, _decimal(entity.confidence)))
            for span in entity.mentions:
                self.mention(node, span)
            (self.actor_props if kind == "actor" else self.place_props)(node, entity.props)

    def actor_props(self, node: URIRef, props: dict) -> None:
        g = self.graph
        if props.get("country") and (country := self.country(props["country"])):
            g.add((node, CKG.country, country))
        if props.get("based_in") and (country := self.country(props["based_in"])):
            g.add((node, CKG.basedIn, country))
        if props.get("based_in_place"):
            g.add((node, CKG.basedIn, self.iri("place", props["based_in_place"])))
        if props.get("member_of"):
            g.add((node, CKG.memberOf, self.iri("actor", props["member_of"])))
        if props.get("wikidata"):
            _wikidata(g, node, props["wikidata"])
        if props.get("unnamed"):
            g.add((node, CKG.unnamed, Literal(True)))

    def place_props(self, node: URIRef, props: dict) -> None:
        g = self.graph
        if props.get("lat") is not None:
            g.add((node, GEO.lat, Literal(f"{props['lat']:.5f}", datatype=XSD.decimal)))
            g.add((node, GEO.long, Literal(f"{props['long']:.5f}", datatype=XSD.decimal)))
        if props.get("geonames"):
            _geonames(g, node, props["geonames"])
        if props.get("population"):
            g.add((node, CKG.population, Literal(int(props["population"]), datatype=XSD.nonNegativeInteger)))
        if props.get("located_in"):
            g.add((node, CKG.locatedIn, self.iri("place", props["located_in"])))
        if props.get("operated_by"):
            g.add((node, CKG.operatedBy, self.iri("actor", props["operated_by"])))

    def attack_iri(self, attack) -> URIRef:
        """Named from type, first date, place and perpetrator, so two reports of it meet."""
        when = next(iter(sorted(attack.dates)), None) or f"undated-{self.article_key}"
        where = slugify(attack.places[0]) if attack.places else "unknown-place"
        who = slugify(attack.perpetrators[0]) if attack.perpetrators else "unknown-perpetrator"
        return mint("attack", f"{attack.type}-{when}-{where}-{who}")

    def attack_label(self, attack) -> str:
        """A name built from the same facts as the attack's IRI, so every article writes the same one.

        For example "airstrike by Syrian government forces in Ar Raqqah, 2014-09-06".
        """
        what = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", attack.type).lower()
        parts = [what]
        if attack.perpetrators:
            parts.append(f"by {self.entity_label('actor', attack.perpetrators[0])}")
        if attack.places:
            parts.append(f"in {self.entity_label('place', attack.places[0])}")
        when = next(iter(sorted(attack.dates)), None)
        return " ".join(parts) + (f", {when}" if when else "")

    def entity_label(self, kind: str, key: str) -> str:
        entity = self.x.entities.get((kind, key))
        return entity.label if entity else key

    def target_iri(self, key: str) -> URIRef:
        return self.iri("actor", key) if ("actor", key) in self.x.entities else self.iri("place", key)

    def attacks(self) -> None:
        self.attack_nodes = [self.attack_iri(a) for a in self.x.attacks]
        g = self.graph
        for node, attack in zip(self.attack_nodes, self.x.attacks):
            g.add((node, RDF.type, CKG.Attack))
            g.add((node, RDFS.label, Literal(self.attack_label(attack))))
            if attack.type != "Attack":
                g.add((node, RDF.type, CKG[attack.type]))
            for prop, keys, kind in ((CKG.perpetrator, attack.perpetrators, "actor"), (CKG.victim, attack.victims, "actor"), (CKG.location, attack.places, "place")):
                for key in keys:
                    g.add((node, prop, self.iri(kind, key)))
            for key in attack.targets:
                g.add((node, CKG.target, self.target_iri(key)))
                if "Facility" in getattr(self.x.entities.get(("place", key)), "types", ()):
                    g.add((node, CKG.location, self.iri("place", key)))  # attacked at the facility itself
            for value in attack.dates:
                g.add((node, CKG.date, _date_literal(value)))
                if len(value) < 10:
                    earliest, latest = _date_bounds(value)
                    g.add((node, CKG.dateEarliest, Literal(earliest, datatype=XSD.date)))
                    g.add((node, CKG.dateLatest, Literal(latest, datatype=XSD.date)))
            self.figures(node, [], [], attack.losses)
            g.add((node, CKG.confidence, _decimal(attack.confidence)))
            for sent in attack.sentences:
                self.mention(node, self.x.sentence_spans[sent])
            self.report(node, attack)

    def report(self, attack_node: URIRef, attack) -> None:
        """The article's own account of the attack's toll, as a ckg:Report about the (shared) attack
        node: figures on the attack itself would pile up when two articles report it (kg.derive
        consolidates them)."""
        if not (attack.own_killed or attack.own_injured):
            return
        node = mint("report", f"{self.article_key}-{attack_node.rsplit('/', 1)[-1]}")
        g = self.graph
        g.add((node, RDF.type, CKG.Report))
        g.add((node, CKG.about, attack_node))
        self.figures(node, attack.own_killed, attack.own_injured, [])
        g.add((node, CKG.confidence, _decimal(attack.confidence)))
        for sent in attack.figure_sentences or attack.sentences:
            self.mention(node, self.x.sentence_spans[sent])

    def figures(self, node: URIRef, killed: list[int], injured: list[int], losses: list) -> None:
        g = self.graph
        for value in killed:
            g.add((node, CKG.killed, Literal(value, datatype=XSD.nonNegativeInteger)))
        for value in injured:
            g.add((node, CKG.injured, Literal(value, datatype=XSD.nonNegativeInteger)))
        for loss in losses:
            loss_node = URIRef(f"{node}-{loss.how}-{slugify(loss.equipment)}")
            g.add((node, CKG.destroyed if loss.how == "destroyed" else CKG.damaged, loss_node))
            g.add((loss_node, RDF.type, CKG.EquipmentLoss))
            g.add((loss_node, CKG.equipment, Literal(loss.equipment)))
            g.add((loss_node, CKG["count"], Literal(loss.count, datatype=XSD.nonNegativeInteger)))  # CKG.count is str.count

    def claims(self) -> None:
        g = self.graph
        for claim in self.x.claims:
            start, end = claim.span
            node = mint("claim", f"{self.article_key}-{start}-{end}-{slugify(claim.source)}")
            g.add((node, RDF.type, CKG.Claim))
            g.add((node, CKG.claimedBy, self.iri("actor", claim.source)))
            if claim.on_behalf_of:
                g.add((node, CKG.claimedBy, self.iri("actor", claim.on_behalf_of)))  # an official speaks for the group
            for index in claim.attacks:
                g.add((node, CKG.about, self.attack_nodes[index]))
            if not claim.attacks and claim.about:
                kind, key = claim.about.split(":", 1)
                g.add((node, CKG.about, self.iri(kind, key)))
            self.figures(node, claim.killed, claim.injured, claim.losses)
            g.add((node, CKG.statement, Literal(self.text[start:end])))
            g.add((node, CKG.confidence, _decimal(claim.confidence)))
            self.mention(node, claim.span)
