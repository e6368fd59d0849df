"""Real servers for the tests, on loopback only: Oxigraph's SPARQL server, a Dask cluster (one
``dask scheduler`` and ``dask worker`` processes) and Virtuoso Open Source."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from helpers import free_port

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class OxigraphServer:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process, 20)
        self.url = f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        stop(self.process)


class DaskCluster:
    """``dask scheduler`` plus ``workers`` ``dask worker`` processes (one thread each) on loopback."""

    def __init__(self, directory: Path, workers: int = 2) -> None:
        self.directory = directory
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False", PYTHONUNBUFFERED="1")
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard",
             "--no-show"], stdout=subprocess.DEVNULL, stderr=open(directory / "scheduler.log", "wb"), env=self.env)
        wait_for_port(self.port, self.scheduler, 60)
        self.workers: list[subprocess.Popen] = []
        for _ in range(workers):
            self.add_worker()
        self.wait_for(workers)

    def add_worker(self) -> subprocess.Popen:
        log = open(self.directory / f"worker-{len(self.workers)}.log", "wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", self.address, "--host", "127.0.0.1", "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard", "--memory-limit", "0", "--local-directory", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=log, env=self.env)
        self.workers.append(worker)
        return worker

    def alive(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]

    def wait_for(self, count: int, seconds: float = 120) -> None:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=seconds)

    def close(self) -> None:
        for worker in self.workers:
            stop(worker)
        stop(self.scheduler)


VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 500M
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


class VirtuosoServer:
    """Virtuoso Open Source from a private virtuoso.ini in ``directory``, on loopback ports; updates
    through /sparql-auth as its ``dba`` user (the fresh database's password is ``dba``)."""

    user, password = "dba", "dba"

    def __init__(self, directory: Path) -> None:
        self.http_port, sql_port = free_port(), free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=self.http_port))
        self.process = subprocess.Popen([VIRTUOSO, "+configfile", str(ini), "+foreground"], cwd=directory,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.http_port, self.process, 120)
        self.url = f"http://127.0.0.1:{self.http_port}/"
        self.env = {"KG_SPARQL_DIALECT": "virtuoso", "KG_SPARQL_USER": self.user, "KG_SPARQL_PASSWORD": self.password}

    def close(self) -> None:
        stop(self.process)
