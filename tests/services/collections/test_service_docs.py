"""The service documents itself: every route in OpenAPI with a summary, every event it
publishes and consumes in AsyncAPI."""

import httpx


async def test_openapi_documents_every_collections_route(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/v1/aging",
        "/v1/kpis",
        "/v1/worklist",
        "/v1/dunning-runs",
        "/v1/unbilled",
        "/v1/statements/{customer_id}",
        "/v1/periods/{period}/close",
        "/v1/periods/{period}/reopen",
        "/v1/ledger/tie-out",
    ):
        assert path in paths, path
    operations = [
        op for path, item in paths.items() if path.startswith("/v1") for op in item.values()
    ]
    assert all(op.get("summary") and op.get("description") for op in operations)


async def test_asyncapi_lists_what_collections_publishes_and_consumes(
    api: httpx.AsyncClient,
) -> None:
    operations = (await api.get("/asyncapi.json")).json()["operations"]
    sent = {name for name, op in operations.items() if op["action"] == "send"}
    received = {name for name, op in operations.items() if op["action"] == "receive"}
    assert sent == {
        f"send_{m}V1"
        for m in (
            "DisputeOpened",
            "DisputeResolved",
            "PromiseToPayRecorded",
            "DunningNoticeSent",
            "PeriodClosed",
            "PeriodReopened",
        )
    }
    assert {
        "receive_InvoiceIssuedV1",
        "receive_PaymentAppliedV1",
        "receive_TicketClosedV1",
        "receive_WriteOffPostedV1",
        "receive_CustomerRegisteredV1",
    } <= received
