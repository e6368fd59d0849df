"""The SPARQL scanner that finds the query form and refused operations without a full parse."""
from __future__ import annotations

import doctest

import pytest

from server import sparql_text
from server.sparql_text import forbidden_operation, query_form, shift_error_lines, undeclared_prefix


def test_doctests():
    assert doctest.testmod(sparql_text).failed == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", "SERVICE"),
        ("select * { service <http://e/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * { SERVICE SILENT <http://e/> { } }", "SERVICE"),
        ("SELECT * { SERVICE ?endpoint { } }", "SERVICE"),
        ("SELECT * { SERVICE ex:endpoint { } }", "SERVICE"),
        ("SELECT * {SERVICE<http://e/>{}}", "SERVICE"),
        (r"SELECT * { \u0053ERVICE <http://e/> { } }", "SERVICE"),
        (r"SELECT * { \U00000053ERVICE <http://e/> { } }", "SERVICE"),
        ("SELECT * { ?s ?p ?o FILTER(?s<?o)SERVICE#>\n<http://e/> { } }", "SERVICE"),
        ("SELECT * { ?s ?p 'it''s' . SERVICE <http://e/> { } }", "SERVICE"),
        ('SELECT * { ?s ?p """a " quote""" . SERVICE <http://e/> { } }', "SERVICE"),
        ("LOAD <http://e/data.ttl>", "LOAD"),
        ("load silent <file:///etc/passwd> into graph <urn:g>", "LOAD"),
    ],
)
def test_refused_operations_are_found(text, expected):
    assert forbidden_operation(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s ?p "SERVICE <http://e/> { }" }',
        "SELECT * { ?s ?p '''\nSERVICE <http://e/>\n''' }",
        "SELECT * { ?s <http://e/SERVICE> ?o }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://e/> { }",
        "SELECT ?service ?load WHERE { ?service ex:SERVICE ?load ; :load _:service }",
        'SELECT * { ?s ?p "x"@service }',
        'SELECT * { ?s ?p "it\\"s SERVICE" }',
        "PREFIX service: <http://e/> SELECT * { ?s service:load ?o }",
    ],
)
def test_the_words_elsewhere_are_not_operations(text):
    assert forbidden_operation(text) is None


@pytest.mark.parametrize(
    "text, form",
    [
        ("PREFIX ex: <http://e/> SELECT * {}", "SELECT"),
        ("BASE <http://e/> # ASK\nCONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }", "CONSTRUCT"),
        ("describe <http://e/x>", "DESCRIBE"),
        ("ASK {}", "ASK"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", None),
    ],
)
def test_query_form(text, form):
    assert query_form(text) == form


def test_undeclared_prefix():
    assert undeclared_prefix("SELECT * { ?s nope:p ?o }", {"ckg"}) == "nope"
    assert undeclared_prefix("PREFIX nope: <http://e/> SELECT * { ?s nope:p ckg:o }", {"ckg"}) is None


def test_shift_error_lines_keeps_the_column():
    assert shift_error_lines("error at 14:3: expected '}'", 10) == "error at 4:3: expected '}'"
