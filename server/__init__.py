"""The web server: SPARQL endpoint, linked-data pages and exports over the store."""
