"""The bench report writer: each figure beside its baseline, target and spread, each step's memory
and the baselines' plans, in report.md and report.json (no database needed)."""

import asyncio
import json
import os
from pathlib import Path

import pytest

from tests.bench import report
from tests.bench.report import Figure, Step


def _step(figures: list[Figure]) -> Step:
    processes = {"Kafka's peak RSS": 95.0}
    return Step("collections", 12.5, ["data: 10 items"], figures, 310.0, processes, 1.5, 2.5)


def test_a_figure_is_met_or_not_by_its_direction() -> None:
    fast = Figure("aging", 80.0, "ms", "1M items", target=100.0, baseline=40.0)
    rate = Figure("events", 4000.0, "events/s", "30k events", target=5000.0, better="higher")
    assert fast.met is True and fast.ratio == 2.0
    assert rate.met is False and rate.ratio is None
    assert Figure("untargeted", 1.0, "ms", "").met is None


def test_repeat_gives_every_sample_and_the_load() -> None:
    calls = []

    async def call() -> int:
        calls.append(1)
        return len(calls)

    samples = asyncio.run(report.repeat(call, times=3))
    assert len(samples.values) == 3 and len(calls) == 4  # one warm-up not counted
    assert samples.answer == 4 and samples.load >= 0
    lo, hi = samples.spread
    assert lo <= samples.median <= hi


def test_the_report_holds_every_figure_its_step_and_plans(tmp_path: Path) -> None:
    figures = [
        Figure(
            "portfolio aging as of today",
            81.5,
            "ms",
            "1,000,000 items",
            samples=(79.0, 81.5, 90.0),
            target=100.0,
            baseline=289.0,
            baseline_label="SUM(balance) GROUP BY",
            baseline_plan="HashAggregate (actual time=1.0..289.0 rows=7 loops=1)",
            load=1.8,
        ),
        Figure("consumption", 4361.0, "events/s", "30,000 events", target=5000, better="higher"),
    ]
    report.write([_step(figures)], tmp_path, machine="2 CPUs")

    data = json.loads((tmp_path / "report.json").read_text())
    [step] = data["steps"]
    assert step["peak_rss_mb"] == 310.0 and step["processes"] == {"Kafka's peak RSS": 95.0}
    aging, consumption = step["figures"]
    assert aging["met"] is True and aging["spread"] == [79.0, 90.0]
    assert aging["ratio"] == pytest.approx(81.5 / 289.0)
    assert consumption["met"] is False and consumption["ratio"] is None

    md = (tmp_path / "report.md").read_text()
    assert (
        "| collections | portfolio aging as of today | 81.50 ms | 79.00–90.00 | < 100 | met | "
        "289 (SUM(balance) GROUP BY) | 0.28 | 1,000,000 items | 1.8 |"
    ) in md
    assert "| >= 5,000 | **not met** |" in md
    assert "peak RSS of the bench process during the step 310 MB, Kafka's peak RSS 95 MB" in md
    assert "HashAggregate (actual time=1.0..289.0 rows=7 loops=1)" in md


def test_lines_and_figures_come_apart() -> None:
    figure = Figure("x", 1.0, "ms", "tiny")
    lines, figures = report.split(["a line", figure])
    assert figures == [figure] and lines == ["a line", figure.line()]


def test_bench_scale_shrinks_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_SCALE", "0.1")
    assert report.scaled(1_000_000) == 100_000 and report.scaled(3) == 1
    monkeypatch.delenv("BENCH_SCALE")
    assert report.scaled(50_000) == 50_000


def test_a_step_reports_the_memory_of_processes_it_ran() -> None:
    report.process_memory("credit server 0 peak RSS", 180.0)
    report.process_memory("gone", None)
    assert report.drain_processes() == {"credit server 0 peak RSS": 180.0}
    assert report.drain_processes() == {}
    assert (report.peak_rss_mb() or 0) > 0 and report.tree_rss_mb(os.getpid()) > 0
