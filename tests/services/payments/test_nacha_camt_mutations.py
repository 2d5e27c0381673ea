"""Mutated copies of valid camt and NACHA files (cut short, records repeated or dropped, bytes
changed): each reader ends quickly with receipts, listed lines or a 422, never another error."""

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.payments.domain.bank_files.camt_reader import read_camt
from services.payments.domain.bank_files.model import MalformedFile
from services.payments.domain.bank_files.nacha_reader import read_nacha

HERE = Path(__file__).parent
SAMPLES = {
    "nacha": [
        (HERE / "files" / "ach.nacha").read_bytes(),
        (HERE / "fixtures" / "nacha_every_class.ach").read_bytes(),
        (HERE / "fixtures" / "nacha_returns.ach").read_bytes(),
    ],
    "camt": [
        (HERE / "files" / "statement.camt053.xml").read_bytes(),
        (HERE / "files" / "notification.camt054.xml").read_bytes(),
        (HERE / "fixtures" / "camt_053_001_02_batch.xml").read_bytes(),
    ],
}
# Each reader, on any of these inputs, answers within this many seconds.
BOUND = 1.0


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    content = bytearray(draw(st.sampled_from(SAMPLES[kind])))
    for _ in range(draw(st.integers(1, 4))):
        if not content:
            break
        lines = bytes(content).split(b"\n")
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["flip", "cut", "repeat", "drop", "insert"]))
        if operation == "flip":
            position = draw(st.integers(0, len(content) - 1))
            content[position] = draw(st.integers(0, 255))
        elif operation == "cut":
            content = content[: draw(st.integers(0, len(content)))]
        elif operation == "repeat":
            content = bytearray(b"\n".join(lines[: at + 1] + lines[at:]))
        elif operation == "drop":
            content = bytearray(b"\n".join(lines[:at] + lines[at + 1 :]))
        else:
            filler = draw(st.sampled_from([b"abc", b"-1", b"NaN", b"9" * 94, b"<Amt>1e3</Amt>"]))
            content[at:at] = filler
    return bytes(content)


def _ends_within_the_bound(read: object, content: bytes) -> None:
    started = time.perf_counter()
    try:
        read(content)  # type: ignore[operator]
    except MalformedFile:
        pass
    assert time.perf_counter() - started < BOUND


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated("nacha"))
def test_nacha_reader_ends_on_every_mutation(content: bytes) -> None:
    _ends_within_the_bound(lambda c: read_nacha(c, "USD"), content)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated("camt"))
def test_camt_reader_ends_on_every_mutation(content: bytes) -> None:
    _ends_within_the_bound(read_camt, content)
