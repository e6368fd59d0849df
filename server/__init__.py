"""The web server: SPARQL endpoint, linked-data pages and exports over the store.

>>> app = create_app({"TESTING": True, "STORE": "/tmp/kg-doctest-store"})
>>> sorted(app.blueprints)  # doctest: +ELLIPSIS
[...]
"""
from __future__ import annotations

import os

from flask import Flask

from kg import config

DEFAULTS = {
    "STORE": None,  # folder of the embedded store; None means --store/KG_STORE/./kg-store
    "BASE_IRI": None,  # base of minted entity IRIs; None means KG_BASE_IRI or the default
    "QUERY_TIMEOUT": 10.0,  # seconds a SPARQL query may take to start answering
    "QUERY_STREAM_TIMEOUT": None,  # seconds of work while an answer streams; None: ten times QUERY_TIMEOUT
    "QUERY_WORKERS": 2,  # worker processes evaluating queries
    "QUERY_MEMORY_MB": 2048,  # memory cap of each worker
    "UPDATE_TOKEN": None,  # bearer token enabling SPARQL Update; None disables it
    "MAX_CONTENT_LENGTH": 1_000_000,  # bytes of a request body
    "MAX_QUERY_LENGTH": 100_000,  # characters of a SPARQL query
    "QUERY_CACHE_MB": 32,  # whole answers remembered until the next update (QueryPool); 0: off
    "PAGE_CACHE_MB": 64,  # entity pages remembered until the next update (server.page_cache); 0: off
    "WARM_UP": False,  # open the store and start the query workers in create_app (kg serve does)
}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app. ``test_config`` overrides :data:`DEFAULTS` (and Flask's own settings)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("KG")
    if test_config:
        app.config.update(test_config)
    app.config["STORE"] = os.fspath(config.store_path(app.config["STORE"]))
    app.config["BASE_IRI"] = app.config["BASE_IRI"] or config.base_iri()

    from server import db, errors, fast, html
    from server.render import read_date

    app.add_template_filter(read_date)
    html.install(app)
    db.init_app(app)
    errors.init_app(app)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    app.after_request(_no_sniffing)
    fast.install(app)
    if app.config["WARM_UP"]:
        warm_up(app)
    return app


def warm_up(app: Flask) -> None:
    """Take the store's lock and start the query workers now, so that a store in use or a snapshot
    that cannot be made is an error at start, not at the first request, and the first query finds
    the workers warm. Raises :class:`kg.store.StoreError` or ``OSError``."""
    from server.sparql import get_pool

    with app.app_context():
        get_pool()  # opens the store first (server.db.get_store)


def _no_sniffing(response):
    """Every answer is read as the type it says (a query result or an export is never run as a page)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _blueprints():
    """Every URL family, one blueprint each."""
    from server import exports, pages, sparql

    return (sparql.bp, pages.bp, exports.bp)
