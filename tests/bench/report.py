"""The bench report: each figure beside its baseline, target, data size, the host's load and the
spread over repeats; each step with the memory it took. `python -m tests.bench` writes it to
var/bench/report.md and report.json.

A module records a figure with `record(Figure(...))` (or puts Figures among the lines it
returns); `repeat()` times a call several times and gives the samples and the load meanwhile.
"""

import json
import os
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

REPEATS = 3  # each headline figure at least this many times


def scale() -> float:
    """BENCH_SCALE shrinks (or grows) every module's data: 0.1 for a quick run."""
    return float(os.environ.get("BENCH_SCALE", "1.0"))


def scaled(size: int, minimum: int = 1) -> int:
    return max(minimum, round(size * scale()))


@dataclass(frozen=True)
class Samples:
    """The values of one measurement's repeats, and the host's 1-minute load average meanwhile."""

    values: tuple[float, ...]
    load: float
    answer: Any = None

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.values), max(self.values)


async def repeat(
    call: Callable[[], Awaitable[Any]], times: int = REPEATS, warm_up: int = 1
) -> Samples:
    """Milliseconds of `times` runs of `call` after `warm_up` runs not counted, the answer of the
    last run, and the mean load average sampled after each run."""
    answer = None
    for _ in range(warm_up):
        answer = await call()
    values, loads = [], []
    for _ in range(max(times, 1)):
        started = time.perf_counter()
        answer = await call()
        values.append((time.perf_counter() - started) * 1000)
        loads.append(os.getloadavg()[0])
    return Samples(tuple(values), statistics.fmean(loads), answer)


@dataclass
class Figure:
    """One measured figure. `value` is the median of `samples` when there are several; the
    target is met when the value is below it (`better="lower"`) or at least it (`"higher"`)."""

    name: str
    value: float
    unit: str
    data_size: str
    samples: tuple[float, ...] = ()
    target: float | None = None
    better: Literal["lower", "higher"] = "lower"
    baseline: float | None = None
    baseline_label: str = ""
    baseline_samples: tuple[float, ...] = ()
    baseline_plan: str = ""  # EXPLAIN (ANALYZE) of the baseline query, when it is SQL
    load: float = field(default_factory=lambda: os.getloadavg()[0])
    note: str = ""

    @classmethod
    def timed(cls, name: str, ours: Samples, data_size: str, **kw: Any) -> "Figure":
        """A figure in milliseconds from `repeat()` samples (and a baseline's, if given)."""
        base: Samples | None = kw.pop("baseline_samples", None)
        extra: dict[str, Any] = (
            {"baseline": base.median, "baseline_samples": base.values} if base else {}
        )
        load = max(ours.load, base.load) if base else ours.load
        return cls(name, ours.median, "ms", data_size, ours.values, load=load, **extra, **kw)

    @property
    def ratio(self) -> float | None:
        """Value over baseline: for times, above 1 means the product is slower than the baseline."""
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value < self.target if self.better == "lower" else self.value >= self.target

    @property
    def spread(self) -> tuple[float, float] | None:
        return (min(self.samples), max(self.samples)) if self.samples else None

    def line(self) -> str:
        parts = [f"{self.name}: {_num(self.value)} {self.unit}"]
        if self.spread and len(self.samples) > 1:
            parts.append(
                f"(spread {_num(self.spread[0])}–{_num(self.spread[1])}, n={len(self.samples)})"
            )
        if self.target is not None:
            op = "<" if self.better == "lower" else ">="
            parts.append(f"target {op} {_num(self.target)}: {'met' if self.met else 'NOT met'}")
        if self.baseline is not None:
            parts.append(f"; baseline {self.baseline_label} {_num(self.baseline)} {self.unit}")
            if self.ratio is not None:
                parts.append(f"(ratio {self.ratio:.2f})")
        parts.append(f"; {self.data_size}; load {self.load:.1f}")
        return " ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": self.ratio, "met": self.met, "spread": self.spread}


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


_recorded: list[Figure] = []


def record(figure: Figure) -> Figure:
    """Keep a figure for the report of the step that runs now."""
    _recorded.append(figure)
    return figure


def drain() -> list[Figure]:
    figures = list(_recorded)
    _recorded.clear()
    return figures


def reset_peak_rss() -> None:
    """Start this process's peak RSS (VmHWM) afresh, so each step reports its own (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident memory so far, from /proc (None once it is gone)."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_peak_rss_of(pid: int) -> None:
    """The same for a child process (the broker): its peak then counts from this step."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its direct children now (PostgreSQL's backends)."""
    pids = [str(pid)]
    try:
        pids += Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        pass
    total = 0.0
    for p in pids:
        try:
            for row in Path(f"/proc/{p}/status").read_text().splitlines():
                if row.startswith("VmRSS:"):
                    total += int(row.split()[1]) / 1024
        except OSError:
            continue
    return total


def ended_children_peak_rss_mb() -> float:
    """The largest peak RSS of the child processes ended so far (service processes a step ran)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


_processes: dict[str, float] = {}


def process_memory(name: str, mb: float | None) -> None:
    """Report a process's memory (e.g. a service's peak RSS) with the step that runs now."""
    if mb is not None:
        _processes[name] = mb


def drain_processes() -> dict[str, float]:
    found = dict(_processes)
    _processes.clear()
    return found


@dataclass
class Step:
    """One module's run: its figures and lines, its time, and the memory it took."""

    name: str
    seconds: float
    lines: list[str]
    figures: list[Figure]
    peak_rss_mb: float | None
    processes: dict[str, float]  # other processes' memory in MB, by what was measured
    load_start: float
    load_end: float


def split(results: list[Any]) -> tuple[list[str], list[Figure]]:
    """A module's returned lines and Figures apart; a Figure also shows as a line."""
    lines, figures = [], []
    for item in results:
        if isinstance(item, Figure):
            figures.append(item)
            lines.append(item.line())
        else:
            lines.append(str(item))
    return lines, figures


def write(steps: list[Step], out: Path, *, machine: str) -> None:
    """report.json (everything) and report.md (a table of figures, then each step)."""
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "machine": machine,
        "scale": scale(),
        "steps": [asdict(s) | {"figures": [f.as_json() for f in s.figures]} for s in steps],
    }
    (out / "report.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    md = [
        "# Bench report",
        "",
        f"{machine}; BENCH_SCALE {scale():g}.",
        "",
        "| step | figure | value | spread | target | met | baseline | ratio | data | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for step in steps:
        for f in step.figures:
            spread = f"{_num(f.spread[0])}–{_num(f.spread[1])}" if f.spread else ""
            target = (
                ""
                if f.target is None
                else f"{'<' if f.better == 'lower' else '>='} {_num(f.target)}"
            )
            met = {None: "", True: "met", False: "**not met**"}[f.met]
            baseline = "" if f.baseline is None else f"{_num(f.baseline)} ({f.baseline_label})"
            ratio = "" if f.ratio is None else f"{f.ratio:.2f}"
            md.append(
                f"| {step.name} | {f.name} | {_num(f.value)} {f.unit} | {spread} | {target} | "
                f"{met} | {baseline} | {ratio} | {f.data_size} | {f.load:.1f} |"
            )
    for step in steps:
        memory = f"peak RSS of the bench process during the step {_mb(step.peak_rss_mb)}"
        memory += "".join(f", {name} {_mb(mb)}" for name, mb in step.processes.items())
        md += [
            "",
            f"## {step.name}",
            "",
            f"{step.seconds:.1f} s; {memory}; load average {step.load_start:.1f} at the start, "
            f"{step.load_end:.1f} at the end.",
            "",
            *(f"- {line}" for line in step.lines),
        ]
        for f in step.figures:
            if f.baseline_plan:
                md += ["", f"Baseline plan for {f.name}:", "", "```", f.baseline_plan, "```"]
    (out / "report.md").write_text("\n".join(md) + "\n")


def _mb(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.0f} MB"
