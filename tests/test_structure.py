"""The layout's promises: dependencies run one way (``kg`` never needs ``server``) and ``kg`` has
no import circle, counting imports inside functions too."""
import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def module_names(package: str) -> dict[str, Path]:
    """Dotted module name → source file, for every module of ``package`` in the repository."""
    names = {}
    for path in sorted((REPO / package).rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that module ``name`` imports anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(filter(None, [package.rsplit(".", node.level - 1)[0] if node.level > 1 else package, node.module]))
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names}
    return {_owner(module, known) for module in found} - {None, name}


def _owner(module: str, known: set[str]) -> str | None:
    while module and module not in known:
        module = module.rpartition(".")[0]
    return module or None


def import_graph(*packages: str) -> dict[str, set[str]]:
    """Module → the modules of ``packages`` it imports."""
    names = {name: path for package in packages for name, path in module_names(package).items()}
    return {name: imported(name, path, set(names)) for name, path in names.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph``: each a path that comes back to where it starts.

    >>> circles({"a": {"b"}, "b": {"a"}, "c": {"a"}})
    [['a', 'b', 'a']]
    >>> circles({"a": {"b"}, "b": set()})
    []
    """
    found, done = [], set()

    def visit(node, path):
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_the_import_graph_sees_imports_inside_functions():
    graph = import_graph("kg")
    assert "kg.extract.pipeline" in graph["kg.extract"]  # imported inside extract_many
    assert "kg.extract.mentions" in graph["kg.extract.actors"] and "kg.extract.mentions" in graph["kg.extract.coref"]


def test_kg_has_no_import_circle():
    assert circles(import_graph("kg")) == []


def _in(package: str, module: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_kg_module_imports_server():
    graph = import_graph("kg", "server")
    assert any(_in("kg", dep) for dep in graph["server.db"])  # the check sees imports across packages
    assert {name: sorted(d for d in deps if _in("server", d)) for name, deps in graph.items() if _in("kg", name) and any(_in("server", d) for d in deps)} == {}


def test_importing_kg_and_running_ingest_loads_nothing_from_server(tmp_path):
    """The whole ``kg`` program (``kg serve`` registered too) ingests without loading ``server``."""
    seed = REPO / "seeds" / "101_shelling_kafranbel.txt"
    program = (
        "import sys\n"
        "import kg, kg.cli, conflict_kg\n"
        "from click.testing import CliRunner\n"
        f"result = CliRunner().invoke(conflict_kg.program, ['ingest', '--store', 'store', '--pipeline', 'rules', {str(seed)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m == 'server' or m.startswith('server.') or m == 'flask'))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "store").is_dir()


def test_rdf_reads_no_gazetteer_extraction_hands_over_the_countries():
    from kg.extract import extract
    from kg.rdf import to_rdf
    from kg.sources import Article

    assert not {d for d in import_graph("kg")["kg.rdf"] if d.startswith("kg.extract.") and d != "kg.extract.model"}
    article = Article(text="Syrian forces shelled Kafranbel on Monday.", path="a.txt", meta={"published": "2016-05-16"})
    extraction = extract(article)
    assert sorted(extraction.countries) == ["SY"] and extraction.countries["SY"].name == "Syria"
    labels = {str(o) for o in to_rdf(article, extraction).objects(None, None) if str(o) == "Syria"}
    assert labels == {"Syria"}


def layout_paths() -> list[str]:
    """The paths the README's layout table names."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return [path.rstrip("/") for row in rows for path in re.findall(r"`([^`]+)`", row)]


def test_every_path_of_the_readme_layout_exists():
    missing = [path for path in layout_paths() if not (REPO / path).exists()]
    assert missing == []


def test_the_readme_layout_covers_the_tree():
    """Every tracked top-level entry, and every entry of kg/, is in the table (or inside a folder it names)."""
    named = set(layout_paths())
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    entries = {path.split("/")[0] for path in tracked} | {"/".join(path.split("/")[:2]) for path in tracked if path.startswith("kg/")}
    entries -= {"README.md", "pyproject.toml", ".gitignore", "requirements-model.txt", "kg/__init__.py", "kg"}
    uncovered = sorted(e for e in entries if not any(e == n or e.startswith(n + "/") or n.startswith(e + "/") for n in named))
    assert uncovered == []
