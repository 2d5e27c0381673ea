"""The invoicing API: routes only. They check input and roles, call commands or queries, and
shape the answer."""

from services.invoicing.api import (
    accounts,
    assets,
    billing,
    credit_memos,
    invoices,
    journal,
    rental_reports,
    rentals,
    storage,
    tax,
    tickets,
)

ROUTERS = [
    accounts.router,
    tickets.router,
    tickets.rate_cards,
    tax.router,
    billing.router,
    invoices.router,
    credit_memos.router,
    journal.router,
    assets.router,
    rentals.router,
    storage.router,
    rental_reports.router,
]
