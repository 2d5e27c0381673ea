"""Benchmarks (`make bench`): speed and memory targets measured, not asserted in timed tests.

Each module `bench_<name>.py` here defines `async def run(infra: BenchInfra) -> list[str]`,
returning the lines of its report, among which it may put `report.Figure`s (or record them with
`report.record`). `python -m tests.bench [name ...]` runs them all (or those named) against one
throwaway PostgreSQL and Kafka, prints the reports, writes them to var/bench/<name>.txt and the
whole report to var/bench/report.md and report.json (tests/bench/report.py). BENCH_SCALE=0.1
shrinks every module's data for a quick run.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from deploy.local_infra import KafkaBroker, PostgresServer


@dataclass
class BenchInfra:
    postgres: PostgresServer
    kafka: KafkaBroker
    workdir: Path


def reference_ms() -> float:
    """CPU time of a fixed pure-Python loop: this machine's speed at the moment, which varies
    with what else its host runs, so figures from different runs can be compared."""
    started = time.process_time()
    total = 0
    for i in range(1_000_000):
        total += i * i
    return (time.process_time() - started) * 1000
