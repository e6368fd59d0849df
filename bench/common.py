"""What the bench scripts share: running the `kg` command line as a user does, and reading its
SPARQL results.

The benches talk to the project only through ``python -m conflict_kg`` subprocesses (the ``kg``
program: ingest, query), the way the held-out evaluation does, so they measure the product, not its
internals; they share with it only the reading of a literal (:mod:`kg.terms`).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
XSD = "http://www.w3.org/2001/XMLSchema#"


def eval_dir(explicit: str | Path | None = None) -> Path:
    """The folder of the evaluation data: ``explicit`` (an option), else ``KG_EVAL_DIR``, else
    ``../shared/eval`` beside the repository.

    >>> eval_dir("/data/eval").as_posix()
    '/data/eval'
    >>> os.environ.pop("KG_EVAL_DIR", None) and None
    >>> eval_dir() == REPO.parent / "shared" / "eval"
    True
    """
    return Path(explicit or os.environ.get("KG_EVAL_DIR") or REPO.parent / "shared" / "eval")


class KgError(RuntimeError):
    """A `kg` command failed."""


def kg_command(*args: str) -> list[str]:
    """The argv that runs ``kg ARGS`` with this checkout's code."""
    return [sys.executable, "-m", "conflict_kg", *args]


def kg_env() -> dict[str, str]:
    """The environment for `kg` subprocesses: this checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_kg(*args: str, check: bool = True, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``kg ARGS`` to completion; with ``check``, a non-zero exit raises :class:`KgError`
    carrying its stderr (exit 1 from ``ingest`` only means something was rejected: pass
    ``check=False`` there and read the summary)."""
    done = subprocess.run(kg_command(*args), cwd=REPO, env=kg_env(), capture_output=True, timeout=timeout)
    if check and done.returncode != 0:
        raise KgError(f"kg {' '.join(args[:2])} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    return done


def binding_value(binding: dict | None):
    """One SPARQL JSON results binding as a Python value (ints and floats for numeric literals).

    >>> binding_value({"type": "literal", "value": "25", "datatype": XSD + "nonNegativeInteger"})
    25
    >>> binding_value({"type": "uri", "value": "http://x/a"})
    'http://x/a'
    """
    from kg.terms import literal_value

    return None if binding is None else literal_value(binding["value"], binding.get("datatype"))


def kg_select(store: str | Path, sparql: str) -> list[dict]:
    """Rows of a SELECT query run by ``kg query --format json`` on ``store``."""
    done = run_kg("query", "--format", "json", "--store", str(store), sparql)
    results = json.loads(done.stdout)
    names = results["head"]["vars"]
    return [{name: binding_value(row.get(name)) for name in names} for row in results["results"]["bindings"]]


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
