"""What every route of every service does with a request at the edge, shown on the customers
service: idempotency keys belong to the caller, text no database can store and bodies nested
too deep are refused as problems, and an unexpected error is a complete problem answer."""

import dataclasses
import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.customers.service import definition
from shared.api.problems import PROBLEM_MEDIA_TYPE
from shared.api.routing import service_router
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.service import Service
from shared.settings import PlatformSettings
from tests.api.serving import served
from tests.conftest import AuthHeaders
from tests.support import SECRET, new_customer, running_service

COORDINATOR = Role.AR_COORDINATOR


async def _customer_count(api: httpx.AsyncClient, auth: AuthHeaders) -> int:
    listing = (await api.get("/v1/customers", headers=auth(COORDINATOR))).json()
    return len(listing["items"])


async def test_a_retry_with_a_freshly_minted_token_of_the_same_caller_replays_the_first_answer(
    customers_api: httpx.AsyncClient, auth: AuthHeaders, tokens: TokenAuthority
) -> None:
    key, body = {"Idempotency-Key": "sync-7"}, new_customer()
    first = await customers_api.post("/v1/customers", json=body, headers=auth(COORDINATOR) | key)
    # Another token (another lifetime, another jti) of the same subject: the same caller.
    fresh = tokens.mint("tester", [COORDINATOR], ttl=timedelta(hours=1))
    retry = await customers_api.post(
        "/v1/customers", json=body, headers={"Authorization": f"Bearer {fresh}"} | key
    )
    assert first.status_code == retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true" and retry.json() == first.json()
    assert await _customer_count(customers_api, auth) == 1


async def test_the_same_key_of_another_caller_is_another_request(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    key = {"Idempotency-Key": "sync-8"}
    await customers_api.post("/v1/customers", json=new_customer(), headers=auth(COORDINATOR) | key)
    other = await customers_api.post(
        "/v1/customers",
        json=new_customer(legal_name="Other Co LLC", tax_id="98-7654321"),
        headers=auth(COORDINATOR, subject="someone-else") | key,
    )
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers
    assert await _customer_count(customers_api, auth) == 2


async def test_the_same_key_with_another_query_is_a_different_request(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    headers = auth(COORDINATOR) | {"Idempotency-Key": "sync-9"}
    await customers_api.post("/v1/customers", json=new_customer(), headers=headers)
    again = await customers_api.post(
        "/v1/customers", params={"note": "x"}, json=new_customer(), headers=headers
    )
    assert again.status_code == 422 and again.json()["type"].endswith(":idempotency-key-reused")


async def test_a_body_nested_too_deep_is_a_problem_not_a_recursion_error(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for extra in ({"Idempotency-Key": "deep-1"}, {}):
        response = await customers_api.post(
            "/v1/customers",
            content=deep,
            headers=auth(COORDINATOR) | extra | {"Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE


@pytest.mark.parametrize(
    "where", ["body", "nested body", "query"], ids=["text-field", "nested-field", "query"]
)
async def test_a_nul_character_anywhere_is_a_422(
    customers_api: httpx.AsyncClient, auth: AuthHeaders, where: str
) -> None:
    body = new_customer()
    params = {}
    if where == "body":
        body["legal_name"] = "Acme\x00 LLC"
    elif where == "nested body":
        body["addresses"][0]["line1"] = "1 Main\x00 St"
    else:
        params = {"q": "Ac\x00me"}
    if where == "query":
        response = await customers_api.get(
            "/v1/customers", params=params, headers=auth(COORDINATOR)
        )
    else:
        response = await customers_api.post("/v1/customers", json=body, headers=auth(COORDINATOR))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["code"] == "nul_char" and problem["request_id"]
    assert await _customer_count(customers_api, auth) == 0


@asynccontextmanager
async def _failing_service(folder: Path) -> AsyncIterator[Service]:
    """The customers service with one more route, which fails as a bug would."""
    router = service_router("/v1/broken", "broken")

    @router.get("")
    async def broken() -> None:
        raise RuntimeError("a bug")

    failing = dataclasses.replace(definition, routers=[*definition.routers, router])
    platform = PlatformSettings(auth_secret=SECRET)
    async with running_service(
        failing, folder, platform, TokenAuthority(SECRET), InProcessBus()
    ) as service:
        yield service


@pytest.fixture
def failing_url(tmp_path: Path) -> Iterator[str]:
    app = FastAPI()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with _failing_service(tmp_path) as service:
            app.mount("/customers", service.app)
            yield

    app.router.lifespan_context = lifespan
    with served(app) as url:
        yield url


def _exchange(sock: socket.socket, path: str) -> bytes:
    """One HTTP/1.1 request on an open connection, and its whole response (or b"" if the server
    closed the connection instead)."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            return received
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return received[: len(head) + 4] + body


def test_an_unexpected_error_is_a_problem_500_and_the_connection_stays_open(
    failing_url: str,
) -> None:
    host, port = failing_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        first = _exchange(sock, "/customers/v1/broken")
        # The same connection answers the next request: the server did not drop it.
        second = _exchange(sock, "/customers/healthz")
    head, _, body = first.partition(b"\r\n\r\n")
    headers = dict(line.decode().lower().split(": ", 1) for line in head.split(b"\r\n")[1:])
    assert head.startswith(b"HTTP/1.1 500")
    assert headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = json.loads(body)
    assert problem["type"].endswith(":internal-error")
    assert problem["request_id"] == headers["x-request-id"]
    assert second.startswith(b"HTTP/1.1 200"), second


async def test_metrics_need_a_token_of_a_role_that_reads_them(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    assert (await customers_api.get("/metrics")).status_code == 401
    assert (await customers_api.get("/metrics", headers=auth(Role.SALES))).status_code == 403
    figures = await customers_api.get("/metrics", headers=auth(Role.AUDITOR))
    assert figures.status_code == 200 and "ar_http_requests_total" in figures.text
