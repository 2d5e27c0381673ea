import argparse
import importlib
import pkgutil
import sys
import tempfile
import time
from pathlib import Path

import uvloop

import tests.bench
from deploy.local_infra import start_kafka, start_postgres
from tests.bench import BenchInfra


def _modules(names: list[str]) -> list[str]:
    found = sorted(
        m.name for m in pkgutil.iter_modules(tests.bench.__path__) if m.name.startswith("bench_")
    )
    chosen = [m for m in found if not names or m.removeprefix("bench_") in names]
    if not chosen:
        sys.exit(f"no benchmark among {names}; there are: {', '.join(found) or 'none yet'}")
    return chosen


async def _run(modules: list[str], infra: BenchInfra, out: Path) -> None:
    for name in modules:
        module = importlib.import_module(f"tests.bench.{name}")
        started = time.perf_counter()
        lines = await module.run(infra)
        report = "\n".join([f"== {name} ({time.perf_counter() - started:.1f} s)", *lines, ""])
        print(report, flush=True)
        (out / f"{name.removeprefix('bench_')}.txt").write_text(report)


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
            uvloop.run(_run(modules, BenchInfra(postgres, kafka, Path(workdir)), out))
        finally:
            kafka.stop()
            postgres.stop()


if __name__ == "__main__":
    main()
