"""The AsyncAPI document: what payments publishes and consumes, for the teams coding against it."""

import httpx


async def test_asyncapi_lists_the_payment_events_and_the_invoice_events_consumed(
    api: httpx.AsyncClient,
) -> None:
    operations = set((await api.get("/asyncapi.json")).json()["operations"])

    assert {
        f"send_{name}V1"
        for name in (
            "PaymentReceived",
            "PaymentApplied",
            "PaymentUnapplied",
            "PaymentReversed",
            "RefundIssued",
            "DepositReceived",
            "WriteOffPosted",
        )
    } <= operations
    assert {
        "receive_InvoiceIssuedV1",
        "receive_CreditMemoIssuedV1",
        "receive_InvoiceVoidedV1",
        "receive_PeriodClosedV1",
        "receive_PeriodReopenedV1",
    } <= operations
