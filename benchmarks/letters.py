"""Benchmark of decision-letter rendering: letters per second against WeasyPrint's floor.

    .venv/bin/python benchmarks/letters.py                 # 200 letters, 1 process and a pool
    .venv/bin/python benchmarks/letters.py --letters 300 --processes 2

Each letter is the full path a decision takes minus the database: the sample context of a
letter kind (rotating through all kinds, each with a different association name so nothing is
cached between letters), the staff wording rendered in the sandbox, the print HTML through
Jinja, then WeasyPrint to PDF/A-2a with tags, bundled fonts and the PDF/UA metadata. It runs
``--letters`` letters in one process, then the same with a ``multiprocessing`` pool of
``--processes`` workers (default: every core), and reports letters per second next to the
*floor*: the time WeasyPrint takes for a minimal one-page document (``<p>x</p>``, no fonts, no
PDF/A) in the same run, i.e. the per-document cost no letter can go below. The ratio says how
many floors one letter costs; the last line extrapolates to 300 letters (the aim: under 60 s).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import _harness as h  # noqa: E402

_APP = None


def _app():
    global _APP
    if _APP is None:
        instance = Path(os.environ.get("TMPDIR", "/tmp")) / "lokapp-bench-letters"
        os.environ.setdefault("LOKAPP_INSTANCE_PATH", str(instance))
        _APP = h.create_app_for("sqlite://", LOKAPP_ENV="testing")
    return _APP


def render_one(index: int) -> int:
    """Render letter number ``index``; returns the PDF's size in bytes."""
    from lokapp.letters import rendering
    from lokapp.letters.context import sample_context
    from lokapp.letters.kinds import KINDS

    app = _app()
    kinds = list(KINDS)
    kind = kinds[index % len(kinds)]
    spec = KINDS[kind]
    wording = {"subject_sv": spec.subject_sv, "body_sv": spec.body_sv,
               "subject_en": spec.subject_en, "body_en": spec.body_en}
    with app.test_request_context():
        context = sample_context(kind, wording)
        context["association"]["name"] = f"Förening nummer {index} i Västerås"
        context["recipient"]["lines"][0] = context["association"]["name"]
        return len(rendering.render_pdf(context))


def floor_seconds(repeat: int = 20) -> float:
    """Median time of WeasyPrint rendering a minimal one-page document."""
    from weasyprint import HTML

    HTML(string="<p>x</p>").write_pdf()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        HTML(string="<p>x</p>").write_pdf()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _warm(_):
    render_one(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    render_one(0)  # warm up: imports, font files into the fetcher's cache, Jinja compilation
    floor = floor_seconds()

    start = time.perf_counter()
    sizes = [render_one(i) for i in range(args.letters)]
    single = time.perf_counter() - start

    context = multiprocessing.get_context("fork")
    with context.Pool(args.processes) as pool:
        pool.map(_warm, range(args.processes))
        start = time.perf_counter()
        pool_sizes = pool.map(render_one, range(args.letters), chunksize=4)
        pooled = time.perf_counter() - start
    assert len(pool_sizes) == args.letters

    per_letter = single / args.letters
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()} (load average {load}: other work on the machine slows "
          f"the pool first), letters: {args.letters}, "
          f"mean PDF size {statistics.mean(sizes) / 1024:.1f} kB")
    print(f"floor (WeasyPrint, minimal one-page document): {floor * 1000:.1f} ms "
          f"= {1 / floor:.1f} documents/s")
    print(f"1 process:    {single:6.1f} s  {args.letters / single:6.2f} letters/s  "
          f"{per_letter * 1000:6.1f} ms/letter = {per_letter / floor:.1f} × floor")
    print(f"{args.processes} processes:  {pooled:6.1f} s  {args.letters / pooled:6.2f} letters/s  "
          f"speed-up {single / pooled:.2f}×")
    rate = args.letters / pooled
    print(f"300 letters with {args.processes} processes: about {300 / rate:.0f} s "
          f"(aim: under 60 s) – {'met' if 300 / rate < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
