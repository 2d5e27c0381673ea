"""A GL batch as files: our CSV, and ERPNext's Journal Entry data-import layout.

ERPNext (Frappe's Data Import, "Insert New Records" into Journal Entry) reads one column per
field, labelled as the form labels it; the child table's columns carry the table's label in
brackets ("Accounting Entries" is Journal Entry's `accounts` table of Journal Entry Account).
A row with the parent's columns filled starts a journal entry; the rows after it with those
columns empty add more accounting entries to it. ERPNext refuses a row that debits and credits
at once, so each line carries its net on one side. We write one journal entry per currency.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from services.collections.domain.gl import BatchLine
from services.collections.models import GLBatch
from shared.money import round_money

CSV_HEADER = ["batch", "label", "currency", "account", "department", "debit", "credit", "postings"]


def batch_csv(batch: GLBatch, lines: Sequence[BatchLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for line in lines:
        writer.writerow(
            [
                batch.number,
                batch.label,
                line.currency,
                line.account,
                line.department,
                round_money(line.debit, line.currency),
                round_money(line.credit, line.currency),
                line.postings,
            ]
        )
    return out.getvalue()


ERPNEXT_HEADER = [
    "Entry Type",
    "Posting Date",
    "Company",
    "Reference Number",
    "Reference Date",
    "User Remark",
    "Account (Accounting Entries)",
    "Cost Center (Accounting Entries)",
    "Debit (Accounting Entries)",
    "Credit (Accounting Entries)",
]


def _erpnext_rows(batch: GLBatch, lines: Iterable[BatchLine], company: str) -> Iterable[list[str]]:
    started: set[str] = set()
    for line in lines:
        net = round_money(line.net, line.currency)
        if not net:
            continue  # an account whose debits and credits cancel posts nothing
        parent = ["", "", "", "", "", ""]
        if line.currency not in started:
            started.add(line.currency)
            parent = [
                "Journal Entry",
                batch.through.isoformat(),
                company,
                f"AR-GL-{batch.number:06d}",
                batch.through.isoformat(),
                f"AR GL batch {batch.number} ({batch.label}), {line.currency}",
            ]
        debit, credit = (net, Decimal(0)) if net > 0 else (Decimal(0), -net)
        yield [
            *parent,
            line.account,
            line.department,
            str(round_money(debit, line.currency)),
            str(round_money(credit, line.currency)),
        ]


def batch_erpnext(batch: GLBatch, lines: Sequence[BatchLine], company: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ERPNEXT_HEADER)
    writer.writerows(_erpnext_rows(batch, lines, company))
    return out.getvalue()
