"""How the endpoint runs SPARQL queries: in a pool of worker processes, on a snapshot, under a time limit.

The process model, and why:

- The store is held read-write by a sandboxed writer process (:class:`StoreWriter`, owned by
  :class:`server.db.ServerStore`), so Oxigraph's lock keeps ``kg ingest`` out with a clear error.
  Updates run there, one at a time, under ``QUERY_STREAM_TIMEOUT``; a crash or a timeout costs the
  update in flight and the writer is started again.
- ``Store.query`` cannot be cancelled, so a user's query never runs in the server process. It runs in
  one of ``QUERY_WORKERS`` worker processes (:mod:`server.query_worker`), kept warm between queries.
  Each opens a read-only view of a *snapshot*: a RocksDB checkpoint made with ``Store.backup`` next
  to the store (hard links, so cheap). Nobody writes a checkpoint, so the read-only open is safe —
  unlike a read-only open of the live store beside its writer, which is undefined behaviour.
- A worker streams the serialized results back through a pipe in 64 KiB frames; the server passes
  them on as they come, so a million-row result is never held in memory by either process.
- Time limits, two as in Fuseki: a query may keep its client waiting for the first bytes of the
  answer for at most ``QUERY_TIMEOUT`` seconds (waiting for a free worker included), and its worker
  may work for at most ``QUERY_STREAM_TIMEOUT`` seconds in all (default ten times as long), so a
  million-row result that is still being sent is not cut off, but a runaway one is. Only time spent
  waiting on the worker counts: time the worker spends blocked because the client reads slowly does
  not burn a core. When a limit is hit the worker is killed (its work really stops) and replaced;
  before the first byte the client gets a 503 saying so, afterwards the connection is closed without
  the end of the response, so the client sees a truncated body, not a short answer.
- The linked-data pages' scans (indexes, search) run here too (:meth:`QueryPool.collect`), sharing
  one budget per request, so a page obeys the same limit as ``/sparql``. An entity page's own
  queries, each bounded by its entity (an IRI lookup, ``VALUES``, a LIMIT), read the pool's snapshot
  in the server process instead (:func:`server.db.read`), the limit checked between them.
- After an update a new snapshot is taken; idle workers are replaced at once, busy ones when their
  query ends; a snapshot is deleted when its last worker is gone.
- Workers and the writer have no network: see :func:`server.query_worker.forbid_network`. The
  endpoint also refuses SERVICE and LOAD up front (:mod:`server.sparql_text`), so clients get a
  clear 400.
- Workers have a memory cap (``QUERY_MEMORY_MB``, RLIMIT_DATA): a query that needs more aborts its
  worker, which is replaced, and the client gets a 503 saying so.
- A store that is itself a SPARQL server (``kg serve --store http://…``) needs none of this: queries
  pass through to it (:class:`RemoteRunner`), and it enforces its own limits.

Not done, and why: running users' queries in server threads (they could never be stopped); a read-only
open of the live store (undefined behaviour beside the writer); a new process per query (150–300 ms
of start-up on every query); pyoxigraph 0.5.13 offers no switch to turn SERVICE off, hence the scan
plus the sandbox. Known limits: a client that stops reading mid-answer (but keeps its connection
open) holds its worker until the connection is dropped (waitress drops it after ``channel_timeout``,
120 s; with granian, the default server, this was not measured).
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from server import query_worker as protocol
from server.errors import HTTPError
from server.versioned import VersionedCache

WORKER_PROGRAM = Path(protocol.__file__).resolve()
# Functions whose value changes from one evaluation to the next: a query using one is never remembered.
_VOLATILE = re.compile(r"\b(?:rand|now|uuid|struuid|bnode)\s*\(", re.IGNORECASE)
_log = logging.getLogger(__name__)


class QueryTimeout(Exception):
    """The query used up its time."""


class WorkerDied(Exception):
    """The worker process ended without answering."""


class Budget:
    """The seconds a query may still keep its client waiting."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.remaining = seconds

    def wait_readable(self, fd: int) -> None:
        """Block until ``fd`` has data, charging the wait to the budget."""
        start = time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(self.remaining, 0))
        self.remaining -= time.monotonic() - start
        if not ready:
            raise QueryTimeout


class Snapshot:
    """A checkpoint of the store that workers and the server read; removed when retired and unused.

    Whoever keeps a reference holds a use (:meth:`use`, :meth:`release`): the store while it is the
    current one, the pool, each worker, each export being streamed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.users = 0
        self.retired = False
        self._lock = threading.Lock()
        self._view = None

    def use(self) -> None:
        with self._lock:
            if self.retired and self.users <= 0:
                raise RuntimeError(f"snapshot {self.path} is already removed")
            self.users += 1

    def view(self):
        """The snapshot opened read-only in this process (safe: nobody writes a checkpoint)."""
        with self._lock:
            if self._view is None:
                from kg.store.oxigraph import OxigraphStore

                self._view = OxigraphStore(self.path, read_only=True)
            return self._view

    def release(self) -> None:
        with self._lock:
            self.users -= 1
        self._remove_if_done()

    def retire(self) -> None:
        self.retired = True
        self._remove_if_done()

    def _remove_if_done(self) -> None:
        with self._lock:
            done = self.retired and self.users <= 0
            if done and self._view is not None:
                self._view.close()
                self._view = None
        if done:
            shutil.rmtree(self.path, ignore_errors=True)


class Worker:
    """One worker process bound to one snapshot (the writer: to none)."""

    def __init__(self, snapshot: Snapshot | None, prefixes: dict, memory_mb: int = 0, *,
                 arguments: list[str] | None = None) -> None:
        self.snapshot = snapshot
        if snapshot is not None:
            snapshot.use()
        if arguments is None:
            arguments = [str(snapshot.path), json.dumps(prefixes), str(memory_mb)]
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER_PROGRAM), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
            env=dict(os.environ, RUST_BACKTRACE="0"),  # an out-of-memory abort logs one line, not a trace
        )
        self.fd = self.process.stdout.fileno()
        self.buffer = bytearray()
        self.ready = False
        self.sandboxed: bool | None = None

    def send(self, tag: bytes, payload: bytes) -> None:
        try:
            self.process.stdin.write(protocol.HEADER.pack(tag, len(payload)) + payload)
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied from exc

    def receive(self, budget: Budget) -> tuple[bytes, bytes]:
        """The next frame, waiting at most what is left of ``budget``."""
        header = self._read(protocol.HEADER.size, budget)
        tag, length = protocol.HEADER.unpack(header)
        return tag, self._read(length, budget)

    def has_frame(self) -> bool:
        """Whether a whole frame is already buffered."""
        if len(self.buffer) < protocol.HEADER.size:
            return False
        _, length = protocol.HEADER.unpack_from(self.buffer)
        return len(self.buffer) >= protocol.HEADER.size + length

    def wait_ready(self, budget: Budget) -> None:
        if not self.ready:
            tag, payload = self.receive(budget)
            if tag != protocol.READY:
                raise WorkerDied
            self.sandboxed = json.loads(payload)["sandboxed"]
            self.ready = True
            if not self.sandboxed:
                _log.warning("query worker %s runs without its network sandbox (no seccomp here); only the "
                             "endpoint's SERVICE check keeps queries off the network", self.process.pid)

    def _read(self, size: int, budget: Budget) -> bytes:
        while len(self.buffer) < size:
            budget.wait_readable(self.fd)
            chunk = os.read(self.fd, max(size - len(self.buffer), 4 * protocol.CHUNK))
            if not chunk:
                raise WorkerDied
            self.buffer += chunk
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def kill(self, *, exiting: bool = False) -> int | None:
        """Stop the process; the exit status if it died on its own (negative: by a signal).

        ``exiting``: its pipe was closed, so it is dying already; give it a moment to finish.
        """
        died = self.process.poll()
        if died is None:
            try:
                died = self.process.wait(0.5 if exiting else 0)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()
        if self.snapshot is not None:
            self.snapshot.release()
        return died


@dataclass
class QueryRequest:
    """One query as the protocol handler understood it."""

    query: str
    results_format: str | None  # media type for SELECT/ASK results, None if the client accepts none
    rdf_format: str | None  # media type for CONSTRUCT/DESCRIBE graphs
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    base_iri: str | None = None

    def payload(self) -> bytes:
        """The request as the worker reads it (serialised once: the endpoint sends a remembered request again)."""
        cached = self.__dict__.get("_payload")
        if cached is None:
            fields = ("query", "results_format", "rdf_format", "default_graph", "named_graphs", "base_iri")
            cached = self.__dict__["_payload"] = json.dumps({name: getattr(self, name) for name in fields}).encode()
        return cached

    def rememberable(self) -> bool:
        """Whether the answer depends only on the store (no RAND(), NOW(), UUID(), STRUUID(), BNODE()).

        >>> QueryRequest("SELECT ?x WHERE { ?x ?p ?o }", "application/sparql-results+json", None).rememberable()
        True
        >>> QueryRequest("SELECT (NOW () AS ?t) {}", "application/sparql-results+json", None).rememberable()
        False
        """
        found = self.__dict__.get("_rememberable")
        if found is None:
            found = self.__dict__["_rememberable"] = _VOLATILE.search(self.query) is None
        return found


@dataclass
class Answer:
    """A query's answer that has started: the serialized results, as they come.

    An answer that arrived whole before it was asked for is ``complete`` (sent with a length).
    """

    media_type: str
    chunks: Iterator[bytes] = field(repr=False)
    complete: bytes | None = field(default=None, repr=False)


class QueryPool:
    """Warm worker processes answering queries on a snapshot of ``store`` under a time limit.

    ``store`` hands out snapshots (:meth:`server.db.ServerStore.acquire_snapshot`); the pool holds a
    use of its current one.

    Answers that arrive whole (up to an eighth of ``cache_bytes``) are remembered for the snapshot
    they were computed on, and a request repeated on that snapshot is answered from memory without a
    worker: the answer depends only on the request and the snapshot (queries using RAND, NOW, UUID,
    STRUUID or BNODE are never remembered). An update moves the pool to a new snapshot, and nothing
    remembered before is found any more. ``cache_bytes`` 0: nothing is remembered.
    """

    def __init__(self, store, *, size: int, timeout: float, prefixes: dict, memory_mb: int = 0,
                 stream_timeout: float | None = None, cache_bytes: int = 0) -> None:
        self.store, self.size, self.timeout, self.prefixes = store, size, timeout, prefixes
        self._answers = VersionedCache(cache_bytes) if cache_bytes > 0 else None
        self.memory_mb = memory_mb
        self.stream_timeout = max(stream_timeout or 10 * timeout, timeout)
        self._lock = threading.Lock()
        self._free = threading.Semaphore(size)
        self._snapshot = store.acquire_snapshot()
        self.closed = False
        with self._lock:
            self._idle = [self._new_worker() for _ in range(size)]
        _POOLS.add(self)

    def execute(self, request: QueryRequest, budget: Budget | None = None) -> Answer:
        """Start a query; errors before the first byte are raised as :class:`HTTPError`.

        ``budget``: the time left to the request (a page's queries share one); a new one by default.
        """
        remember = self._answers is not None and request.rememberable()
        if remember:
            found = self._answers.get(self.version, request.payload())
            if found is not None:
                return Answer(found[0], iter(()), complete=found[1])
        budget = budget or Budget(self.timeout)
        worker = self._acquire(budget)
        try:
            worker.wait_ready(budget)
            worker.send(protocol.REQUEST, request.payload())
            tag, payload = worker.receive(budget)
        except QueryTimeout:
            self._discard(worker)
            raise self._timeout_error() from None
        except WorkerDied:
            raise self._died(self._discard(worker, exiting=True)) from None
        media_type, received = payload.decode(), []
        while tag != protocol.ERROR and worker.has_frame():  # what already arrived, without waiting
            tag, payload = worker.receive(budget)
            if tag == protocol.DATA:
                received.append(payload)
            elif tag == protocol.END:
                snapshot, complete = worker.snapshot, b"".join(received)
                self._release(worker)
                if remember and snapshot is self._snapshot:  # a worker left on an older snapshot is not remembered
                    self._answers.put(str(snapshot.path), request.payload(), (media_type, complete))
                return Answer(media_type, iter(()), complete=complete)
        if tag == protocol.ERROR:
            self._release(worker)
            error = json.loads(payload)
            raise HTTPError(error["status"], error["message"])
        budget.remaining += self.stream_timeout - self.timeout  # the answer has started: streaming time
        return Answer(media_type, self._stream(worker, budget, received))

    def collect(self, request: QueryRequest, budget: Budget) -> Answer:
        """The whole answer of a query, read within ``budget`` (no streaming time: a page waits for it)."""
        answer = self.execute(request, budget)
        if answer.complete is not None:
            return answer
        budget.remaining -= self.stream_timeout - self.timeout
        try:
            return Answer(answer.media_type, iter(()), complete=b"".join(answer.chunks))
        except RuntimeError:
            raise self._timeout_error() from None

    def acquire_snapshot(self) -> Snapshot:
        """The snapshot new queries read, with a use taken for the caller (who must release it): what
        an entity page's own queries read in the server process (:func:`server.db.read`)."""
        with self._lock:
            self._snapshot.use()
            return self._snapshot

    @property
    def version(self) -> str:
        """The snapshot new queries read (a new one after every update): what remembered pages are keyed on."""
        return str(self._snapshot.path)

    def refresh(self) -> None:
        """Move to the store's current snapshot; workers follow as they become free."""
        with self._lock:
            old, self._snapshot = self._snapshot, self.store.acquire_snapshot()
            stale, self._idle = self._idle, [self._new_worker() for _ in self._idle]
        for worker in stale:
            worker.kill()
        old.release()

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()
        self._snapshot.release()

    # --- internals ---------------------------------------------------------------------------------

    def _new_worker(self) -> Worker:
        return Worker(self._snapshot, self.prefixes, self.memory_mb)

    def _stream(self, worker: Worker, budget: Budget, received: list[bytes]) -> Iterator[bytes]:
        finished = False
        tag = None
        try:
            yield from received
            tag, payload = worker.receive(budget)
            while tag == protocol.DATA:
                yield payload
                tag, payload = worker.receive(budget)
            if tag == protocol.ERROR:
                raise RuntimeError(f"query failed after its answer had started: {json.loads(payload)['message']}")
            finished = True
        except QueryTimeout:
            raise RuntimeError(f"query stopped after {self.stream_timeout:g} s; the response is cut short") from None
        except WorkerDied:
            raise RuntimeError("the query worker stopped mid-answer; the response is cut short") from None
        finally:
            # A clean end leaves the worker ready for the next query; anything else (timeout, client
            # gone, worker died) leaves it mid-stream, so it is replaced.
            if finished or tag == protocol.ERROR:
                self._release(worker)
            else:
                self._discard(worker)

    def _acquire(self, budget: Budget) -> Worker:
        """A free worker; the wait for it is charged to ``budget``."""
        start = time.monotonic()
        acquired = self._free.acquire(timeout=max(budget.remaining, 0))
        budget.remaining -= time.monotonic() - start
        if not acquired:
            raise HTTPError(503, f"all {self.size} query workers stayed busy for the whole time limit of {self.timeout:g} s; "
                                  f"try again later",
                            headers={"Retry-After": "5"})
        with self._lock:
            if self.closed:
                self._free.release()
                raise HTTPError(503, "the server is shutting down")
            return self._idle.pop() if self._idle else self._new_worker()

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if worker.snapshot is self._snapshot and not self.closed:
                self._idle.append(worker)
                worker = None
        if worker is not None:
            worker.kill()
            self._replace()
        self._free.release()

    def _discard(self, worker: Worker, *, exiting: bool = False) -> int | None:
        died = worker.kill(exiting=exiting)
        self._replace()
        self._free.release()
        return died

    def _died(self, status: int | None) -> HTTPError:
        if status == -signal.SIGABRT and self.memory_mb:
            return HTTPError(503, f"the query needed more than the {self.memory_mb} MiB of memory a query may use "
                                  f"and was stopped; narrow it down (a LIMIT, fewer DISTINCT or ORDER BY rows)")
        return HTTPError(500, f"the query worker stopped unexpectedly (exit status {status}); the server log may say why")

    def _replace(self) -> None:
        with self._lock:
            if not self.closed:
                self._idle.append(self._new_worker())

    def _timeout_error(self) -> HTTPError:
        return HTTPError(
            503,
            f"the query hit the time limit of {self.timeout:g} s and was stopped; narrow it down (a LIMIT, "
            f"more specific patterns) or ask the operator for a longer --query-timeout",
        )


class StoreWriter:
    """The process holding the store read-write: it runs updates and takes snapshots, without network.

    A crash or a timeout costs the update in flight (Oxigraph commits a transaction whole or not at
    all) and the process, which is started again.
    """

    def __init__(self, path: Path, *, timeout: float) -> None:
        self.path, self.timeout = Path(path), timeout
        self._lock = threading.Lock()
        self._process = self._start()
        self._broken: str | None = None

    def update(self, sparql: str) -> None:
        """Run one SPARQL Update; SyntaxError or RuntimeError when the engine refuses it."""
        self._request(protocol.UPDATE, sparql, what="update")

    def backup(self, path: Path) -> None:
        """Write a snapshot of the store into the new folder ``path``."""
        self._request(protocol.BACKUP, str(path), what="snapshot")

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._process.process.stdin.close()  # end of requests: it exits
                self._process.kill(exiting=True)
                self._process = None

    def _start(self) -> Worker:
        from kg.store import StoreError, StoreLockedError

        process = Worker(None, {}, arguments=["--writer", str(self.path)])
        tag, payload = process.receive(Budget(max(60.0, self.timeout)))
        if tag == protocol.READY:
            process.sandboxed = json.loads(payload)["sandboxed"]
            process.ready = True
            return process
        process.kill(exiting=True)
        error = json.loads(payload)
        if error["status"] == 409:
            raise StoreLockedError(f"the store at {self.path} is open in another process (a running `kg serve` or "
                                   f"`kg ingest`); stop it or point --store elsewhere")
        raise StoreError(f"cannot open the store at {self.path}: {error['message']}")

    def _request(self, tag: bytes, payload: str, *, what: str) -> None:
        with self._lock:
            if self._process is None:
                raise HTTPError(503, self._broken or "the server is shutting down")
            budget = Budget(self.timeout)
            try:
                self._process.send(tag, payload.encode("utf-8"))
                answer, body = self._process.receive(budget)
            except QueryTimeout:
                self._restart()
                raise HTTPError(503, f"the {what} hit the time limit of {self.timeout:g} s and was stopped; "
                                     f"nothing changed") from None
            except WorkerDied:
                status = self._restart(exiting=True)
                raise HTTPError(500, f"the {what} stopped the store's process (exit status {status}); "
                                     f"nothing changed") from None
        if answer == protocol.ERROR:
            error = json.loads(body)
            if error["status"] != 400:
                raise HTTPError(error["status"], error["message"])
            raise (SyntaxError if error.get("kind") == "syntax" else RuntimeError)(error["message"])

    def _restart(self, *, exiting: bool = False) -> int | None:
        from kg.store import StoreError

        died, self._process = self._process.kill(exiting=exiting), None
        try:
            self._process = self._start()
        except StoreError as exc:
            self._broken = f"the store cannot be written any more ({exc}); restart the server"
            _log.error("store writer not restarted: %s", exc)
        return died


class RemoteRunner:
    """Queries for a store that is itself a SPARQL server: it does the work and enforces its limits.

    The answer is re-serialized in the negotiated format. No worker processes, no snapshots.
    """

    def __init__(self, store, prefixes: dict) -> None:
        self.store, self.prefixes = store, prefixes

    def execute(self, request: QueryRequest) -> Answer:
        import pyoxigraph as ox

        try:
            result = self.store.query(request.query, default_graph=request.default_graph,
                                      named_graphs=request.named_graphs, base_iri=request.base_iri,
                                      prefixes=self.prefixes)
        except SyntaxError as exc:
            raise HTTPError(400, f"invalid SPARQL: {exc}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise HTTPError(502, f"the SPARQL server behind this one failed: {exc}") from None
        if isinstance(result, ox.QueryTriples) or not hasattr(result, "serialize"):
            if not request.rdf_format:
                raise HTTPError(406, "this query returns an RDF graph, and none of the formats you accept can carry it")
            body = ox.serialize(result, format=ox.RdfFormat.from_media_type(request.rdf_format))
            return Answer(request.rdf_format, iter(()), complete=body)
        if not request.results_format:
            raise HTTPError(406, "this query returns query results, and none of the formats you accept can carry them")
        body = result.serialize(format=ox.QueryResultsFormat.from_media_type(request.results_format))
        return Answer(request.results_format, iter(()), complete=body)

    def refresh(self) -> None:
        """Nothing to refresh: every query reads the server's current state."""

    def close(self) -> None:
        """Nothing to stop."""


def _snapshots_dir(store: Path) -> Path:
    """A fresh folder for snapshots beside the store (same file system, so checkpoints hard-link).

    Leftovers of an earlier server killed before it could clean up are removed: only one process can
    hold the store, so no one else can be using them.
    """
    store = store.resolve()
    prefix = f".{store.name}-snapshots-"
    for stale in store.parent.glob(prefix + "*"):
        _remove_tree(stale)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=store.parent))


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


_POOLS: "weakref.WeakSet[QueryPool]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for pool in list(_POOLS):
        pool.close()
