import argparse
import importlib
import os
import pkgutil
import sys
import tempfile
import time
from pathlib import Path

import uvloop

import tests.bench
from deploy.local_infra import start_kafka, start_postgres
from tests.bench import BenchInfra, reference_ms, report


def _modules(names: list[str]) -> list[str]:
    found = sorted(
        m.name for m in pkgutil.iter_modules(tests.bench.__path__) if m.name.startswith("bench_")
    )
    chosen = [m for m in found if not names or m.removeprefix("bench_") in names]
    if not chosen:
        sys.exit(f"no benchmark among {names}; there are: {', '.join(found) or 'none yet'}")
    return chosen


async def _run(modules: list[str], infra: BenchInfra, out: Path) -> list[report.Step]:
    steps = []
    for name in modules:
        module = importlib.import_module(f"tests.bench.{name}")
        report.drain()
        report.drain_processes()
        report.reset_peak_rss()
        report.reset_peak_rss_of(infra.kafka.pid)
        load_start, started = os.getloadavg()[0], time.perf_counter()
        lines, figures = report.split(await module.run(infra))
        step = report.Step(
            name=name.removeprefix("bench_"),
            seconds=time.perf_counter() - started,
            lines=lines,
            figures=[*report.drain(), *figures],
            peak_rss_mb=report.peak_rss_mb(),
            processes={
                **report.drain_processes(),
                "Kafka's peak RSS": report.peak_rss_mb(infra.kafka.pid) or 0.0,
                "PostgreSQL's RSS at the end": report.tree_rss_mb(infra.postgres.pid),
                "the largest peak RSS of the child processes ended so far": (
                    report.ended_children_peak_rss_mb()
                ),
            },
            load_start=load_start,
            load_end=os.getloadavg()[0],
        )
        text = "\n".join(
            [
                f"== {name} ({step.seconds:.1f} s, peak RSS {step.peak_rss_mb or 0:,.0f} MB)",
                *lines,
                *(f.line() for f in step.figures if f not in figures),
                "",
            ]
        )
        print(text, flush=True)
        (out / f"{step.name}.txt").write_text(text)
        steps.append(step)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("names", nargs="*", help="e.g. billing_run (default: all)")
    args = parser.parse_args()
    modules = _modules(args.names)
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ar-bench-") as workdir:
        postgres = start_postgres(Path(workdir) / "pg")
        kafka = start_kafka(Path(workdir) / "kafka")
        try:
            # uvloop, as the services run under uvicorn: the in-process consumers and the load
            # generators then cost what they would in service, not asyncio's pure-Python loop.
            reference = reference_ms()
            steps = uvloop.run(_run(modules, BenchInfra(postgres, kafka, Path(workdir)), out))
            machine = (
                f"{os.cpu_count()} CPUs; a reference loop took {reference:.0f} ms of CPU before "
                f"the run, {reference_ms():.0f} ms after"
            )
            report.write(steps, out, machine=machine)
        finally:
            kafka.stop()
            postgres.stop()


if __name__ == "__main__":
    main()
