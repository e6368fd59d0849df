"""The SPARQL 1.1 Protocol endpoint: ``/sparql`` (query, and update by POST) and ``/update``.

Queries run in worker processes under a time limit (:mod:`server.query_runner`); results are
negotiated from ``Accept`` or ``format=`` and streamed. ``GET /sparql`` without a query is the query
page for browsers and the SPARQL 1.1 Service Description for RDF clients.
"""
from __future__ import annotations

import hmac
import re
import threading
from functools import lru_cache
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.derive import new_write, pending_update
from kg.formats import PREFIXES, RDF_FORMATS, RESULTS_FORMATS, Format, UnknownFormat, rdf_format, results_format, sparql_prologue
from server import db
from server.errors import HTTPError
from server.fast import raise_handed_over
from server.negotiation import negotiate, prefers_html
from server.query_runner import QueryPool, QueryRequest, RemoteRunner
from server.sparql_examples import EXAMPLES
from server.sparql_text import forbidden_operation, query_form, refusal, shift_error_lines, too_deep, undeclared_prefix

bp = Blueprint("sparql", __name__)

QUERY_TYPE, UPDATE_TYPE, FORM_TYPE = "application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded"
_POOL = "kg_query_pool"
_pool_lock = threading.Lock()
_update_lock = threading.Lock()

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
    "Access-Control-Max-Age": "86400",
}


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    if "Vary" in response.headers:
        response.vary.add("Accept")
    else:
        response.headers["Vary"] = "Accept"
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """The query operation (GET or POST), updates by POST, the query page and the service description.

    The usual query requests are answered before Flask by :mod:`server.fast`, with the same checks.
    """
    raise_handed_over(request.environ)
    kind, text = _operation()
    if kind == "update":
        return _update(text)
    if text is None:
        return _no_query()
    if _browser(request.headers.get("Accept")) and not _param("format"):
        return _page(text)
    return _query(text)


@bp.route("/update", methods=["POST"])
def update() -> Response:
    """The update operation: POST ``application/sparql-update`` or a form with ``update=``."""
    kind, text = _operation()
    if kind != "update" or text is None:
        raise HTTPError(400, "send a SPARQL update: POST it as application/sparql-update or as the form field update=")
    return _update(text)


# --- reading the request ---------------------------------------------------------------------------


def _operation() -> tuple[str, str | None]:
    """``("query" | "update", text)`` from the request, as the protocol allows them to be sent."""
    if request.method in ("GET", "HEAD"):  # HEAD: as GET, without the body (Flask drops it)
        if "update" in request.args:
            raise HTTPError(400, "a SPARQL update must be sent with POST, never GET")
        return "query", _single(request.args, "query")
    mimetype = request.mimetype
    if mimetype in (QUERY_TYPE, UPDATE_TYPE):
        kind = "query" if mimetype == QUERY_TYPE else "update"
        return kind, _checked(_utf8(request.get_data(cache=False)))
    if mimetype in (FORM_TYPE, "multipart/form-data"):
        query, update_text = _single(request.form, "query"), _single(request.form, "update")
        if query is not None and update_text is not None:
            raise HTTPError(400, "send either query= or update=, not both")
        return ("update", update_text) if update_text is not None else ("query", query)
    raise HTTPError(
        415,
        f"unsupported request type {mimetype or '(none)'}; POST {QUERY_TYPE}, {UPDATE_TYPE} or {FORM_TYPE}",
    )


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPError(400, f"the request body is not UTF-8 (byte {exc.start}); SPARQL is sent as UTF-8") from None


def _single(values, name: str) -> str | None:
    texts = values.getlist(name)
    if len(texts) > 1:
        raise HTTPError(400, f"the {name} parameter was given {len(texts)} times; give it once")
    return _checked(texts[0]) if texts else None


def _checked(text: str) -> str:
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if len(text) > limit:
        raise HTTPError(413, f"the SPARQL text is {len(text)} characters long; this server takes at most {limit}")
    return text


def _param(name: str) -> str | None:
    return request.args.get(name) or (request.form.get(name) if request.mimetype == FORM_TYPE else None)


def _graphs(name: str) -> list[str] | None:
    iris = request.args.getlist(name) + (request.form.getlist(name) if request.mimetype == FORM_TYPE else [])
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HTTPError(400, f"{name} must be an absolute IRI, not {iri!r}") from None
    return iris or None


# --- queries ------------------------------------------------------------------------------------------


def _query(text: str) -> Response:
    forbidden, form, deep = _checks(text)
    if forbidden:
        raise HTTPError(400, refusal(forbidden))
    if deep:
        raise HTTPError(400, deep)
    results, graph = _formats(form)
    default_graph, named_graphs = _graphs("default-graph-uri"), _graphs("named-graph-uri")
    if named_graphs is not None and default_graph is None:
        default_graph = []  # the protocol: naming only graphs leaves the default graph empty
    request_ = QueryRequest(
        query=text,
        results_format=results.media_type if results else None,
        rdf_format=graph.media_type if graph else None,
        default_graph=default_graph,
        named_graphs=named_graphs,
        base_iri=current_app.config["BASE_IRI"],
    )
    try:
        answer = get_pool().execute(request_)
    except HTTPError as exc:
        raise _explained(exc, text) from None
    if answer.complete is not None:
        return Response(answer.complete, content_type=_content_type(answer.media_type))
    return Response(answer.chunks, content_type=_content_type(answer.media_type), direct_passthrough=True)


def _shallow(text: str) -> None:
    """400 for a text nested too deep for the engine to parse safely, before anything parses it."""
    reason = too_deep(text)
    if reason:
        raise HTTPError(400, reason)


def _explained(error: HTTPError, text: str) -> HTTPError:
    """The parser's error, with a plain explanation where its own is cryptic."""
    prefix = undeclared_prefix(text, PREFIXES) if "Prefix not found" in error.message else None
    if prefix is None:
        return error
    position = re.search(r"error at \d+:\d+", error.message)
    predeclared = ", ".join(f"{name}:" for name in PREFIXES)
    return HTTPError(
        400,
        f"invalid SPARQL: {position.group() + ': ' if position else ''}unknown prefix {prefix}: — declare it with "
        f"PREFIX {prefix}: <...>; predeclared here: {predeclared}",
    )


def _checks(text: str) -> tuple[str | None, str | None, str | None]:
    """A query's forbidden operation if any, its form, and why it is nested too deep to parse safely
    if it is; remembered for short, repeated queries."""
    return _checks_cached(text) if len(text) <= 4096 else _check_text(text)


def _check_text(text: str) -> tuple[str | None, str | None, str | None]:
    forbidden = forbidden_operation(text)
    return forbidden, None if forbidden else query_form(text), too_deep(text)


_checks_cached = lru_cache(maxsize=1024)(_check_text)


def _formats(form: str | None) -> tuple[Format | None, Format | None]:
    """The results format and the graph format for this request; 406 if the query's kind has none."""
    requested = _param("format")
    if requested:
        results, graph = _lookup(results_format, requested), _lookup(rdf_format, requested)
        if results is None and graph is None:
            raise HTTPError(400, f"unknown format {requested!r}; choose one of " + ", ".join(_names()))
    else:
        results, graph = _negotiated(request.headers.get("Accept"))
    if form in ("SELECT", "ASK") and results is None:
        raise _not_acceptable("SELECT and ASK results", RESULTS_FORMATS)
    if form in ("CONSTRUCT", "DESCRIBE") and graph is None:
        raise _not_acceptable("CONSTRUCT and DESCRIBE graphs", RDF_FORMATS)
    return results, graph


def _lookup(table, key: str) -> Format | None:
    try:
        return table(key)
    except UnknownFormat:
        return None


def _negotiated(accept: str | None) -> tuple[Format | None, Format | None]:
    """The best results format and graph format for an ``Accept`` header, remembered (clients repeat theirs)."""
    return _negotiated_cached(accept) if not accept or len(accept) <= 512 else _negotiate_both(accept)


def _negotiate_both(accept: str | None) -> tuple[Format | None, Format | None]:
    results = negotiate(accept, RESULTS_FORMATS, default="json")
    graph = negotiate(accept, RDF_FORMATS, default="turtle")
    if graph is None and accept:
        graph = _json_ld_for_json(accept)
    return results, graph


_negotiated_cached = lru_cache(maxsize=256)(_negotiate_both)


def _json_ld_for_json(accept: str) -> Format | None:
    """A client that accepts plain JSON gets a graph as JSON-LD."""
    if parse_accept_header(accept, MIMEAccept)["application/json"] > 0:
        return rdf_format("jsonld")
    return None


def _names() -> list[str]:
    return [f.name for f in (*RESULTS_FORMATS, *RDF_FORMATS)]


def _not_acceptable(what: str, table) -> HTTPError:
    offered = ", ".join(f.media_type for f in table)
    return HTTPError(406, f"none of the types in your Accept header can carry {what}; this server offers {offered}")


def _content_type(media_type: str) -> str:
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


def get_pool() -> QueryPool | RemoteRunner:
    """The app's query workers, started on the first query (a pass-through for a remote store)."""
    pool = current_app.extensions.get(_POOL)
    if pool is None:
        with _pool_lock:
            pool = current_app.extensions.get(_POOL)
            if pool is None:
                pool = _new_runner(db.get_store(), current_app.config)
                current_app.extensions[_POOL] = pool
    return pool


def _new_runner(store, config) -> QueryPool | RemoteRunner:
    if not isinstance(store, db.ServerStore):
        return RemoteRunner(store, PREFIXES)
    return QueryPool(store, size=int(config["QUERY_WORKERS"]), timeout=float(config["QUERY_TIMEOUT"]),
                     prefixes=PREFIXES, memory_mb=int(config["QUERY_MEMORY_MB"]),
                     stream_timeout=config.get("QUERY_STREAM_TIMEOUT"),
                     cache_bytes=int(float(config.get("QUERY_CACHE_MB") or 0) * 2**20))


def close_pool(app: Flask) -> None:
    """Stop the app's query workers and remove their snapshots (tests; the server does it at exit)."""
    pool = app.extensions.pop(_POOL, None)
    if pool is not None:
        pool.close()


# --- updates --------------------------------------------------------------------------------------------


def _update(text: str | None) -> Response:
    if request.method != "POST":
        raise HTTPError(405, "a SPARQL update must be sent with POST")
    _authorize()
    if not text or not text.strip():
        raise HTTPError(400, "the update is empty")
    forbidden = forbidden_operation(text)
    if forbidden:
        raise HTTPError(400, refusal(forbidden))
    _shallow(text)
    prologue = sparql_prologue()
    with _update_lock:
        try:
            store = db.get_store()
            # the derived figures may no longer follow: the next kg ingest recomputes them all
            store.update(prologue + text, then=[pending_update(new_write("update"), union=store.union_graph)])
        except SyntaxError as exc:
            raise HTTPError(400, "invalid SPARQL update: " + shift_error_lines(str(exc), prologue.count("\n"))) from None
        except (ValueError, RuntimeError, OSError) as exc:
            raise HTTPError(400, f"the update failed and changed nothing: {exc}") from None
        pool = current_app.extensions.get(_POOL)
        if pool is not None:
            pool.refresh()
    return Response(status=204)


def _authorize() -> None:
    token = current_app.config.get("UPDATE_TOKEN")
    if not token:
        raise HTTPError(403, "SPARQL Update is off on this server; start `kg serve --update-token TOKEN` to allow it")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise HTTPError(401, "SPARQL Update needs the server's token: send 'Authorization: Bearer TOKEN'",
                        headers={"WWW-Authenticate": 'Bearer realm="kg update"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPError(403, "wrong update token")


# --- no query: the page or the service description ---------------------------------------------------


def _browser(accept: str | None) -> bool:
    """Whether the client prefers HTML (remembered for the usual, short ``Accept`` headers)."""
    return _prefers_html_cached(accept) if not accept or len(accept) <= 512 else prefers_html(accept)


_prefers_html_cached = lru_cache(maxsize=256)(prefers_html)


def _no_query() -> Response:
    accept = request.headers.get("Accept")
    if _browser(accept):
        return _page("")
    fmt = negotiate(accept, RDF_FORMATS, default="turtle")
    if fmt is None:
        raise HTTPError(400, "no query: send one as query= (GET or a POSTed form) or POST it as application/sparql-query")
    data = ox.serialize(ox.parse(_service_description().encode(), ox.RdfFormat.TURTLE), format=fmt.engine)
    return Response(data, content_type=_content_type(fmt.media_type))


_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads",
    "trig": "TriG", "jsonld": "JSON-LD", "rdfxml": "RDF_XML", "n3": "N3",
}


def _service_description() -> str:
    """This endpoint in the SPARQL 1.1 Service Description vocabulary, as Turtle."""
    endpoint = request.base_url
    languages = "sd:SPARQL11Query" + (", sd:SPARQL11Update" if current_app.config.get("UPDATE_TOKEN") else "")
    formats = ", ".join(f"<http://www.w3.org/ns/formats/{name}>" for name in _FORMAT_IRIS.values())
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix void: <http://rdfs.org/ns/void#> .
<{endpoint}#service> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage {languages} ;
  sd:resultFormat {formats} ;
  sd:feature sd:UnionDefaultGraph ;
  sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
  dcterms:description "Conflict knowledge graph: attacks, actors, places and casualty claims extracted from news articles, one named graph per article. Without a dataset in the request the default graph is the union of all graphs. SERVICE and LOAD are refused; a query that has not started answering after {current_app.config['QUERY_TIMEOUT']:g} s is stopped." ;
  sd:defaultDataset [ a sd:Dataset ;
    sd:defaultGraph [ a sd:Graph ] ;
    sd:namedGraph [ a sd:NamedGraph ; sd:name <https://w3id.org/ckg/ontology> ] ;
    void:vocabulary <{PREFIXES['ckg']}> ] .
"""


def _page(query: str) -> Response:
    base = current_app.config["BASE_IRI"]
    return Response(
        render_template(
            "sparql.html",
            query=query,
            examples=EXAMPLES,
            prefixes=PREFIXES,
            base_iri=base,
            entity_root=request.script_root + urlsplit(base).path,
            update_enabled=bool(current_app.config.get("UPDATE_TOKEN")),
            timeout=current_app.config["QUERY_TIMEOUT"],
        ),
        mimetype="text/html",
    )
