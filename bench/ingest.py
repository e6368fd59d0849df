"""End-to-end ingest throughput: `python bench/ingest.py [--articles 1000] [--repeat 3] [--eval-dir DIR] [--json]`.

Writes N real articles (the FA-KES dev articles, then Reuters-21578 newswires) into one JSON Lines
file, then runs ``kg ingest FILE --workers W`` as a subprocess into a fresh store, for each W (default
1, the baseline, and 2), ``--repeat`` times, alternating. Reports the median articles/s and triples/s
(wall clock of the whole command: start-up, model loading, reading, extraction, writing), the peak
resident memory of the process tree, and each W's throughput as a ratio of the W=1 baseline measured
in the same command.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, eval_dir, kg_command, kg_env, median  # noqa: E402

FAKES = Path("dev") / "fakes_syria_dev.jsonl"  # under the evaluation folder (--eval-dir, KG_EVAL_DIR, ../shared/eval)
REUTERS = Path("corpus") / "reuters21578.jsonl"
SUMMARY = re.compile(r"(\d+) added, (\d+) unchanged, (\d+) replaced, (\d+) rejected; (\d+) triples written")
POLL_SECONDS = 0.05


def fakes_record(record: dict) -> dict:
    return {"text": record["text"], "title": record.get("title") or None, "url": f"https://eval.invalid/fakes/{record['id']}"}


def reuters_record(record: dict) -> dict:
    """A Reuters-21578 record with its date as ISO (``26-FEB-1987 15:01:01.79`` → ``1987-02-26``)."""
    out = {"text": record["text"], "title": record.get("title") or None, "url": f"https://eval.invalid/reuters/{record['id']}"}
    try:
        out["published"] = dt.datetime.strptime(record.get("date", "").strip()[:11], "%d-%b-%Y").date().isoformat()
    except ValueError:
        pass
    return out


def write_corpus(path: Path, articles: int, fakes: Path, reuters: Path) -> int:
    """Up to ``articles`` non-empty articles, FA-KES first, as JSON Lines; returns how many."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for source, convert in ((fakes, fakes_record), (reuters, reuters_record)):
            with source.open(encoding="utf-8") as handle:
                for line in handle:
                    if written >= articles:
                        return written
                    record = json.loads(line)
                    if not str(record.get("text", "")).strip():
                        continue
                    out.write(json.dumps({k: v for k, v in convert(record).items() if v}, ensure_ascii=False) + "\n")
                    written += 1
    return written


@dataclass
class Run:
    workers: int
    seconds: float
    articles: int
    triples: int
    rejected: int
    peak_rss: int  # bytes, whole process tree

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds


def tree_rss(process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    import psutil

    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def run_once(corpus: Path, workers: int, scratch: Path) -> Run:
    """One ``kg ingest`` into a fresh store, timed, with the process tree's memory polled."""
    import psutil

    store = scratch / f"store-w{workers}"
    shutil.rmtree(store, ignore_errors=True)
    command = kg_command("ingest", str(corpus), "--store", str(store), "--workers", str(workers))
    stderr_path = scratch / "stderr.txt"
    peak = 0
    with stderr_path.open("wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, env=kg_env(), stdout=subprocess.DEVNULL, stderr=stderr)
        watched = psutil.Process(child.pid)
        while child.poll() is None:
            peak = max(peak, tree_rss(watched))
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
    output = stderr_path.read_text(errors="replace")
    shutil.rmtree(store, ignore_errors=True)
    found = SUMMARY.search(output)
    if child.returncode not in (0, 1) or not found:
        raise SystemExit(f"kg ingest --workers {workers} failed ({child.returncode}): {output[-2000:]}")
    added, unchanged, replaced, rejected, triples = map(int, found.groups())
    return Run(workers, seconds, added + unchanged + replaced, triples, rejected, peak)


def summarise(runs: list[Run], baseline_workers: int) -> dict:
    """Medians per worker count, and each one's throughput relative to the baseline's."""
    by_workers = {}
    for workers in sorted({r.workers for r in runs}):
        mine = [r for r in runs if r.workers == workers]
        by_workers[workers] = {
            "runs": len(mine),
            "articles": mine[0].articles,
            "rejected": mine[0].rejected,
            "triples": mine[0].triples,
            "median_seconds": round(median([r.seconds for r in mine]), 2),
            "median_articles_per_second": round(median([r.articles_per_second for r in mine]), 2),
            "median_triples_per_second": round(median([r.triples_per_second for r in mine]), 1),
            "peak_rss_mb": round(max(r.peak_rss for r in mine) / 2**20, 1),
        }
    base = by_workers.get(baseline_workers, {}).get("median_articles_per_second")
    for figures in by_workers.values():
        figures["ratio_vs_baseline"] = round(figures["median_articles_per_second"] / base, 2) if base else None
    return by_workers


def table(result: dict) -> str:
    lines = [f"{result['articles']} articles ({result['corpus']}), {result['repeat']} runs each; baseline --workers {result['baseline']}", ""]
    lines.append(f"{'workers':>7} {'articles/s':>11} {'triples/s':>11} {'seconds':>8} {'peak RSS MB':>12} {'vs baseline':>12}  triples  rejected")
    for workers, f in result["by_workers"].items():
        ratio = "—" if f["ratio_vs_baseline"] is None else f"{f['ratio_vs_baseline']:.2f}x"
        lines.append(f"{workers:>7} {f['median_articles_per_second']:>11.2f} {f['median_triples_per_second']:>11.1f} {f['median_seconds']:>8.2f} "
                     f"{f['peak_rss_mb']:>12.1f} {ratio:>12}  {f['triples']:>7}  {f['rejected']:>8}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="how many articles (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per worker count (default 3)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts; the first is the baseline (default 1,2)")
    parser.add_argument("--eval-dir", type=Path, default=None,
                        help="the evaluation data folder (default KG_EVAL_DIR, else ../shared/eval beside the repository)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    if not counts or min(counts) < 1 or args.repeat < 1 or args.articles < 1:
        parser.error("--workers, --repeat and --articles must be positive")
    scratch = Path(tempfile.mkdtemp(prefix="kg-bench-ingest-"))
    try:
        corpus = scratch / "articles.jsonl"
        data = eval_dir(args.eval_dir)
        written = write_corpus(corpus, args.articles, data / FAKES, data / REUTERS)
        runs = []
        for _ in range(args.repeat):
            for workers in counts:  # alternate, so drifting machine load hits every setting alike
                runs.append(run_once(corpus, workers, scratch))
                print(f"  --workers {workers}: {runs[-1].seconds:.1f} s", file=sys.stderr)
        result = {"articles": written, "corpus": "FA-KES dev + Reuters-21578", "repeat": args.repeat, "baseline": counts[0],
                  "by_workers": summarise(runs, counts[0])}
        print(json.dumps(result, indent=2) if args.json else table(result))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
