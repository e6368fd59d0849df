"""Conflict knowledge graph: news articles → attacks, actors, places and claims as RDF with provenance.

The data flows one way, one module per step:
``sources`` (read) → ``extract`` (mentions, events, claims, entity resolution) → ``rdf`` (triples with
provenance) → ``store`` (embedded Oxigraph) → ``server`` (SPARQL endpoint, pages, exports).
"""
__version__ = "0.1.0"
