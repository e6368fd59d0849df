"""The commands of the core package: ``kg ingest``, ``query``, ``export``, ``validate``, ``train``.

The ``kg`` program (:mod:`conflict_kg`) is this group plus ``kg serve``, added above both this
package and the web package, so that nothing here depends on ``server``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import config
from kg.formats import EXPORT_FORMATS, RDF_FORMATS, RESULTS_FORMATS, UnknownFormat, export_format, rdf_format, results_format
from kg.store import StoreError, ensure_ontology, is_remote, open_store

store_option = click.option(
    "--store",
    "store_dir",
    envvar="KG_STORE",
    default=config.DEFAULT_STORE_DIR,
    show_default=True,
    help="Folder of the embedded store, created on first use, or the http(s) URL of a SPARQL 1.1 "
    "server (also KG_STORE).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="conflict-kg")
def cli() -> None:
    """Build and query a knowledge graph of armed-conflict news: who attacked whom, where, when,
    with what casualties, and who says so."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@click.option("--workers", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="Extraction processes.")
@click.option("--max-bytes", default=5_000_000, show_default=True, type=click.IntRange(1), help="Largest article accepted.")
@click.option("--pipeline", envvar="KG_PIPELINE", default="learned", show_default=True,
              help="Extraction pipeline: 'learned' (trained attacks, arguments and claims), 'rules' (the rule-based "
              "baseline) or the path of a pipeline file (also KG_PIPELINE).")
@click.option("--scheduler", envvar="KG_SCHEDULER", default=None, metavar="tcp://HOST:PORT",
              help="Run extraction on this Dask distributed scheduler's workers instead of local processes "
              "(also KG_SCHEDULER). With a remote --store the workers write their graphs themselves.")
def ingest(paths, store_dir, workers, max_bytes, pipeline, scheduler) -> None:
    """Read articles from PATHS (files or folders) into the store.

    Plain text (.txt) and HTML (.html) articles, each with optional metadata in a sidecar NAME.json
    (title, published, author, publisher, url, language), and JSON Lines (.jsonl) of articles with a
    'text' field and the same metadata fields. Re-ingesting an article changes nothing; a changed
    article replaces its earlier version. A file that is not an article is rejected by name and the
    rest go on; the exit code is 1 if anything was rejected.
    """
    import os

    from kg.extract.pipeline import pipeline_path
    from kg.ingest import ingest as run_ingest

    try:
        pipeline_path(pipeline)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--pipeline") from None
    if scheduler and workers > 1:
        raise click.UsageError("--workers runs local processes, --scheduler a Dask cluster's workers: give one")
    os.environ["KG_PIPELINE"] = pipeline  # worker processes inherit it
    if workers == 1 and not scheduler:  # extraction in this process: load its models while the store opens
        from kg.extract import warm_up_in_background

        warm_up_in_background()
    from kg.cluster import Cluster, ClusterError
    from kg.ingest import WorkerFailed

    with _open(store_dir, create=True) as store, _progress(paths) as tick:
        ensure_ontology(store)
        cluster = None
        try:
            cluster = Cluster(scheduler) if scheduler else None
            summary = run_ingest(paths, store, workers=workers, max_bytes=max_bytes, on_item=tick, cluster=cluster)
        except (ClusterError, WorkerFailed) as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            if cluster is not None:
                cluster.close()
    for note in summary.notes:
        click.echo(f"note {note}", err=True)
    for rejected in summary.rejected:
        click.echo(f"rejected {rejected}", err=True)
    click.echo(str(summary), err=True)
    _QUICK_EXIT.add("ingest")  # the store is closed: nothing is left to write
    sys.exit(1 if summary.rejected else 0)


@cli.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r"), help="Read the query from a file ('-' for stdin).")
@click.option(
    "--format",
    "fmt",
    default=None,
    help=f"Results: {', '.join(f.name for f in RESULTS_FORMATS)} (default json); graphs: "
    f"{', '.join(f.name for f in RDF_FORMATS)} (default turtle).",
)
@store_option
def query(sparql, query_file, fmt, store_dir) -> None:
    """Run a SPARQL query over the union of all graphs and write the results to stdout.

    Common prefixes (ckg:, rdfs:, skos:, dcterms:, geo:, xsd: ...) are predeclared.

    \b
    Example:
      kg query 'SELECT ?attack ?killed WHERE { ?attack a ckg:Attack ; ckg:killed ?killed }'
    """
    import pyoxigraph as ox

    from kg.formats import PREFIXES

    if bool(sparql) == bool(query_file):
        raise click.UsageError("give a query as an argument or with -f FILE (not both)")
    text = sparql or query_file.read()
    with _open(store_dir) as store:
        try:
            result = store.query(text, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise click.ClickException(f"invalid SPARQL: {exc}") from None
        out = sys.stdout.buffer
        try:
            if isinstance(result, ox.QueryTriples):
                chosen = rdf_format(fmt or "turtle")
                if chosen.quads:
                    raise UnknownFormat(f"{chosen.name} holds named graphs; a CONSTRUCT result is one graph")
                _write_triples(result, out, chosen)
            else:
                result.serialize(out, results_format(fmt or "json").engine)
        except UnknownFormat as exc:
            raise click.BadParameter(str(exc), param_hint="--format") from None
        out.flush()


def _write_triples(triples, out, fmt) -> None:
    """A CONSTRUCT or DESCRIBE result in ``fmt``: Turtle with the export prefixes, JSON-LD compact
    with the context, like the exports."""
    import pyoxigraph as ox

    from kg.formats import export_prefixes
    from kg.jsonld import write_jsonld

    if fmt.name == "jsonld":
        write_jsonld(triples, out, config.base_iri())
    else:
        ox.serialize(triples, out, fmt.engine, prefixes=export_prefixes(config.base_iri()) if fmt.name == "turtle" else None)


@cli.command()
@click.option("--format", "fmt", default="turtle", show_default=True,
              help=f"{', '.join(f.name for f in EXPORT_FORMATS)} (or a media type).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to a file (default stdout).")
@store_option
def export(fmt, output, store_dir) -> None:
    """Write the whole store, streamed. TriG and N-Quads keep one graph per article; the triple
    formats merge every graph into one. events-csv is one row per attack in ACLED's columns,
    geojson the same rows as points."""
    from kg.export import write_export

    try:
        chosen = export_format(fmt)
    except UnknownFormat as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    with _open(store_dir) as store:
        if output:
            partial = Path(output).with_name(Path(output).name + ".partial")
            with open(partial, "wb") as handle:
                write_export(store, handle, chosen, config.base_iri())
            partial.replace(output)
        else:
            write_export(store, sys.stdout.buffer, chosen, config.base_iri())
            sys.stdout.buffer.flush()


@cli.command()
@store_option
@click.option("--no-reasoner", is_flag=True, help="Skip the HermiT consistency check (SHACL only).")
def validate(store_dir, no_reasoner) -> None:
    """Check the data against the SHACL shapes and, with HermiT, the ontology plus data for
    consistency. Exits 1 with a report if anything is violated."""
    from kg.validate import validate_store

    with _open(store_dir) as store:
        report = validate_store(store, reasoner=not no_reasoner)
    click.echo(report.text())
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.option("--train", "train_dir", default="../shared/eval/train", show_default=True, type=click.Path(file_okay=False),
              help="Folder of the annotated training sets (wikievents_train, m2e2_train, polnear_train .jsonl).")
@click.option("--dev", "dev_dir", default="../shared/eval/dev", show_default=True, type=click.Path(file_okay=False),
              help="Folder of the dev sets the thresholds are tuned on (wikievents_dev, polnear_dev .jsonl).")
@click.option("--output", "-o", default=None, type=click.Path(file_okay=False),
              help="Where to write the trained components and model card (default: the package's kg/models/ckg_en).")
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False, exists=True),
              help="Training configuration (default kg/data/train.cfg).")
@click.option("--cache", default=None, type=click.Path(file_okay=False), help="Keep the parsed training texts here between runs.")
@click.option("--limit", default=None, type=click.IntRange(1), help="Use only the first N texts of each set (a quick check).")
def train(train_dir, dev_dir, output, config_path, cache, limit) -> None:
    """Train the learned extraction components (attack triggers and arguments, attribution cues and
    sources) on public annotated news, tune them on dev, and write the weights with a model card.

    Deterministic: the configuration's seed fixes every random choice, so the same command gives
    the same weights and scores. CPU only.
    """
    from kg.extract.learned import MODEL_DIR
    from kg.train import CONFIG_PATH, TrainingDataMissing, train as run_training

    try:
        card = run_training(Path(train_dir), Path(dev_dir), Path(output) if output else MODEL_DIR,
                            Path(config_path) if config_path else CONFIG_PATH, Path(cache) if cache else None, limit,
                            log=lambda line: click.echo(line, err=True))
    except TrainingDataMissing as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"trained in {card['seconds']} s; {card['size_bytes'] / 1e6:.1f} MB written to {output or MODEL_DIR}", err=True)


class _open:
    """Open the store for a command, turning store errors into clean CLI errors.

    Commands open it read-write even to read: Oxigraph's lock then tells a clear "in use" error
    instead of the undefined behaviour of a read-only open beside a writer.
    """

    def __init__(self, store_dir, create: bool = False):
        self.store_dir, self.create = store_dir, create

    def __enter__(self):
        if not self.create and not is_remote(self.store_dir) and not Path(self.store_dir).exists():
            raise click.ClickException(f"no store at {self.store_dir}: run `kg ingest PATH` first, or pass --store")
        try:
            self.store = open_store(self.store_dir)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
        return self.store

    def __exit__(self, exc_type, exc, traceback):
        self.store.close()
        if isinstance(exc, StoreError):
            raise click.ClickException(str(exc)) from None


class _progress:
    """A progress bar on a terminal (stderr), silent otherwise."""

    def __init__(self, paths):
        self.paths = paths
        self.bar = None

    def __enter__(self):
        if sys.stderr.isatty():
            from kg.sources import count_articles

            self.bar = click.progressbar(
                length=count_articles(self.paths), label="ingesting", file=sys.stderr, show_pos=True, show_eta=True
            ).__enter__()
        return self.tick

    def tick(self, origin: str) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


_QUICK_EXIT: set[str] = set()  # commands that finished with nothing left to write or release


def main(group: click.Group = cli) -> None:
    """Run ``group`` (these commands; :func:`conflict_kg.main` runs the whole ``kg`` program) as
    ``kg``. After ``kg ingest`` the process ends with ``os._exit`` once its output is flushed: its
    store is closed by then, and tearing down the thousand modules spaCy imported takes half a
    second and writes nothing."""
    try:
        group(prog_name="kg")
    except SystemExit as exc:
        if _QUICK_EXIT:
            _exit_now(exc.code)
        raise


def _exit_now(code) -> None:
    """End the process now with ``sys.exit``'s meaning of ``code``, output flushed."""
    import os

    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
