"""Manual invoices: charges not on a ticket, keyed in by the coordinator."""

from collections.abc import Sequence

from services.invoicing.domain.tickets import line_amount
from services.invoicing.schemas.invoices import ManualLineIn
from shared.events.invoicing import InvoiceLineFacts


def manual_lines(lines: Sequence[ManualLineIn], currency: str) -> list[InvoiceLineFacts]:
    return [
        InvoiceLineFacts(
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line_amount(line.quantity, line.unit_price, currency),
            taxability=line.taxability,
            service_line=line.service_line,
        )
        for line in lines
    ]
