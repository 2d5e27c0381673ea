"""Every bank-file reader ends, within a bound, on every input: valid files cut short, with records
repeated or dropped, with bytes flipped. It gives back what it read or refuses the file with its
own error (`MalformedFile`, a 422); nothing else may escape. The remittance-advice readers (X12
820, emails and the PDF, XLSX and CSV attachments they carry) are held to the same with their own
error (`MalformedRemittance`). A fixed, derandomised budget keeps this inside `make test`;
`BANK_FILE_FUZZ_EXAMPLES=5000` searches deeper."""

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from services.payments.domain.bank_files.bai2_reader import read_bai2
from services.payments.domain.bank_files.camt_reader import read_camt
from services.payments.domain.bank_files.lockbox_reader import read_lockbox
from services.payments.domain.bank_files.model import LockboxLayout, MalformedFile, ParsedFile
from services.payments.domain.bank_files.nacha_reader import read_nacha
from services.payments.domain.remittance.email_reader import read_email
from services.payments.domain.remittance.model import MalformedRemittance, ReadAdvices
from services.payments.domain.remittance.reading import read_advice_file
from services.payments.domain.remittance.x12_820 import read_820
from tests.services.payments.advices import XLSX, advice_email

FIXTURES = Path(__file__).parent / "fixtures"
FILES = Path(__file__).parent / "files"
SECONDS_PER_FILE = 2.0
EXAMPLES = int(os.environ.get("BANK_FILE_FUZZ_EXAMPLES", "100"))


class Stalled(Exception):
    pass


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail, rather than hang the suite, when a reader loops (an alarm interrupts Python code)."""

    def stop(*_: object) -> None:
        raise Stalled(f"the reader did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


Reader = Callable[[bytes], ParsedFile]

# Text readers get every byte as a character (Latin-1), so no mutation is lost to decoding.
READERS: dict[str, tuple[Reader, list[Path]]] = {
    "bai2": (
        lambda b: read_bai2(b.decode("latin-1")),
        [FIXTURES / "everyday.bai2", FILES / "statement.bai2"],
    ),
    "camt": (read_camt, [FILES / "statement.camt053.xml", FILES / "notification.camt054.xml"]),
    "nacha": (lambda b: read_nacha(b.decode("latin-1"), "USD"), [FILES / "ach.nacha"]),
    "lockbox": (
        lambda b: read_lockbox(b.decode("latin-1"), LockboxLayout(), "USD"),
        [FILES / "lockbox.csv"],
    ),
}


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    content = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        lines = content.splitlines(keepends=True) or [content]
        how = draw(st.sampled_from(["truncate", "repeat", "drop", "flip", "swap"]))
        if how == "truncate":
            content = content[: draw(st.integers(0, len(content)))]
        elif how == "repeat":
            line = draw(st.sampled_from(lines))
            at = draw(st.integers(0, len(lines)))
            content = b"".join([*lines[:at], line, *lines[at:]])
        elif how == "drop":
            at = draw(st.integers(0, len(lines) - 1))
            content = b"".join(lines[:at] + lines[at + 1 :])
        elif how == "swap":
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            content = b"".join(lines)
        elif content:
            at = draw(st.integers(0, len(content) - 1))
            byte = draw(st.sampled_from(b"09aZ,/*~<>&\n \x00\xff-+.E"))
            content = content[:at] + bytes([byte]) + content[at + 1 :]
    return content


# Inputs that broke a reader once, tried before the mutations (a mutation finds them only by luck).
_NACHA = (FILES / "ach.nacha").read_bytes()
_BAI2 = (FILES / "statement.bai2").read_bytes()
_CAMT = (FILES / "statement.camt053.xml").read_bytes()
HARD_CASES: dict[str, list[bytes]] = {
    "bai2": [b"\n".join(_BAI2.splitlines()[:6])],  # ends inside an account: the library looped
    "camt": [_CAMT.replace(b'<Amt Ccy="USD">640.00</Amt>', b'<Amt Ccy="USD">abc</Amt>')],
    "nacha": [_NACHA.replace(b"*INV-2026-000123**1250.00", b"*INV-2026-000123**abcdefg")],
    # A row cut short: its missing columns were None, not blank.
    "lockbox": [(FILES / "lockbox.csv").read_bytes().splitlines()[0] + b"\nLB-1,5,1.00,2026-11-05"],
}


def _ends(
    reader: Callable[[bytes], object],
    content: bytes,
    *,
    refused: type[Exception],
    result: type,
    name: str,
) -> None:
    """The reader ends within its time on `content`, with a `result` or its own `refused` error;
    anything else would be a 500 at the API."""
    try:
        with within(SECONDS_PER_FILE):
            parsed = reader(content)
    except refused:
        return
    except Stalled:
        pytest.fail(f"the {name} reader ran past {SECONDS_PER_FILE} s on {content!r}")
    except Exception as exc:  # noqa: BLE001 - any other error is what this test looks for
        pytest.fail(
            f"the {name} reader let {type(exc).__name__}: {exc} escape on {content!r} "
            f"(a 500 at the API; it must be a line problem or {refused.__name__})"
        )
    assert isinstance(parsed, result)


def _fuzz(seeds: list[bytes], check: Callable[[bytes], None]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @seed(20261207)  # the same examples on every run, wherever the checkout is
    @given(mutated(seeds))
    def ends_with_a_result_or_its_own_error(content: bytes) -> None:
        check(content)

    ends_with_a_result_or_its_own_error()


def _bank_file_ends(reader_name: str, content: bytes) -> None:
    _ends(
        READERS[reader_name][0], content, refused=MalformedFile, result=ParsedFile, name=reader_name
    )


@pytest.mark.parametrize("reader_name", list(READERS))
def test_every_reader_ends_on_inputs_that_broke_readers_before(reader_name: str) -> None:
    for content in HARD_CASES[reader_name]:
        _bank_file_ends(reader_name, content)


@pytest.mark.parametrize("reader_name", list(READERS))
def test_every_reader_ends_on_every_mutation_with_its_own_error_or_a_result(
    reader_name: str,
) -> None:
    seeds = [p.read_bytes() for p in READERS[reader_name][1]]
    _fuzz(seeds, lambda content: _bank_file_ends(reader_name, content))


def _in_email(name: str, content_type: tuple[str, str]) -> Callable[[bytes], ReadAdvices]:
    """A reader of an attachment: the mutated file sent as one, the way customers send it."""

    def read(content: bytes) -> ReadAdvices:
        advice = read_email(advice_email("See attached.", (name, content, content_type)))
        return ReadAdvices([advice], advice.problems, advice.parts)

    return read


ADVICE_READERS: dict[str, tuple[Callable[[bytes], ReadAdvices], list[Path]]] = {
    "x12_820": (read_820, [FIXTURES / "remittance.820"]),
    "email": (read_advice_file, [FIXTURES / "advice_body.eml"]),
    "pdf": (_in_email("advice.pdf", ("application", "pdf")), [FIXTURES / "advice_remittance.pdf"]),
    "xlsx": (_in_email("advice.xlsx", XLSX), [FIXTURES / "advice_remittance.xlsx"]),
    "csv": (_in_email("advice.csv", ("text", "csv")), [FIXTURES / "advice_remittance.csv"]),
}

_820 = (FIXTURES / "remittance.820").read_bytes()
ADVICE_HARD_CASES: dict[str, list[bytes]] = {
    "x12_820": [
        _820[:106],  # the interchange header alone
        _820.replace(b"~\n", b"\n"),  # a segment terminator the ISA does not declare
        _820.replace(b"*1250.00*1250.00", b"*abc*1250.00"),
        _820.replace(b"SE*14*0001~\n", b""),  # a set that never ends
    ],
    "email": [b"From: a@b\n\n", b"Subject: x\nContent-Type: multipart/mixed\n\n--"],
    "pdf": [b"%PDF-1.4\n", b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [1 0 R] >> endobj\n"],
    "xlsx": [b"PK\x03\x04", b""],
    "csv": [b"\x00\xff;\n;;;", b"invoice,amount paid\nINV-1,abc\n"],
}


def _advice_ends(reader_name: str, content: bytes) -> None:
    _ends(
        ADVICE_READERS[reader_name][0],
        content,
        refused=MalformedRemittance,
        result=ReadAdvices,
        name=reader_name,
    )


@pytest.mark.parametrize("reader_name", list(ADVICE_READERS))
def test_every_advice_reader_ends_on_inputs_that_are_known_to_be_hard(reader_name: str) -> None:
    for content in ADVICE_HARD_CASES[reader_name]:
        _advice_ends(reader_name, content)


@pytest.mark.parametrize("reader_name", list(ADVICE_READERS))
def test_every_advice_reader_ends_on_every_mutation_with_its_own_error_or_a_result(
    reader_name: str,
) -> None:
    seeds = [p.read_bytes() for p in ADVICE_READERS[reader_name][1]]
    _fuzz(seeds, lambda content: _advice_ends(reader_name, content))
