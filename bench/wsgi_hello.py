"""The bare WSGI app of ``bench/endpoint.py``'s HTTP-server table: two bytes, no framework."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
