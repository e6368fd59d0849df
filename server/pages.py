"""Linked-data pages: every minted IRI dereferences to HTML or RDF, plus indexes, search, ontology.

``/id/<kind>/<slug>`` answers for the entity ``BASE_IRI + kind/slug`` whatever host serves it.
The representation comes from a suffix (``.ttl .nt .jsonld .rdf``; graphs also ``.trig .nq``) or
else from ``Accept``: HTML when a browser ranks it first, otherwise the best RDF type (Turtle for
``*/*`` or no header), 406 when nothing fits.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, redirect, render_template, request

from kg.formats import PREFIXES, Format, rdf_format
from kg.iris import KINDS
from kg.vocab import CKG, ONTOLOGY_IRI
from server import entities, listing, page_cache
from server.db import get_store, server_timing
from server.entities.common import PAGE_PARAMETERS
from server.errors import HTTPError
from server.exports import export_links, graph_download, rdf_bytes
from server.negotiation import negotiate, prefers_html
from server.render import MAX_SEARCH_LENGTH, UnsafeTerm, iri_ref

bp = Blueprint("pages", __name__)

ENTITY_FORMATS: tuple[Format, ...] = tuple(rdf_format(n) for n in ("turtle", "ntriples", "jsonld", "rdfxml"))
GRAPH_FORMATS: tuple[Format, ...] = ENTITY_FORMATS + tuple(rdf_format(n) for n in ("trig", "nquads"))
_LABELS = {"turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML", "trig": "TriG", "nquads": "N-Quads"}


# Pages carry no scripts and load nothing from elsewhere; say so, so injected markup could not run.
CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"


@bp.after_request
def _harden(response: Response) -> Response:
    timing = server_timing()
    if g.get("kg_page_cache") == "hit":
        timing = 'store;desc="0 queries";dur=0.0, cache;desc="hit"'  # a page remembered from this snapshot
    if timing:
        response.headers["Server-Timing"] = timing  # how many store queries the page ran, and their time
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


# --- negotiation helpers -------------------------------------------------------------------------


def split_suffix(name: str, formats: tuple[Format, ...]) -> tuple[str, Format | None]:
    """``raqqa.ttl`` → (``raqqa``, Turtle); a name without a known suffix is returned whole.

    >>> split_suffix("raqqa.ttl", ENTITY_FORMATS)[1].name
    'turtle'
    >>> split_suffix("raqqa", ENTITY_FORMATS)
    ('raqqa', None)
    """
    stem, dot, suffix = name.rpartition(".")
    if dot:
        for fmt in formats:
            if fmt.suffix == suffix:
                return stem, fmt
    return name, None


def choose(formats: tuple[Format, ...]) -> Format | None:
    """The RDF format the request asks for by ``Accept``, or None for HTML; 406 if nothing fits."""
    accept = request.headers.get("Accept")
    if prefers_html(accept):
        return None
    chosen = negotiate(accept, formats, default="turtle")
    if chosen is None:
        offered = ", ".join(["text/html"] + [f.media_type for f in formats])
        raise HTTPError(406, f"cannot answer with any type in Accept: {accept}; available: {offered}", headers={"Vary": "Accept"})
    return chosen


def alternates(path: str, formats: tuple[Format, ...]) -> list[dict]:
    """The data versions of a page: one link per format, by suffix."""
    return [
        {"name": f.name, "label": _LABELS.get(f.name, f.name), "media_type": f.media_type, "href": f"{path}.{f.suffix}", "suffix": f.suffix}
        for f in formats
    ]


def html_page(template: str, path: str, formats: tuple[Format, ...], links: list[tuple[str, str]] = (), **context) -> Response:
    """An HTML page with its ``Link: rel=alternate`` headers (and ``links``, (rel, href) pairs such as
    the previous and next page of its list) and ``Vary: Accept``."""
    alts = alternates(path, formats)
    response = Response(render_template(template, alternates=alts, **context), mimetype="text/html")
    response.headers["Link"] = ", ".join([f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"' for a in alts]
                                         + [f'<{href}>; rel="{rel}"' for rel, href in links])
    response.headers["Vary"] = "Accept"
    return response


def rdf_response(triples, fmt: Format, filename: str) -> Response:
    """A CONSTRUCT result serialized in ``fmt`` (Turtle with prefixes, JSON-LD with the context)."""
    response = Response(rdf_bytes(triples, fmt), mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def not_found(fmt: Format | None, message: str) -> Response:
    """A 404 in the representation asked for: the HTML page, or a short valid RDF/JSON body."""
    if fmt is None:
        response = Response(render_template("error.html", status=404, message=message), status=404, mimetype="text/html")
    elif fmt.name == "jsonld":
        import json

        response = Response(json.dumps({"error": message, "status": 404}), status=404, mimetype=fmt.media_type)
    elif fmt.name == "rdfxml":
        comment = message.replace("--", "- -")
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- {comment} -->\n<rdf:RDF xmlns:rdf="{PREFIXES["rdf"]}"/>\n'
        response = Response(body, status=404, mimetype=fmt.media_type)
    else:
        body = "# " + " ".join(message.splitlines()) + "\n"
        response = Response(body, status=404, mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response


# --- entities ------------------------------------------------------------------------------------


@bp.get("/id/<kind>/<path:name>")
def entity(kind: str, name: str) -> Response:
    """Dereference a minted IRI: its page, or its RDF."""
    formats = GRAPH_FORMATS if kind == "graph" else ENTITY_FORMATS
    slug, fmt = split_suffix(name, formats)
    if fmt is None:
        fmt = choose(formats)
    pages = () if fmt else tuple((name, request.args[name]) for name in PAGE_PARAMETERS if name in request.args)
    return page_cache.remembered(("entity", kind, slug, fmt.name if fmt else "html", pages),
                                 lambda: _entity(kind, slug, fmt, formats))


def _entity(kind: str, slug: str, fmt: Format | None, formats: tuple[Format, ...]) -> Response:
    iri = current_app.config["BASE_IRI"] + f"{kind}/{slug}"
    if not _queryable(iri):
        return not_found(fmt, f"nothing is known about {printable(kind + '/' + slug)}: no entity can have this name, it "
                              f"is not a valid IRI (a bad percent-encoding, or characters an IRI cannot hold)")
    if kind not in KINDS or not entities.exists(iri):
        return not_found(fmt, f"nothing is known about <{iri}>")
    filename = f"{kind}-{slug}"
    if kind == "graph":
        if fmt is not None:
            return graph_download(iri, fmt, f"{filename}.{fmt.suffix}")
        return html_page("graph.html", f"/id/{kind}/{slug}", formats, graph=entities.graph_view(iri))
    if fmt is not None:
        triples = get_store().query(entities.describe_query(iri))
        return rdf_response(triples, fmt, f"{filename}.{fmt.suffix}")
    template, context = _view(kind, iri)
    paged = getattr(context.get("view"), "paging", None)
    return html_page(template, f"/id/{kind}/{slug}", formats, links=paged.links() if paged else [], **context)


def printable(text: str, limit: int = 120) -> str:
    """``text`` quoted, with control and invisible characters escaped, cut to ``limit`` characters.

    >>> print(printable("two\\nlines"))
    'two\\nlines'
    """
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def _queryable(iri: str) -> bool:
    try:
        iri_ref(iri)
    except UnsafeTerm:
        return False
    return True


_VIEWS = {
    "attack": ("attack.html", entities.attack_view),
    "actor": ("actor.html", entities.actor_view),
    "place": ("place.html", entities.place_view),
    "article": ("article.html", entities.article_view),
}


def _view(kind: str, iri: str) -> tuple[str, dict]:
    """The template and data for an entity page of ``kind``."""
    if kind in _VIEWS:
        template, build = _VIEWS[kind]
        view = build(iri)
        return template, {"view": view, "entity": view.entity}
    if kind == "claim":
        page = entities.claim_view(iri)
        return "claim.html", {"entity": page.entity, "about": page.about}
    return "entity.html", {"entity": entities.entity_view(iri)}


# --- indexes, search, home -----------------------------------------------------------------------


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise HTTPError(400, f"page must be a positive whole number, not {raw[:20]!r}")
    page = int(raw)
    if (page - 1) * listing.PAGE_SIZE > listing.MAX_OFFSET:
        raise HTTPError(400, f"page {page} is beyond the last page this server lists")
    return page


def _search_text() -> str | None:
    text = request.args.get("q", "").strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise HTTPError(400, f"search text is {len(text)} characters; the limit is {MAX_SEARCH_LENGTH}")
    return text or None


@bp.get("/<any(attacks, actors, places, claims, articles):kind>")
def index(kind: str) -> Response:
    """One page of a class index, sorted and optionally filtered by name."""
    spec = listing.INDEXES[kind]
    sort = request.args.get("sort")
    if sort is not None and sort not in spec.sorts:
        raise HTTPError(400, f"cannot sort {kind} by {sort[:40]!r}; choose one of {', '.join(spec.sorts)}")
    page = listing.listing(spec, page=_page_number(), sort=sort, search=_search_text())
    return Response(render_template("index.html", listing=page, search_query=page.search or ""), mimetype="text/html")


@bp.get("/search")
def search() -> Response:
    """Entities whose name or alternate name contains the search text."""
    text = _search_text()
    page = _page_number()
    hits, total = listing.search(text, page) if text else ([], 0)
    pages = max(1, -(-total // listing.PAGE_SIZE))
    return Response(
        render_template("search.html", hits=hits, total=total, page=page, pages=pages, search_query=text or ""),
        mimetype="text/html",
    )


@bp.get("/")
def home() -> Response:
    """What the store holds, where to start, the query page and the downloads."""
    counts = listing.counts()
    attacks = listing.listing(listing.INDEXES["attacks"], sort="date").rows[:10]
    articles = listing.listing(listing.INDEXES["articles"], sort="issued").rows[:10]
    exports = export_links()
    return Response(
        render_template("home.html", counts=counts, attacks=attacks, articles=articles, exports=exports, indexes=listing.INDEXES),
        mimetype="text/html",
    )


# --- the ontology --------------------------------------------------------------------------------


@bp.get("/ontology")
@bp.get("/ontology.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology documented as HTML, or its Turtle (and other RDF) by suffix or ``Accept``."""
    fmt = None
    if suffix is not None:
        _, fmt = split_suffix(f"ontology.{suffix}", ENTITY_FORMATS)
        if fmt is None:
            raise HTTPError(404, f"no ontology format .{suffix}; choose one of {', '.join(f.suffix for f in ENTITY_FORMATS)}")
    else:
        fmt = choose(ENTITY_FORMATS)
    loaded = get_store().has_graph(ONTOLOGY_IRI)
    if fmt is not None:
        if not loaded:
            return not_found(fmt, "the ontology is not loaded in this store; `kg ingest` loads it")
        return graph_download(ONTOLOGY_IRI, fmt, f"ckg.{fmt.suffix}")
    terms = listing.ontology_terms() if loaded else []
    return html_page(
        "ontology.html", "/ontology", ENTITY_FORMATS, terms=terms, loaded=loaded, title=listing.ontology_title(), namespace=ONTOLOGY_IRI + "#"
    )


@bp.get("/ontology/<name>")
def ontology_term(name: str) -> Response:
    """``/ontology/Attack`` → the term's entry on the ontology page."""
    if not name.replace("_", "").isalnum():
        raise HTTPError(404, f"no ontology term {name[:40]!r}")
    return redirect(f"/ontology#{name}", code=303)
