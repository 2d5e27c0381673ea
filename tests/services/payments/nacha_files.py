"""NACHA files written to the operating rules' record layouts, controls computed, for tests and the
bench: credits, returns (addenda 99) and reversal batches."""

from dataclasses import dataclass, field
from decimal import Decimal

OUR_ROUTING = "12200066"
OUR_ACCOUNT = "4400123456"


@dataclass
class Entry:
    amount: Decimal
    trace: str
    individual_id: str = ""
    name: str = "AR PLATFORM"
    code: str = "22"  # a checking credit; 27 a debit
    account: str = OUR_ACCOUNT
    routing: str = OUR_ROUTING
    addenda: list[str] = field(default_factory=list)  # records from position 2 on


@dataclass
class Batch:
    company_name: str
    company_id: str
    entries: list[Entry]
    sec: str = "CCD"
    description: str = "AR PAYMNT"
    effective: str = "261105"


def payment_info(text: str) -> str:
    return f"05{text:<80}"


def return_addenda(reason: str, original_trace: str, original_dfi: str = OUR_ROUTING) -> str:
    return f"99{reason:<3}{original_trace:<15}{'':6}{original_dfi:<8}"


def _cents(amount: Decimal, width: int) -> str:
    return f"{int(amount * 100):0{width}d}"


def _record(text: str) -> str:
    assert len(text) <= 94, text
    return f"{text:<94}"


def nacha_file(batches: list[Batch], created: str = "2611050700") -> bytes:
    """The file, each record on its line; `created` is the header's YYMMDDHHMM."""
    records = [
        _record(
            f"101 {OUR_ROUTING}1 987654321{created}A094101{'FIRST BANK':<23}{'AR PLATFORM':<23}"
        )
    ]
    total_count = total_hash = 0
    total_debit = total_credit = Decimal(0)
    for number, batch in enumerate(batches, start=1):
        records.append(
            _record(
                f"5200{batch.company_name:<16}{'':20}{batch.company_id:<10}{batch.sec}"
                f"{batch.description:<10}{'':6}{batch.effective}   1{'12200066'}{number:07d}"
            )
        )
        count = routing_hash = 0
        debit = credit = Decimal(0)
        for entry in batch.entries:
            records.append(
                _record(
                    f"6{entry.code}{entry.routing}1{entry.account:<17}{_cents(entry.amount, 10)}"
                    f"{entry.individual_id:<15}{entry.name:<22}  {1 if entry.addenda else 0}"
                    f"{entry.trace:<15}"
                )
            )
            for sequence, addenda in enumerate(entry.addenda, start=1):
                records.append(
                    _record(f"7{addenda:<82}"[:83] + f"{sequence:04d}{entry.trace[-7:]}")
                )
            count += 1 + len(entry.addenda)
            routing_hash += int(entry.routing)
            if entry.code[1] in "1234":
                credit += entry.amount
            else:
                debit += entry.amount
        records.append(
            _record(
                f"8200{count:06d}{routing_hash % 10**10:010d}{_cents(debit, 12)}"
                f"{_cents(credit, 12)}{batch.company_id:<10}{'':25}12200066{number:07d}"
            )
        )
        total_count += count
        total_hash += routing_hash
        total_debit += debit
        total_credit += credit
    records.append(
        _record(
            f"9{len(batches):06d}{1:06d}{total_count:08d}{total_hash % 10**10:010d}"
            f"{_cents(total_debit, 12)}{_cents(total_credit, 12)}"
        )
    )
    return ("\n".join(records) + "\n").encode("latin-1")
