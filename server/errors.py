"""One error class carrying its HTTP status, turned into a response in one place.

Clients that asked for JSON get ``{"error": ..., "status": ...}``; others get plain text (or the
HTML error page when the pages blueprint provides a template). Never a traceback.
"""
from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException


class HTTPError(Exception):
    """An error a client caused or must know about, with the status to answer."""

    def __init__(self, status: int, message: str, *, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPError, _from_http_error)
    app.register_error_handler(HTTPException, _from_werkzeug)
    app.register_error_handler(Exception, _from_unexpected)


def error_response(status: int, message: str, headers: dict | None = None) -> Response:
    """The response for an error, in the representation the client prefers."""
    if wants_json():
        response = jsonify({"error": message, "status": status})
    elif request.accept_mimetypes.best_match(["text/html", "text/plain"]) == "text/html" and _explicit_html():
        response = _html_error(status, message)
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = status
    response.headers.update(headers or {})
    return response


def wants_json() -> bool:
    """Whether the client asked for JSON of any kind (SPARQL results, JSON-LD, plain) above HTML.

    A SPARQL client sending ``Accept: application/sparql-results+json`` gets its errors as JSON too.
    """
    if request.args.get("format") == "json" or request.path.endswith(".json"):
        return True
    accept = request.accept_mimetypes
    json_quality = max((q for mimetype, q in accept if mimetype.endswith(("/json", "+json"))), default=0)
    html_quality = accept["text/html"] if _explicit_html() else 0
    return json_quality > 0 and json_quality >= html_quality


def _explicit_html() -> bool:
    return any(mimetype in ("text/html", "application/xhtml+xml") for mimetype, _ in request.accept_mimetypes)


def _html_error(status: int, message: str) -> Response:
    try:
        body = render_template("error.html", status=status, message=message)
    except TemplateNotFound:
        from markupsafe import escape

        body = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{escape(message)}</p>"
    return Response(body, mimetype="text/html")


def _from_http_error(exc: HTTPError) -> Response:
    return error_response(exc.status, exc.message, exc.headers)


def _from_werkzeug(exc: HTTPException) -> Response:
    return error_response(exc.code or 500, exc.description or exc.name)


def _from_unexpected(exc: Exception) -> Response:
    from flask import current_app

    current_app.logger.exception("unexpected error on %s", request.path)
    return error_response(500, "internal error; the server log has the details")
