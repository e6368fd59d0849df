"""The test command itself: it runs every doctest of kg and server, and a run that collects no
tests fails."""
import os
import subprocess
import tomllib

from helpers import REPO


def test_the_configured_run_collects_the_doctests_of_kg_and_server():
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert {"tests", "kg", "server"} <= set(options["testpaths"])
    assert "--doctest-modules" in options["addopts"].split()


def test_a_doctest_of_a_kg_module_is_collected_by_the_plain_command():
    done = subprocess.run([".venv/bin/python", "-m", "pytest", "--collect-only", "-q", "kg/extract/step.py"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kg/extract/step.py::kg.extract.step.step" in done.stdout


def test_a_run_that_collects_no_tests_fails():
    done = subprocess.run(["bash", "scripts/test.sh", "-q", "tests/test_test_command.py", "-k", "no_such_test_anywhere"], cwd=REPO,
                          env={**os.environ, "KG_SKIP_SETUP": "1"}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 5, done.stdout + done.stderr
    assert "pytest collected no tests: that is a failure" in done.stderr
