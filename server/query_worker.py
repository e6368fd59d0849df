"""A SPARQL query worker process: runs queries on a read-only store snapshot, streams the results back.

Started by :mod:`server.query_runner` as ``python -I query_worker.py SNAPSHOT PREFIXES_JSON MEGABYTES``; it
imports only the standard library and pyoxigraph, so it starts fast. Before it opens the snapshot it
gives up the ability to open network sockets (a seccomp filter: ``socket``, ``connect`` and
``io_uring_setup`` fail with EACCES), so even a query that slipped past the endpoint's SERVICE check
could not reach another host; and it caps its heap at MEGABYTES (0: no cap), so a query that needs
more memory aborts this process instead of exhausting the machine.

Started as ``python -I query_worker.py --writer STORE`` it is the store's writer instead: it holds the
store read-write under the same network sandbox and runs ``U`` (SPARQL Update) and ``B`` (snapshot into
the folder given) requests, answering ``E`` or ``X``.

Protocol over stdin/stdout, one frame = 1-byte tag + 4-byte big-endian length + payload:

- worker → server ``R`` (ready, JSON ``{"sandboxed": bool}``) once, after opening the snapshot;
- server → worker ``Q`` (JSON request: ``query``, ``default_graph``, ``named_graphs``, ``base_iri``,
  ``results_format``, ``rdf_format`` — media types, null when the client accepts none);
- worker → server ``H`` (the media type of the answer, sent with its first bytes), ``D`` frames (chunks
  of the serialized results, about 64 KiB), then ``E`` (end); or ``X`` (JSON ``{"status",
  "message"}``) when the query fails, before ``H`` or after some ``D`` frames.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import struct
import sys

import pyoxigraph as ox

READY, REQUEST, HEAD, DATA, END, ERROR = b"R", b"Q", b"H", b"D", b"E", b"X"
UPDATE, BACKUP = b"U", b"B"  # the writer's requests
HEADER = struct.Struct(">cI")
CHUNK = 64 * 1024


class Channel:
    """Frames over a pair of file descriptors."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd

    def send(self, tag: bytes, payload: bytes = b"") -> None:
        self.write(HEADER.pack(tag, len(payload)) + payload)

    def write(self, data: bytes) -> None:
        """Write already framed bytes."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view) :]

    def receive(self) -> tuple[bytes, bytes] | None:
        header = self._read_exact(HEADER.size)
        if header is None:
            return None
        tag, length = HEADER.unpack(header)
        return tag, self._read_exact(length) or b""

    def _read_exact(self, size: int) -> bytes | None:
        parts, missing = [], size
        while missing:
            part = os.read(self.read_fd, missing)
            if not part:
                return None
            parts.append(part)
            missing -= len(part)
        return b"".join(parts)


class FrameWriter:
    """A binary file object for pyoxigraph's serializers that sends what it gets as frames.

    Frames are batched: a small answer (``H``, ``D``, ``E``) leaves in a single write.
    """

    def __init__(self, channel: Channel, media_type: str) -> None:
        self.channel = channel
        self.pending = bytearray(HEADER.pack(HEAD, len(media_type)) + media_type.encode())
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self._flush_buffer()
            self._send_pending()
        return len(data)

    def flush(self) -> None:
        """Batching is ours: the serializer's flushes do not cut frames."""

    def finish(self) -> None:
        self._flush_buffer()
        self.pending += HEADER.pack(END, 0)
        self._send_pending()

    def _flush_buffer(self) -> None:
        if self.buffer:
            self.pending += HEADER.pack(DATA, len(self.buffer)) + self.buffer
            self.buffer.clear()

    def _send_pending(self) -> None:
        self.channel.write(bytes(self.pending))
        self.pending.clear()


class QueryFailed(Exception):
    """A query that cannot be answered, with the HTTP status to tell the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def run(store: ox.Store, request: dict, prefixes: dict, channel: Channel) -> None:
    """Answer one request with ``D``… ``E`` frames or an ``X`` frame."""
    try:
        result = store.query(request["query"], prefixes=prefixes, base_iri=request.get("base_iri"), **_dataset(request))
        if isinstance(result, ox.QueryTriples):
            media_type = _required(request.get("rdf_format"), "an RDF graph (CONSTRUCT or DESCRIBE)")
            fmt = ox.RdfFormat.from_media_type(media_type)
            writer = FrameWriter(channel, media_type)
            ox.serialize(result, writer, fmt, prefixes=prefixes if fmt in _PREFIXED else None)
        else:
            media_type = _required(request.get("results_format"), "query results (SELECT or ASK)")
            writer = FrameWriter(channel, media_type)
            result.serialize(writer, ox.QueryResultsFormat.from_media_type(media_type))
        writer.finish()
    except QueryFailed as exc:
        _fail(channel, exc.status, str(exc))
    except SyntaxError as exc:
        _fail(channel, 400, f"invalid SPARQL: {exc}")
    except (ValueError, TypeError, RuntimeError) as exc:
        if _network_refused(exc):
            _fail(channel, *_os_failure("query", OSError(str(exc))))
        else:
            _fail(channel, 400, f"the query cannot be evaluated: {exc}")
    except OSError as exc:
        _fail(channel, *_os_failure("query", exc))


def _os_failure(what: str, exc: OSError) -> tuple[int, str]:
    """Status and message for an OSError: refused network access (the sandbox) is the client's doing."""
    if _network_refused(exc):
        return 400, (f"the {what} tried to open a network connection (SERVICE or LOAD), which this server's "
                     f"SPARQL processes cannot do")
    return 500, f"the {what} failed while reading or writing the store: {exc}"


def _network_refused(exc: Exception) -> bool:
    """Whether ``exc`` is the sandbox's refusal (EACCES from socket/connect), as the engine reports it."""
    text = str(exc)
    return "os error 13" in text or "Permission denied" in text


_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3}


def _dataset(request: dict) -> dict:
    """Store.query arguments for the protocol's dataset: the store's default graph (the set union of
    all graphs, kept by every write) unless graphs are named."""
    default, named = request.get("default_graph"), request.get("named_graphs")
    if default is None and named is None:
        return {}
    dataset = {"default_graph": [ox.NamedNode(iri) for iri in default or []]}
    if named is not None:
        dataset["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    return dataset


def _required(media_type: str | None, what: str) -> str:
    if not media_type:
        raise QueryFailed(406, f"this query returns {what}, and none of the formats you accept can carry it")
    return media_type


def _fail(channel: Channel, status: int, message: str, *, kind: str | None = None) -> None:
    channel.send(ERROR, json.dumps({"status": status, "message": message, "kind": kind}).encode())


# --- the network sandbox --------------------------------------------------------------------------

_ARCHES = {  # machine → (AUDIT_ARCH_*, syscall numbers of socket, connect, io_uring_setup)
    "x86_64": (0xC000003E, (41, 42, 425)),
    "aarch64": (0xC00000B7, (198, 203, 425)),
}


def forbid_network() -> bool:
    """Install a seccomp filter failing ``socket``/``connect``/``io_uring_setup``; False if unsupported."""
    arch = _ARCHES.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        return False
    audit_arch, blocked = arch
    program = _filter_program(audit_arch, blocked, x32_guard=platform.machine() == "x86_64")
    libc = ctypes.CDLL(None, use_errno=True)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    code = ctypes.create_string_buffer(program)
    fprog = SockFprog(len(program) // 8, ctypes.cast(code, ctypes.c_void_p))
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) == 0


def _filter_program(audit_arch: int, blocked: tuple[int, ...], *, x32_guard: bool) -> bytes:
    """Classic BPF: wrong architecture or a blocked syscall → EACCES, anything else → allowed."""
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    checks = [op(jeq, nr, 0, 1) + op(ret, deny) for nr in blocked]
    if x32_guard:  # x32 ABI syscalls have bit 30 set; refuse them rather than check them twice
        checks.insert(0, op(jge, 0x40000000, 0, 1) + op(ret, deny))
    return (
        op(ld_abs, 4)  # seccomp_data.arch
        + op(jeq, audit_arch, 1, 0)
        + op(ret, deny)
        + op(ld_abs, 0)  # seccomp_data.nr
        + b"".join(checks)
        + op(ret, allow)
    )


def limit_memory(megabytes: int) -> None:
    """Cap the heap (RLIMIT_DATA): a query needing more aborts this process, not the machine."""
    if megabytes > 0:
        import resource

        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def write(store: ox.Store, tag: bytes, payload: bytes, channel: Channel) -> None:
    """Run one writer request (an update, or a snapshot into a new folder); ``E`` or ``X``."""
    try:
        if tag == UPDATE:
            store.update(payload.decode("utf-8"))
        elif tag == BACKUP:
            store.backup(payload.decode("utf-8"))
        else:
            raise ValueError(f"unknown request {tag!r}")
    except SyntaxError as exc:
        _fail(channel, 400, str(exc), kind="syntax")
    except (ValueError, TypeError, RuntimeError, OSError) as exc:
        status, message = _os_failure("update", OSError(str(exc))) if _network_refused(exc) else (400, str(exc))
        _fail(channel, status, message, kind="failed")
    else:
        channel.send(END)


def writer_main(path: str, channel: Channel) -> int:
    """The store's writer: holds the store read-write (and its lock), without network, for the server.

    Sends ``X`` (status 409 when another process holds the store) instead of ``R`` if it cannot open it.
    """
    sandboxed = forbid_network()
    try:
        store = ox.Store(path)
    except OSError as exc:
        _fail(channel, 409 if "lock" in str(exc).lower() else 500, str(exc))
        return 1
    channel.send(READY, json.dumps({"sandboxed": sandboxed}).encode())
    while (frame := channel.receive()) is not None:
        write(store, *frame, channel)
    return 0


def main(argv: list[str]) -> int:
    if argv[1] == "--writer":
        channel = Channel(sys.stdin.fileno(), sys.stdout.fileno())
        sys.stdout = sys.stderr
        return writer_main(argv[2], channel)
    snapshot, prefixes, memory = argv[1], json.loads(argv[2]), int(argv[3])
    channel = Channel(sys.stdin.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr  # nothing but frames may reach the pipe
    limit_memory(memory)
    sandboxed = forbid_network()
    store = ox.Store.read_only(snapshot)
    channel.send(READY, json.dumps({"sandboxed": sandboxed}).encode())
    while (frame := channel.receive()) is not None:
        tag, payload = frame
        if tag == REQUEST:
            run(store, json.loads(payload), prefixes, channel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
