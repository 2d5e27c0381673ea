"""The invoicing API: routes only. They check input and roles, call commands or queries, and
shape the answer."""

from services.invoicing.api import (
    accounts,
    assets,
    billing,
    claims,
    cost_adjustments,
    credit_memos,
    invoices,
    job_margin,
    journal,
    rental_reports,
    rentals,
    storage,
    tax,
    tickets,
    vendor_bills,
    vendors,
)

ROUTERS = [
    accounts.router,
    tickets.router,
    tickets.rate_cards,
    tax.router,
    billing.router,
    invoices.router,
    claims.router,
    credit_memos.router,
    journal.router,
    vendors.router,
    vendor_bills.router,
    cost_adjustments.router,
    job_margin.router,
    assets.router,
    rentals.router,
    storage.router,
    rental_reports.router,
]
