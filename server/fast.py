"""The hot path of ``/sparql``: the usual query request answered in plain WSGI, without Flask.

A point lookup takes Oxigraph about half a millisecond; Flask's request and response objects, its
routing, its ``after_request`` hooks and its header parsing cost as much again. So the requests that
make up a SPARQL client's traffic — ``GET /sparql?query=…`` and ``POST`` of
``application/sparql-query``, the results negotiated by ``Accept`` — are answered here: the checks
of the Flask view (length, SERVICE/LOAD, nesting depth, the query form, negotiation; all but the
length remembered for repeated texts), the hand-off to a warm query worker, and the worker's
serialised bytes passed on as they are, with the headers the Flask view would send.

Everything else goes to Flask unchanged: other paths, updates, forms, ``format=`` and dataset
parameters, browsers (the query page), HEAD, and every request the checks refuse, so each error
has one wording and one representation (:mod:`server.errors`). An error found after the hand-off
(the engine's own, a timeout) is handed to the Flask view through the WSGI environ, which raises it
there (:func:`raise_handed_over`).
"""
from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import unquote_plus

from server.errors import HTTPError

ERROR_KEY = "kg.sparql.error"
QUERY_TYPE = "application/sparql-query"
_STATUS_OK = "200 OK"
_REMEMBERED = 4096  # texts and Accept headers up to this length are remembered once checked


class SparqlFastPath:
    """WSGI middleware in front of the Flask app's own ``wsgi_app``."""

    def __init__(self, app, flask_wsgi) -> None:
        from server import sparql

        self.app, self.flask_wsgi, self.sparql = app, flask_wsgi, sparql
        self.max_length = int(app.config["MAX_QUERY_LENGTH"])
        self.max_body = int(app.config["MAX_CONTENT_LENGTH"] or 0)
        self.base_iri = app.config["BASE_IRI"]
        self.common_headers = [*sparql.CORS_HEADERS.items(), ("Vary", "Accept"), ("X-Content-Type-Options", "nosniff")]
        self._prepared = lru_cache(maxsize=1024)(self._prepare)
        self._prepared_get = lru_cache(maxsize=1024)(lambda raw, accept: self._prepare(unquote_plus(raw[6:]), accept))
        self._headers = lru_cache(maxsize=64)(self._headers_uncached)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/sparql":
            pool = self.app.extensions.get(self.sparql._POOL)
            if pool is not None:
                request = self._request(environ)
                if request is not None:
                    answered = self._answer(pool, request, environ, start_response)
                    if answered is not None:
                        return answered
        return self.flask_wsgi(environ, start_response)

    def _request(self, environ):
        """The worker's request for a plain query request, or None for anything Flask should see."""
        method = environ.get("REQUEST_METHOD")
        accept = environ.get("HTTP_ACCEPT")
        if method == "GET":
            raw = environ.get("QUERY_STRING", "")
            if not raw.startswith("query=") or "&" in raw:
                return None  # no query, or other parameters (format=, datasets, a repeated query=)
            if len(raw) <= _REMEMBERED and (accept is None or len(accept) <= _REMEMBERED):
                return self._prepared_get(raw, accept)
            return self._prepare(unquote_plus(raw[6:]), accept)
        if method == "POST" and not environ.get("QUERY_STRING"):
            text = self._posted_query(environ)
            if text is None:
                return None
            if len(text) <= _REMEMBERED and (accept is None or len(accept) <= _REMEMBERED):
                return self._prepared(text, accept)
            return self._prepare(text, accept)
        return None

    def _posted_query(self, environ) -> str | None:
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type.partition(";")[0].strip().lower() != QUERY_TYPE:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return None
        if length < 0 or (self.max_body and length > self.max_body):
            return None  # chunked or too large: Flask reads and refuses it
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # Flask reads it again if this path declines
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or len(text) > self.max_length:
            environ[ERROR_KEY] = self._refusal_of_body(body, text)
            return None
        return text

    def _prepare(self, text: str, accept: str | None):
        """The query request for ``text`` and ``Accept``; None when the Flask view must answer (an
        error to word, the query page). Remembered for short texts (clients repeat theirs)."""
        sparql = self.sparql
        if len(text) > self.max_length or sparql._browser(accept):
            return None
        forbidden, form, deep = sparql._checks(text)
        if forbidden or deep:
            return None
        results, graph = sparql._negotiated(accept)
        if (form in ("SELECT", "ASK") and results is None) or (form in ("CONSTRUCT", "DESCRIBE") and graph is None):
            return None
        request = sparql.QueryRequest(
            query=text,
            results_format=results.media_type if results else None,
            rdf_format=graph.media_type if graph else None,
            base_iri=self.base_iri,
        )
        request.payload()  # serialised once, sent as it is every time
        return request

    def _refusal_of_body(self, body: bytes, text: str | None) -> HTTPError:
        """The Flask view's error for a body it can no longer read (the fast path consumed it)."""
        if text is None:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                return HTTPError(400, f"the request body is not UTF-8 (byte {exc.start}); SPARQL is sent as UTF-8")
        return HTTPError(413, f"the SPARQL text is {len(text)} characters long; this server takes at most {self.max_length}")

    def _answer(self, pool, request, environ, start_response):
        try:
            answer = pool.execute(request)
        except HTTPError as exc:
            environ[ERROR_KEY] = self.sparql._explained(exc, request.query)
            return None
        headers = self._headers(answer.media_type)
        if answer.complete is not None:
            start_response(_STATUS_OK, [*headers, ("Content-Length", str(len(answer.complete)))])
            return [answer.complete]
        start_response(_STATUS_OK, list(headers))
        return answer.chunks

    def _headers_uncached(self, media_type: str) -> tuple:
        return (("Content-Type", self.sparql._content_type(media_type)), *self.common_headers)


def raise_handed_over(environ) -> None:
    """Raise the error the fast path met for this request, if any (in the Flask view)."""
    error = environ.pop(ERROR_KEY, None)
    if error is not None:
        raise error


def install(app) -> None:
    """Put the fast path in front of ``app`` (``app.wsgi_app``, so Flask's test client goes through it too)."""
    app.wsgi_app = SparqlFastPath(app, app.wsgi_app)
