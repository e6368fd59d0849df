"""`kg ingest` on inputs that are not plain article files: special files, unreadable files and
folders, empty folders, names that could forge a line, metadata cut short. Each is named, none stops
the run, none hangs it."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.sources import Rejected, read_inputs

REPO = Path(__file__).resolve().parent.parent
ARTICLE = "Government artillery shelled the town of Idlib on Monday, killing four people.\n"


def kg_process(store: Path, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    """`kg` as a real process (a hang would hit ``timeout`` and fail the test)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "kg.cli", *args, "--store", str(store)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def kg(store: Path, *args):
    return CliRunner().invoke(cli, [*args, "--store", str(store)], catch_exceptions=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_rejected_by_name_without_hanging_or_keeping_the_lock(tmp_path):
    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)  # nobody ever writes it: reading it would block for good
    done = kg_process(tmp_path / "store", "ingest", str(fifo), timeout=60)
    assert done.returncode == 1
    assert f"rejected {str(fifo)!r}: not a regular file but a FIFO" in done.stderr, done.stderr
    again = kg_process(tmp_path / "store", "query", "ASK {}")  # the store's lock was released
    assert again.returncode == 0, again.stderr


def test_a_fifo_in_a_folder_and_its_sidecar_are_rejected_and_the_rest_go_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE)
    os.mkfifo(folder / "b.txt")
    (folder / "c.txt").write_text(ARTICLE.replace("four", "five"))
    os.mkfifo(folder / "c.json")
    items = list(read_inputs([folder]))
    assert [type(item).__name__ for item in items] == ["Article", "Rejected", "Rejected"]
    assert "FIFO" in items[1].reason and "sidecar 'c.json' is not a regular file" in items[2].reason


def test_a_socket_and_a_device_are_rejected_by_name(tmp_path):
    path = tmp_path / "s.txt"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        [rejected] = read_inputs([path])
    finally:
        server.close()
    assert isinstance(rejected, Rejected) and "a socket" in rejected.reason
    [device] = read_inputs(["/dev/zero"])  # endless: read whole, it would fill the memory
    assert isinstance(device, Rejected) and "a character device" in device.reason


def test_an_unreadable_file_in_a_folder_is_rejected_and_the_run_reaches_its_summary(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE)
    secret = folder / "b.txt"
    secret.write_text(ARTICLE.replace("four", "nine"))
    secret.chmod(0)
    hidden = folder / "closed"
    hidden.mkdir()
    (hidden / "c.txt").write_text(ARTICLE)
    hidden.chmod(0)
    if os.geteuid() == 0:  # root reads whatever the permissions say: refuse as the kernel would for others
        _refuse_as_for_a_user(monkeypatch, {str(secret), str(hidden)})
    try:
        result = kg(tmp_path / "store", "ingest", str(folder))
    finally:
        hidden.chmod(0o755)
    assert result.exit_code == 1
    assert f"rejected {str(secret)!r}: cannot be read (Permission denied)" in result.output
    assert f"rejected {str(hidden)!r}: the folder cannot be read" in result.output
    assert "1 added, 0 unchanged, 0 replaced, 2 rejected" in result.output


def _refuse_as_for_a_user(monkeypatch, paths: set[str]) -> None:
    real_open, real_scandir = os.open, os.scandir

    def refuse(path, *args, **kwargs):
        if os.fspath(path) in paths:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return (real_open if args else real_scandir)(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr(os, "scandir", lambda path=".": refuse(path))


def test_a_folder_without_article_files_says_so(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.md").write_text("nothing here")
    result = kg(tmp_path / "store", "ingest", str(folder))
    assert result.exit_code == 1
    assert f"rejected {str(folder)!r}: the folder holds no article files (.htm, .html, .jsonl" in result.output


def test_a_newline_in_a_file_name_cannot_forge_a_line(tmp_path):
    bad = tmp_path / "x.txt\nrejected nothing.txt: forged"
    bad.write_bytes(b"\x00\x01binary")
    result = kg(tmp_path / "store", "ingest", str(bad))
    assert result.exit_code == 1
    rejected = [line for line in result.output.splitlines() if line.startswith("rejected")]
    assert len(rejected) == 1 and "\\n" in rejected[0]


def test_a_title_cut_to_2000_characters_says_so(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "a.json").write_text(json.dumps({"title": "T" * 2500}))
    result = kg(tmp_path / "store", "ingest", str(tmp_path / "a.txt"))
    assert result.exit_code == 0, result.output
    assert "note 'a.txt'" not in result.output  # named in full
    assert f"note {str(tmp_path / 'a.txt')!r}: sidecar 'a.json': title cut to 2,000 characters (it had 2,500)" in result.output


def test_a_long_title_in_json_lines_says_so(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": ARTICLE, "title": "T" * 2001}) + "\n")
    [article] = read_inputs([path])
    assert article.meta["title"] == "T" * 2000
    assert article.notes == ["record: title cut to 2,000 characters (it had 2,001)"]


def test_a_worker_that_cannot_start_stops_the_run_with_its_reason(monkeypatch):
    """A failing pool initializer would make multiprocessing start replacement workers forever."""
    import kg.extract
    from kg import ingest

    def broken():
        raise ImportError("no module named 'spacy_model_x'")

    monkeypatch.setattr(kg.extract, "warm_up", broken)
    monkeypatch.setattr(ingest, "_START_FAILURE", None)
    ingest._warm_up()
    with pytest.raises(ingest.WorkerFailed, match="could not start: ImportError: no module named 'spacy_model_x'"):
        ingest._build_chunk([])


def test_two_worker_processes_build_the_same_graphs_as_one(tmp_path):
    one = kg_process(tmp_path / "one", "ingest", str(REPO / "seeds"), timeout=300)
    two = kg_process(tmp_path / "two", "ingest", str(REPO / "seeds"), "--workers", "2", timeout=300)
    assert one.returncode == 0 and two.returncode == 0, two.stderr[-2000:]
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?a a <https://w3id.org/ckg/ontology#Article> } }"
    counts = [kg_process(tmp_path / name, "query", "--format", "csv", query).stdout.split()[-1] for name in ("one", "two")]
    assert counts[0] == counts[1] == str(len(list((REPO / "seeds").glob("*.txt"))))
