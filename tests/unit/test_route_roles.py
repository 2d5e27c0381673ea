# ruff: noqa: E501 (the pinned table keeps one route per line)
"""No route's access changes when its role dependency is renamed: every route of every service,
with the roles that may call it, pinned from the code as it stood before the named role
dependencies (shared/api/access.py) replaced the per-service aliases. And which routes filter by
a token's scope (districts, a customer): every other route refuses a token so limited.
tests/api/test_access_matrix.py calls every operation with these rules as its expectations."""

import importlib
from collections.abc import Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

SERVICES = ("customers", "invoicing", "payments", "collections", "credit")

EVERYONE = "ar_coordinator ar_supervisor auditor credit_manager integration sales"

PINNED = {
    "collections GET /v1/activities": EVERYONE,
    "collections GET /v1/aging": EVERYONE,
    "collections GET /v1/aging/items": EVERYONE,
    "collections GET /v1/collection-accounts": EVERYONE,
    "collections GET /v1/collection-accounts/{customer_id}": EVERYONE,
    "collections GET /v1/disputes": EVERYONE,
    "collections GET /v1/disputes/{dispute_id}/history": EVERYONE,
    "collections GET /v1/dunning-notices": EVERYONE,
    "collections GET /v1/kpis": EVERYONE,
    "collections GET /v1/gl/batches": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/gl/batches/{number}": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/gl/pending": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/gl/rollforward": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/gl/trial-balance": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/ledger/items/{item_id}": EVERYONE,
    "collections GET /v1/ledger/tie-out": EVERYONE,
    "collections GET /v1/periods": EVERYONE,
    "collections GET /v1/periods/{period}": EVERYONE,
    "collections GET /v1/periods/{period}/checklist": EVERYONE,
    "collections GET /v1/promises": EVERYONE,
    "collections GET /v1/reports/ar-pack/{period}": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/reports/over-60-days": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/reports/over-60-days.pdf": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/statements/{customer_id}": EVERYONE,
    "collections GET /v1/unbilled": EVERYONE,
    "collections GET /v1/worklist": EVERYONE,
    "collections POST /v1/activities": "ar_coordinator ar_supervisor",
    "collections POST /v1/disputes": "ar_coordinator ar_supervisor",
    "collections POST /v1/disputes/{dispute_id}/resolve": "ar_coordinator ar_supervisor",
    "collections POST /v1/dunning-runs": "ar_coordinator ar_supervisor",
    "collections POST /v1/gl/batches": "ar_supervisor",
    "collections POST /v1/periods/{period}/close": "ar_supervisor",
    "collections POST /v1/periods/{period}/reopen": "ar_supervisor",
    "collections POST /v1/promises": "ar_coordinator ar_supervisor",
    "collections POST /v1/reports/ar-pack/{period}/send": "ar_supervisor",
    "collections POST /v1/periods/{period}/checklist/{item}/sign": "ar_coordinator ar_supervisor",
    "collections GET /v1/reconciliations": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/reconciliations/{reconciliation_id}": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/reconciliations/{reconciliation_id}/differences": "ar_coordinator ar_supervisor auditor",
    "collections GET /v1/reconciliations/{reconciliation_id}/export.xlsx": "ar_coordinator ar_supervisor auditor",
    "collections POST /v1/reconciliations": "ar_coordinator ar_supervisor",
    "collections POST /v1/reconciliations/{reconciliation_id}/differences/{difference_id}/resolve": "ar_coordinator ar_supervisor",
    "collections POST /v1/reconciliations/{reconciliation_id}/sign-off": "ar_supervisor",
    "collections POST /v1/reconciliations/{reconciliation_id}/sources/{side}": "ar_coordinator ar_supervisor integration",
    "collections POST /v1/reconciliations/{reconciliation_id}/sources/{side}/file": "ar_coordinator ar_supervisor",
    "collections POST /v1/statements/{customer_id}/send": "ar_coordinator ar_supervisor",
    "credit GET /v1/bureau-reports": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/bureau-reports/{report_id}": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/credit-accounts": EVERYONE,
    "credit GET /v1/credit-accounts/{customer_id}": EVERYONE,
    "credit GET /v1/credit-applications": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/credit-applications/{application_id}": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/credit-applications/{application_id}/reference-checks": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/credit-holds": EVERYONE,
    "credit GET /v1/credit-lines/{customer_id}": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/credit-reviews": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/credit-scores/{customer_id}": "ar_coordinator ar_supervisor auditor credit_manager",
    "credit GET /v1/exposure/{customer_id}": EVERYONE,
    "credit POST /v1/authorizations": "ar_supervisor credit_manager integration sales",
    "credit POST /v1/bureau-reports": "ar_supervisor credit_manager",
    "credit POST /v1/bureau-reports/pull": "ar_supervisor credit_manager",
    "credit POST /v1/credit-applications": "ar_coordinator ar_supervisor credit_manager integration sales",
    "credit POST /v1/credit-applications/{application_id}/approve": "ar_supervisor credit_manager",
    "credit POST /v1/credit-applications/{application_id}/decline": "ar_supervisor credit_manager",
    "credit POST /v1/credit-applications/{application_id}/reference-checks": "ar_supervisor credit_manager",
    "credit POST /v1/credit-applications/{application_id}/review": "ar_supervisor credit_manager",
    "credit POST /v1/credit-holds": "ar_supervisor credit_manager",
    "credit POST /v1/credit-holds/{customer_id}/release": "ar_supervisor credit_manager",
    "credit POST /v1/credit-lines/{customer_id}/approve": "ar_supervisor credit_manager",
    "credit PUT /v1/credit-lines/{customer_id}": "ar_supervisor credit_manager",
    "customers DELETE /v1/customers/{customer_id}/addresses/{address_id}": "ar_coordinator ar_supervisor credit_manager integration",
    "customers DELETE /v1/customers/{customer_id}/contacts/{contact_id}": "ar_coordinator ar_supervisor credit_manager integration",
    "customers DELETE /v1/customers/{customer_id}/exemption-certificates/{certificate_id}": "ar_coordinator ar_supervisor",
    "customers GET /v1/customers": EVERYONE,
    "customers GET /v1/customers/duplicates": EVERYONE,
    "customers GET /v1/customers/{customer_id}": EVERYONE,
    "customers GET /v1/customers/{customer_id}/change-requests": "ar_coordinator ar_supervisor auditor credit_manager",
    "customers GET /v1/customers/{customer_id}/documents": EVERYONE,
    "customers GET /v1/customers/{customer_id}/documents/{document_id}": EVERYONE,
    "customers GET /v1/customers/{customer_id}/exemption-certificates": EVERYONE,
    "customers GET /v1/customers/{customer_id}/history": EVERYONE,
    "customers GET /v1/customers/{customer_id}/onboarding": EVERYONE,
    "customers PATCH /v1/customers/{customer_id}": "ar_coordinator ar_supervisor credit_manager integration",
    "customers PATCH /v1/customers/{customer_id}/addresses/{address_id}": "ar_coordinator ar_supervisor credit_manager integration",
    "customers PATCH /v1/customers/{customer_id}/contacts/{contact_id}": "ar_coordinator ar_supervisor credit_manager integration",
    "customers POST /v1/customers": "ar_coordinator ar_supervisor credit_manager integration",
    "customers POST /v1/customers/{customer_id}/addresses": "ar_coordinator ar_supervisor credit_manager integration",
    "customers POST /v1/customers/{customer_id}/change-requests": "ar_coordinator ar_supervisor credit_manager",
    "customers POST /v1/customers/{customer_id}/change-requests/{request_id}/approve": "ar_supervisor credit_manager",
    "customers POST /v1/customers/{customer_id}/contacts": "ar_coordinator ar_supervisor credit_manager integration",
    "customers POST /v1/customers/{customer_id}/documents": "ar_coordinator ar_supervisor credit_manager integration",
    "customers POST /v1/customers/{customer_id}/exemption-certificates": "ar_coordinator ar_supervisor",
    "customers PUT /v1/customers/{customer_id}/exemption-certificates/{certificate_id}/document": "ar_coordinator ar_supervisor",
    "customers PUT /v1/customers/{customer_id}/onboarding/{item}": "ar_coordinator ar_supervisor credit_manager",
    "invoicing GET /v1/assets": EVERYONE,
    "invoicing GET /v1/assets/{asset_id}": EVERYONE,
    "invoicing GET /v1/assets/{asset_id}/history": EVERYONE,
    "invoicing GET /v1/billing-accounts": EVERYONE,
    "invoicing GET /v1/billing-accounts/{customer_id}": EVERYONE,
    "invoicing GET /v1/billing-runs": EVERYONE,
    "invoicing GET /v1/billing-runs/{run_id}": EVERYONE,
    "invoicing GET /v1/credit-memos": EVERYONE,
    "invoicing GET /v1/credit-memos/{credit_memo_id}": EVERYONE,
    "invoicing GET /v1/invoices": EVERYONE,
    "invoicing GET /v1/invoices/{invoice_id}": EVERYONE,
    "invoicing GET /v1/invoices/{invoice_id}/history": EVERYONE,
    "invoicing GET /v1/invoices/{invoice_id}/pdf": EVERYONE,
    "invoicing GET /v1/journal": EVERYONE,
    "invoicing GET /v1/job-margin": "ar_coordinator ar_supervisor auditor",
    "invoicing GET /v1/rate-cards": EVERYONE,
    "invoicing GET /v1/rental-contracts/{contract_id}": EVERYONE,
    "invoicing GET /v1/rental-reports/leakage": "ar_coordinator ar_supervisor auditor",
    "invoicing GET /v1/rental-reports/on-rent": EVERYONE,
    "invoicing GET /v1/rental-reports/utilization": EVERYONE,
    "invoicing GET /v1/storage-schedules/{schedule_id}": EVERYONE,
    "invoicing GET /v1/tax/jurisdictions": EVERYONE,
    "invoicing GET /v1/tax/liability": EVERYONE,
    "invoicing GET /v1/tax/lookup": EVERYONE,
    "invoicing GET /v1/tickets": EVERYONE,
    "invoicing GET /v1/tickets/{ticket_id}": EVERYONE,
    "invoicing GET /v1/tickets/{ticket_id}/documents": EVERYONE,
    "invoicing GET /v1/tickets/{ticket_id}/documents/{document_id}": EVERYONE,
    "invoicing GET /v1/tickets/{ticket_id}/history": EVERYONE,
    "invoicing POST /v1/assets": "ar_coordinator ar_supervisor integration",
    "invoicing POST /v1/assets/import": "ar_coordinator ar_supervisor integration",
    "invoicing POST /v1/assets/{asset_id}/moves": "ar_coordinator ar_supervisor integration",
    "invoicing POST /v1/billing-runs": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/billing-runs/{run_id}/deliver": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/billing-runs/{run_id}/issue": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/credit-memos": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices/import": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices/{invoice_id}/deliver": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices/{invoice_id}/issue": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices/{invoice_id}/rebill": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices/{invoice_id}/claim": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices/{invoice_id}/claim-denials": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/invoices/{invoice_id}/void": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/rental-contracts": "ar_coordinator ar_supervisor integration sales",
    "invoicing POST /v1/rental-contracts/{contract_id}/lines/{line_number}/off-rent": "ar_coordinator ar_supervisor integration sales",
    "invoicing POST /v1/rental-contracts/{contract_id}/lines/{line_number}/meter-readings": "ar_coordinator ar_supervisor integration sales",
    "invoicing POST /v1/rental-contracts/{contract_id}/lines/{line_number}/on-rent": "ar_coordinator ar_supervisor integration sales",
    "invoicing POST /v1/storage-schedules": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/storage-schedules/{schedule_id}/end": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/storage-schedules/{schedule_id}/pause": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/storage-schedules/{schedule_id}/prices": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/storage-schedules/{schedule_id}/resume": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/tax/jurisdictions/{code}/rates": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/tickets": "ar_coordinator ar_supervisor integration sales",
    "invoicing POST /v1/tickets/{ticket_id}/documents": "ar_coordinator ar_supervisor integration sales",
    "invoicing POST /v1/tickets/{ticket_id}/release": "ar_supervisor",
    "invoicing PUT /v1/rate-cards": "ar_coordinator ar_supervisor",
    "invoicing PUT /v1/tax/jurisdictions/{code}": "ar_coordinator ar_supervisor",
    "invoicing GET /v1/cost-adjustments": EVERYONE,
    "invoicing GET /v1/cost-adjustments/{adjustment_id}": EVERYONE,
    "invoicing GET /v1/vendor-bills": EVERYONE,
    "invoicing GET /v1/vendor-bills/{bill_id}": EVERYONE,
    "invoicing GET /v1/vendor-bills/{bill_id}/documents": EVERYONE,
    "invoicing GET /v1/vendor-bills/{bill_id}/documents/{document_id}": EVERYONE,
    "invoicing GET /v1/vendor-bills/{bill_id}/history": EVERYONE,
    "invoicing GET /v1/vendors": EVERYONE,
    "invoicing GET /v1/vendors/{vendor_id}": EVERYONE,
    "invoicing POST /v1/cost-adjustments/{adjustment_id}/issue": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/vendor-bills": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/vendor-bills/import": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/vendor-bills/{bill_id}/approve": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/vendor-bills/{bill_id}/documents": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/vendor-bills/{bill_id}/reject": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/vendor-bills/{bill_id}/reverse": "ar_coordinator ar_supervisor",
    "invoicing POST /v1/vendors": "ar_coordinator ar_supervisor",
    "invoicing PUT /v1/vendor-bills/{bill_id}/lines/{line}/coding": "ar_coordinator ar_supervisor",
    "payments GET /v1/applications": EVERYONE,
    "payments GET /v1/applications/suggestions": EVERYONE,
    "payments GET /v1/bank-files/{bank_file_id}": EVERYONE,
    "payments GET /v1/deposits/{deposit_id}": EVERYONE,
    "payments GET /v1/invoice-balances/{invoice_id}": EVERYONE,
    "payments GET /v1/payers": EVERYONE,
    "payments GET /v1/payers/{customer_id}": EVERYONE,
    "payments GET /v1/payments": EVERYONE,
    "payments GET /v1/payments/{payment_id}": EVERYONE,
    "payments GET /v1/refunds/{refund_id}": EVERYONE,
    "payments GET /v1/remittance-advices": EVERYONE,
    "payments GET /v1/remittance-advices/documents/{document_id}": EVERYONE,
    "payments GET /v1/remittance-advices/documents/{document_id}/content": EVERYONE,
    "payments GET /v1/remittance-advices/{advice_id}": EVERYONE,
    "payments POST /v1/applications/suggestions/{suggestion_id}/accept": "ar_coordinator ar_supervisor",
    "payments POST /v1/applications/suggestions/{suggestion_id}/dismiss": "ar_coordinator ar_supervisor",
    "payments POST /v1/applications/{application_id}/unapply": "ar_coordinator ar_supervisor",
    "payments POST /v1/bank-files": "ar_coordinator ar_supervisor integration",
    "payments POST /v1/deposits": "ar_coordinator ar_supervisor integration",
    "payments POST /v1/deposits/{deposit_id}/applications": "ar_coordinator ar_supervisor",
    "payments POST /v1/payments": "ar_coordinator ar_supervisor integration",
    "payments POST /v1/payments/{payment_id}/applications": "ar_coordinator ar_supervisor",
    "payments POST /v1/payments/{payment_id}/reverse": "ar_coordinator ar_supervisor",
    "payments POST /v1/refunds": "ar_coordinator ar_supervisor",
    "payments POST /v1/refunds/{refund_id}/approve": "ar_supervisor",
    "payments POST /v1/refunds/{refund_id}/reject": "ar_supervisor",
    "payments POST /v1/remittance-advices": "ar_coordinator ar_supervisor integration",
    "payments POST /v1/remittance-advices/{advice_id}/use": "ar_coordinator ar_supervisor",
    "payments POST /v1/write-offs": "ar_coordinator ar_supervisor",
}


# The routes that filter what they read and write by the caller's districts and customer
# (`Scoped...` in shared/api/access.py); one line per route, added with the route.
SCOPED = {
    "collections GET /v1/activities",
    "collections GET /v1/aging",
    "collections GET /v1/aging/items",
    "collections GET /v1/disputes",
    "collections GET /v1/disputes/{dispute_id}/history",
    "collections GET /v1/dunning-notices",
    "collections GET /v1/ledger/items/{item_id}",
    "collections GET /v1/promises",
    "collections GET /v1/worklist",
    "collections POST /v1/activities",
    "collections POST /v1/disputes",
    "collections POST /v1/disputes/{dispute_id}/resolve",
    "collections POST /v1/promises",
    "collections POST /v1/statements/{customer_id}/send",
    "collections GET /v1/collection-accounts",
    "collections GET /v1/collection-accounts/{customer_id}",
    "collections GET /v1/statements/{customer_id}",
    "credit GET /v1/credit-accounts",
    "credit GET /v1/credit-accounts/{customer_id}",
    "credit GET /v1/exposure/{customer_id}",
    "credit POST /v1/authorizations",
    "customers GET /v1/customers",
    "customers GET /v1/customers/duplicates",
    "customers GET /v1/customers/{customer_id}",
    "customers GET /v1/customers/{customer_id}/change-requests",
    "customers GET /v1/customers/{customer_id}/documents",
    "customers GET /v1/customers/{customer_id}/documents/{document_id}",
    "customers GET /v1/customers/{customer_id}/exemption-certificates",
    "customers GET /v1/customers/{customer_id}/history",
    "customers GET /v1/customers/{customer_id}/onboarding",
    "invoicing GET /v1/billing-accounts",
    "invoicing GET /v1/billing-accounts/{customer_id}",
    "invoicing GET /v1/credit-memos",
    "invoicing GET /v1/credit-memos/{credit_memo_id}",
    "invoicing GET /v1/invoices/{invoice_id}/history",
    "invoicing GET /v1/tickets/{ticket_id}/history",
    "invoicing POST /v1/credit-memos",
    "invoicing POST /v1/invoices/{invoice_id}/deliver",
    "invoicing POST /v1/invoices/{invoice_id}/issue",
    "invoicing POST /v1/invoices/{invoice_id}/rebill",
    "invoicing POST /v1/invoices/{invoice_id}/void",
    "invoicing GET /v1/invoices",
    "invoicing GET /v1/invoices/{invoice_id}",
    "invoicing GET /v1/invoices/{invoice_id}/pdf",
    "invoicing GET /v1/tickets",
    "invoicing GET /v1/tickets/{ticket_id}",
    "invoicing GET /v1/tickets/{ticket_id}/documents",
    "invoicing GET /v1/tickets/{ticket_id}/documents/{document_id}",
    "invoicing POST /v1/tickets",
    "invoicing POST /v1/tickets/{ticket_id}/documents",
    "payments GET /v1/applications",
    "payments GET /v1/applications/suggestions",
    "payments GET /v1/deposits/{deposit_id}",
    "payments GET /v1/refunds/{refund_id}",
    "payments GET /v1/remittance-advices",
    "payments GET /v1/remittance-advices/{advice_id}",
    "payments POST /v1/deposits",
    "payments POST /v1/deposits/{deposit_id}/applications",
    "payments POST /v1/refunds",
    "payments POST /v1/refunds/{refund_id}/approve",
    "payments POST /v1/refunds/{refund_id}/reject",
    "payments POST /v1/remittance-advices/{advice_id}/use",
    "payments GET /v1/invoice-balances/{invoice_id}",
    "payments POST /v1/applications/suggestions/{suggestion_id}/accept",
    "payments POST /v1/applications/suggestions/{suggestion_id}/dismiss",
    "payments GET /v1/payers",
    "payments GET /v1/payers/{customer_id}",
    "payments GET /v1/payments",
    "payments GET /v1/payments/{payment_id}",
    "payments POST /v1/applications/{application_id}/unapply",
    "payments POST /v1/payments/{payment_id}/applications",
    "payments POST /v1/payments/{payment_id}/reverse",
}


def _allowed(dependant: Dependant) -> Iterator[frozenset[str]]:
    roles = getattr(dependant.call, "allowed_roles", None)
    if roles is not None:
        yield roles
    for sub in dependant.dependencies:
        yield from _allowed(sub)


def _scoped(dependant: Dependant) -> bool:
    return bool(getattr(dependant.call, "scoped", False)) or any(
        _scoped(sub) for sub in dependant.dependencies
    )


def _routes() -> Iterator[tuple[str, APIRoute]]:
    for name in SERVICES:
        definition = importlib.import_module(f"services.{name}.service").definition
        for router in definition.routers:
            for route in router.routes:
                if isinstance(route, APIRoute):
                    for method in sorted(route.methods):
                        yield f"{name} {method} {route.path}", route


def _routes_and_roles() -> dict[str, str]:
    table = {}
    for key, route in _routes():
        sets = list(_allowed(route.dependant))
        table[key] = " ".join(sorted(set().union(*sets))) if sets else "(none)"
    return table


def test_exactly_the_declared_routes_filter_by_the_callers_scope() -> None:
    scoped = {key for key, route in _routes() if _scoped(route.dependant)}
    assert scoped == SCOPED


def test_every_route_allows_exactly_the_roles_it_allowed_before() -> None:
    actual = _routes_and_roles()
    changed = {
        key: (PINNED.get(key), actual.get(key))
        for key in PINNED.keys() | actual.keys()
        if PINNED.get(key) != actual.get(key)
    }
    # A new route is added to the table with the roles it is meant to allow.
    assert changed == {}, f"(pinned, now) per route: {changed}"
