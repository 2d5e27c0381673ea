"""ASC X12 820 (Payment Order/Remittance Advice), as trading partners send it, read to the
published segment layout:

    ISA (fixed width: its 4th character separates elements, its 105th components, its 106th ends
    segments)  GS (functional group RA)  ST*820  BPR (amount, credit/debit, method, date)
    TRN (the payment's trace or check number)  CUR  N1*PR (payer) / N1*PE (payee)  ENT
    RMR (IV: invoice number, amount paid, invoice amount, discount)  ADX (an adjustment: its
    amount, negative when deducted, and reason code)  SE  GE  IEA.

Each transaction set is one advice. A bad segment is a problem named by its position in the file
(its line when each segment is on a line of its own): a bad amount leaves its line out, a set
without its BPR or SE is left out whole; counts and control numbers of SE, GE and IEA are checked.
A file nothing could be read from is refused (422) listing every problem."""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.payments.domain.bank_files.model import LineProblem
from services.payments.domain.remittance.model import (
    CENT,
    AdviceLine,
    MalformedRemittance,
    ReadAdvice,
    ReadAdvices,
)

ISA_LENGTH = 106
_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)$")
# Segments of an 820 that carry nothing cash application uses; read past without a word.
_PASSED_OVER = frozenset(
    {
        "REF",
        "DTM",
        "PER",
        "N2",
        "N3",
        "N4",
        "NM1",
        "RDM",
        "IT1",
        "DTP",
        "FA1",
        "FA2",
        "PRV",
        "EMS",
        "AMT",
        "QTY",
        "SE1",
        "TXP",
        "DED",
        "LX",
        "RYL",
        "NTE",
        "PAM",
        "PRQ",
    }
)


@dataclass
class _Set:
    line: int
    control: str
    advice: ReadAdvice
    segments: int = 1
    amount: Decimal | None = None
    credit: bool = True
    has_bpr: bool = False
    broken: bool = False
    adjustments: Decimal = Decimal(0)  # of the payment as a whole (ADX outside an RMR)
    # The RMR being read, to which a following ADX belongs.
    remittance: AdviceLine | None = None


def _amount(value: str, what: str) -> Decimal:
    if not _NUMBER.match(value.strip()):
        raise ValueError(f"{what} {value!r} is not an amount")
    amount = Decimal(value.strip())
    if amount != amount.quantize(CENT):
        raise ValueError(f"{what} {value!r} has more decimals than cents")
    return amount.quantize(CENT)


def _element(elements: list[str], position: int) -> str:
    return elements[position].strip() if position < len(elements) else ""


def _segments(text: str) -> tuple[list[str], str, str]:
    """The segments and the element and component separators the ISA declares."""
    start = text.lstrip(" \t\r\n\ufeff")
    if not start.startswith("ISA"):
        raise MalformedRemittance("the file is not an X12 interchange: it does not begin with ISA")
    if len(start) < ISA_LENGTH:
        raise MalformedRemittance("line 1: the ISA segment is cut short (it has 106 characters)")
    element, component, terminator = start[3], start[104], start[105]
    if element.isalnum() or terminator.isalnum() or element == terminator:
        raise MalformedRemittance(
            "line 1: the ISA segment does not declare its separators where the layout puts them"
        )
    return [s.strip("\r\n\t ") for s in start.split(terminator)], element, component


class _Reader:
    def __init__(self) -> None:
        self.found = ReadAdvices()
        self.current: _Set | None = None
        self.groups: list[tuple[int, str, int]] = []  # line, GS06, sets seen
        self.interchange: tuple[int, str] | None = None
        self.group_count = 0

    def problem(self, line: int, message: str) -> None:
        self.found.problems.append(LineProblem(line, message))

    def read(self, segments: list[str], separator: str) -> ReadAdvices:
        line = 0
        for segment in segments:
            if not segment:
                continue
            line += 1
            elements = segment.split(separator)
            tag = elements[0].strip().upper()
            if self.current is not None and tag not in ("SE",):
                self.current.segments += 1
            try:
                self.segment(line, tag, elements)
            except ValueError as exc:
                self.problem(line, f"{tag}: {exc}")
                if self.current is not None and tag in ("BPR",):
                    self.current.broken = True
        if self.current is not None:
            self.problem(self.current.line, "the transaction set ends without its SE: left out")
        if self.interchange is not None:
            self.problem(line, "the interchange ends without its IEA")
        return self.found

    def segment(self, line: int, tag: str, elements: list[str]) -> None:
        if tag == "ISA":
            self.interchange = (line, _element(elements, 13))
        elif tag == "GS":
            if _element(elements, 1) != "RA":
                self.problem(line, f"GS: functional group {_element(elements, 1)!r} is not RA")
            self.groups.append((line, _element(elements, 6), 0))
        elif tag == "ST":
            self.start_set(line, elements)
        elif tag == "SE":
            self.end_set(line, elements)
        elif tag == "GE":
            self.end_group(line, elements)
        elif tag == "IEA":
            self.end_interchange(line, elements)
        elif self.current is None:
            self.problem(line, f"{tag}: a segment outside a transaction set")
        else:
            self.in_set(line, tag, elements, self.current)

    def start_set(self, line: int, elements: list[str]) -> None:
        if self.current is not None:
            self.problem(self.current.line, "the transaction set ends without its SE: left out")
        if not self.groups:
            self.problem(line, "ST: a transaction set outside a functional group (GS)")
        else:
            at, control, sets = self.groups[-1]
            self.groups[-1] = (at, control, sets + 1)
        if _element(elements, 1) != "820":
            self.problem(line, f"ST: transaction set {_element(elements, 1)!r} is not an 820")
            self.current = _Set(line, _element(elements, 2), ReadAdvice(line=line), broken=True)
            return
        self.current = _Set(line, _element(elements, 2), ReadAdvice(line=line))

    def in_set(self, line: int, tag: str, elements: list[str], current: _Set) -> None:
        advice = current.advice
        if tag == "BPR":
            current.has_bpr = True
            current.amount = _amount(_element(elements, 2), "BPR02")
            current.credit = _element(elements, 3) != "D"
            advice.payment_method = _element(elements, 4) or None
            if _element(elements, 16):
                try:
                    advice.paid_on = datetime.strptime(_element(elements, 16), "%Y%m%d").date()
                except ValueError as exc:
                    raise ValueError(f"BPR16 {_element(elements, 16)!r} is not a date") from exc
        elif tag == "TRN":
            advice.reference = _element(elements, 2)[:100] or None
        elif tag == "CUR":
            currency = _element(elements, 2).upper()
            if not re.fullmatch(r"[A-Z]{3}", currency):
                raise ValueError(f"CUR02 {currency!r} is not a currency code")
            advice.currency = currency
        elif tag == "N1":
            if _element(elements, 1) == "PR":
                advice.payer_name = _element(elements, 2)[:200] or None
        elif tag == "ENT":
            current.remittance = None
        elif tag == "RMR":
            self.remittance(line, elements, current)
        elif tag == "ADX":
            self.adjustment(line, elements, current)
        elif tag not in _PASSED_OVER:
            self.problem(line, f"{tag}: not a segment of an 820; passed over")

    def remittance(self, line: int, elements: list[str], current: _Set) -> None:
        current.remittance = None
        qualifier, reference = _element(elements, 1), _element(elements, 2)
        paid = _amount(_element(elements, 4), "RMR04") if _element(elements, 4) else None
        billed = _amount(_element(elements, 5), "RMR05") if _element(elements, 5) else None
        discount = _amount(_element(elements, 6), "RMR06") if _element(elements, 6) else None
        if qualifier != "IV":
            self.problem(line, f"RMR: reference {qualifier!r} {reference!r} is not an invoice")
            return
        if not reference:
            raise ValueError("RMR02 names no invoice")
        short = (
            billed - paid - (discount or Decimal(0))
            if billed is not None and paid is not None
            else Decimal(0)
        )
        remittance = AdviceLine(
            reference[:100],
            paid,
            short if short > 0 else None,
            None,
            discount,
            f"RMR line {line}",
        )
        current.advice.lines.append(remittance)
        current.remittance = remittance

    def adjustment(self, line: int, elements: list[str], current: _Set) -> None:
        amount = _amount(_element(elements, 1), "ADX01")
        code = _element(elements, 2)
        reason = f"ADX reason code {code}" if code else "adjustment without a reason code"
        lines = current.advice.lines
        if current.remittance is not None and lines and lines[-1] is current.remittance:
            # The adjustment explains the short payment of the invoice just read.
            previous = lines[-1]
            lines[-1] = AdviceLine(
                previous.invoice_number,
                previous.amount_paid,
                abs(amount),
                reason,
                previous.discount,
                previous.source,
            )
            current.remittance = lines[-1]
            return
        current.adjustments += amount
        lines.append(AdviceLine(None, None, abs(amount), reason, None, f"ADX line {line}"))

    def end_set(self, line: int, elements: list[str]) -> None:
        current, self.current = self.current, None
        if current is None:
            self.problem(line, "SE: no transaction set to end")
            return
        current.segments += 1
        count, control = _element(elements, 1), _element(elements, 2)
        if control != current.control:
            self.problem(line, f"SE02 {control!r} does not close ST02 {current.control!r}")
            current.broken = True
        if count != str(current.segments):
            self.problem(
                line, f"SE01 says {count!r} segments, the transaction set has {current.segments}"
            )
            current.broken = True
        if not current.has_bpr:
            self.problem(current.line, "the transaction set has no BPR: left out")
            current.broken = True
        if not current.credit:
            self.problem(current.line, "BPR03: a debit is no payment to us: left out")
            current.broken = True
        if current.broken:
            return
        advice = current.advice
        advice.stated_total = current.amount
        paid = [r.amount_paid for r in advice.lines if r.invoice_number and r.amount_paid]
        if paid and current.amount is not None:
            listed = sum(paid, Decimal(0)) + current.adjustments
            if listed != current.amount:
                self.problem(
                    current.line,
                    f"the remittance adds up to {listed}, the payment (BPR02) is {current.amount}",
                )
        self.found.advices.append(advice)

    def end_group(self, line: int, elements: list[str]) -> None:
        if self.current is not None:
            self.problem(self.current.line, "the transaction set ends without its SE: left out")
            self.current = None
        if not self.groups:
            self.problem(line, "GE: no functional group to end")
            return
        at, control, sets = self.groups.pop()
        self.group_count += 1
        if _element(elements, 2) != control:
            self.problem(line, f"GE02 {_element(elements, 2)!r} does not close GS06 {control!r}")
        if _element(elements, 1) != str(sets):
            self.problem(line, f"GE01 says {_element(elements, 1)!r} sets, the group has {sets}")

    def end_interchange(self, line: int, elements: list[str]) -> None:
        if self.interchange is None:
            self.problem(line, "IEA: no interchange to end")
            return
        _, control = self.interchange
        self.interchange = None
        if _element(elements, 2) != control:
            self.problem(line, f"IEA02 {_element(elements, 2)!r} does not close ISA13 {control!r}")
        if _element(elements, 1) != str(self.group_count):
            self.problem(
                line, f"IEA01 says {_element(elements, 1)!r} groups, there are {self.group_count}"
            )


def read_820(content: bytes) -> ReadAdvices:
    """The advices of an 820 file and the problems of its segments; refused when nothing in it
    could be read."""
    segments, separator, _ = _segments(content.decode("latin-1"))
    found = _Reader().read(segments, separator)
    if not found.advices:
        shown = "; ".join(f"line {p.line}: {p.message}" for p in found.problems[:5])
        raise MalformedRemittance(
            f"no remittance could be read from the 820: {shown or 'it has no transaction set'}",
            lines=[{"line": p.line, "message": p.message} for p in found.problems],
        )
    return found
