"""The customers API: routes only. They check input and roles, call a command or a query and
shape the answer; a module per resource of the customer."""

from services.customers.api import (
    addresses,
    certificates,
    change_requests,
    contacts,
    customers,
    documents,
    history,
    onboarding,
)

ROUTERS = [
    customers.router,
    addresses.router,
    contacts.router,
    certificates.router,
    documents.router,
    onboarding.router,
    history.router,
    change_requests.router,
]
