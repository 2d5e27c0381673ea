"""The product reads the time only through its clock (shared/clock.py): a direct read of the wall
clock is a date tests cannot state and a request's business date cannot replace."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOCK = ROOT / "shared" / "clock.py"

# (what is called, on what): datetime.now(), date.today(), time.time(), ...
WALL_CLOCK_READS = {
    ("now", "datetime"),
    ("utcnow", "datetime"),
    ("today", "datetime"),
    ("today", "date"),
    ("time", "time"),
    ("time_ns", "time"),
    ("localtime", "time"),
    ("gmtime", "time"),
}


def _wall_clock_reads(name: str, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                if (func.attr, func.value.id) in WALL_CLOCK_READS:
                    found.append(f"{name}:{node.lineno} {func.value.id}.{func.attr}()")
            elif isinstance(func, ast.Name) and func.id == "utcnow":
                found.append(f"{name}:{node.lineno} utcnow()")
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            # `from time import time` would hide a read from the check above.
            found += [
                f"{name}:{node.lineno} from time import {a.name}"
                for a in node.names
                if ("time", a.name) in {(m, f) for f, m in WALL_CLOCK_READS}
            ]
    return found


def test_no_module_reads_the_wall_clock_but_the_clock() -> None:
    sources = [
        path
        for folder in ("services", "shared")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != CLOCK
    ]
    reads = [
        read
        for path in sources
        for read in _wall_clock_reads(str(path.relative_to(ROOT)), path.read_text())
    ]
    assert not reads, "read the time from shared.clock.Clock instead:\n" + "\n".join(reads)


def test_the_check_sees_each_kind_of_direct_read() -> None:
    source = (
        "import time\nfrom datetime import date, datetime\n"
        "from time import monotonic, time as now\n"
        "a = date.today()\nb = datetime.now()\nc = time.time()\nd = datetime.utcnow()\n"
    )
    assert len(_wall_clock_reads("probe.py", source)) == 5
