"""Worked example queries for the query page, written against the ckg: ontology.

Each is a real query a first-time user can run and then adapt; the prefixes are predeclared, so
none declares them. A test runs every example against the seed store.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    title: str
    explanation: str
    query: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "Who attacked whom, where",
        "Every attack with its perpetrator, its target and its place. Uncomment the last lines to keep "
        "only attacks in one place or anywhere inside it (ckg:locatedIn is transitive).",
        """SELECT ?attack ?what ?perpetrator ?perpetratorName ?target ?targetName ?place ?placeName WHERE {
  ?attack a/rdfs:subClassOf* ckg:Attack ;
          rdfs:label ?what .
  OPTIONAL { ?attack ckg:perpetrator ?perpetrator . ?perpetrator rdfs:label ?perpetratorName }
  OPTIONAL { ?attack ckg:target ?target . ?target rdfs:label ?targetName }
  OPTIONAL { ?attack ckg:location ?place . ?place rdfs:label ?placeName }
  # ?place ckg:locatedIn* ?area . ?area rdfs:label "Aleppo" .
}
LIMIT 200""",
    ),
    Example(
        "Casualty claims side by side, by source",
        "What each source says about the dead and injured of one attack, with the sentence it said it "
        "in. Different figures for the same attack are the disagreement between sources.",
        """SELECT ?attack ?what ?source ?sourceName ?killed ?injured ?sentence WHERE {
  ?claim a ckg:Claim ;
         ckg:about ?attack ;
         ckg:claimedBy ?source .
  ?attack rdfs:label ?what .
  OPTIONAL { ?source rdfs:label ?sourceName }
  OPTIONAL { ?claim ckg:killed ?killed }
  OPTIONAL { ?claim ckg:injured ?injured }
  OPTIONAL { ?claim ckg:evidence/ckg:text ?sentence }
}
ORDER BY ?attack ?source
LIMIT 200""",
    ),
    Example(
        "Attacks on a timeline",
        "Attacks with a known date, oldest first, with their kind and casualties.",
        """SELECT ?date ?attack ?what ?kind ?killed ?place WHERE {
  ?attack a ?class ;
          ckg:date ?date ;
          rdfs:label ?what .
  ?class rdfs:subClassOf* ckg:Attack .
  OPTIONAL { ?class rdfs:label ?kind }
  OPTIONAL { ?attack ckg:killed ?killed }
  OPTIONAL { ?attack ckg:location/rdfs:label ?place }
}
ORDER BY ?date
LIMIT 500""",
    ),
    Example(
        "Actors by number of attacks",
        "Actors ranked by the attacks attributed to them as perpetrator.",
        """SELECT ?actor ?name (COUNT(DISTINCT ?attack) AS ?attacks) WHERE {
  ?attack ckg:perpetrator ?actor .
  OPTIONAL { ?actor rdfs:label ?name }
}
GROUP BY ?actor ?name
ORDER BY DESC(?attacks)
LIMIT 50""",
    ),
    Example(
        "Where the evidence comes from",
        "The sentences an attack was read from, with the article they are in.",
        """SELECT ?attack ?sentence ?article ?title WHERE {
  ?attack a/rdfs:subClassOf* ckg:Attack ;
          ckg:evidence ?mention .
  ?mention ckg:text ?sentence ;
           ckg:inArticle ?article .
  OPTIONAL { ?article dcterms:title ?title }
}
LIMIT 100""",
    ),
    Example(
        "Articles in the store",
        "Every article with its title, publisher and date.",
        """SELECT ?article ?title ?publisher ?issued WHERE {
  ?article a ckg:Article .
  OPTIONAL { ?article dcterms:title ?title }
  OPTIONAL { ?article dcterms:publisher ?publisher }
  OPTIONAL { ?article dcterms:issued ?issued }
}
ORDER BY DESC(?issued)
LIMIT 100""",
    ),
    Example(
        "An attack as a graph (CONSTRUCT)",
        "The facts about attacks and their places as RDF, ready to load elsewhere.",
        """CONSTRUCT {
  ?attack a ?class ; rdfs:label ?what ; ckg:location ?place .
  ?place rdfs:label ?placeName ; geo:lat ?lat ; geo:long ?long .
} WHERE {
  ?attack a ?class ; rdfs:label ?what .
  ?class rdfs:subClassOf* ckg:Attack .
  OPTIONAL { ?attack ckg:location ?place . ?place rdfs:label ?placeName .
             OPTIONAL { ?place geo:lat ?lat ; geo:long ?long } }
}
LIMIT 500""",
    ),
)
