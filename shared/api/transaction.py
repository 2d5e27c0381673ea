"""One transaction per request, committed or rolled back in one place, with idempotent POSTs.

Every service router uses `TransactionalRoute`. It opens the request's session before the
endpoint runs and commits it only when the response is a success, before the response leaves.
A POST with an `Idempotency-Key` stores its response in that same transaction, so a retry with
the same key and body gets the first answer, and a retry with another body is refused. Before
the endpoint runs, the request's text is checked once for what no store can keep (see
`shared.api.request_text`).
"""

import hashlib
import json
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.api.problems import Problem
from shared.api.request_text import checked_json_body, refuse_nul_in_url
from shared.auth import TokenAuthority
from shared.db import Database
from shared.tables import IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("content-type", "location")


class IdempotencyKeyReused(Problem):
    status, slug = 422, "idempotency-key-reused"
    title = "Idempotency-Key already used for a different request"


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = super().get_route_handler()

        async def handle(request: Request) -> Response:
            db: Database = request.app.state.db
            async with db.sessionmaker() as session:
                request.state.session = session
                refuse_nul_in_url(request)
                document = await checked_json_body(request)
                key = _idempotency_key(request)
                fingerprint = ""
                if key:
                    fingerprint = await _fingerprint(request, document)
                    replay = await _replay(session, request, key, fingerprint)
                    if replay is not None:
                        return replay
                response = await endpoint(request)
                if response.status_code >= 400:
                    await session.rollback()
                    return response
                if key:
                    _remember(session, request, key, fingerprint, response)
                await session.commit()
                return response

        return handle


async def _session(request: Request) -> AsyncSession:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a hop per request.
    return request.state.session


SessionDep = Annotated[AsyncSession, Depends(_session)]


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method != "POST" or key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise Problem(
            f"{IDEMPOTENCY_HEADER} must be 1 to {MAX_KEY_LENGTH} characters",
            slug="invalid-idempotency-key",
            title="Invalid Idempotency-Key",
        )
    return key


def _principal(request: Request) -> str:
    """Whose key it is: the caller (tenant and subject), not the token string, so a retry sent
    with a freshly minted token of the same caller still finds the first answer. The route's
    auth dependency has not run yet: a bad token is refused here as it would be there."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    caller = ""
    if scheme.lower() == "bearer" and token:
        authority: TokenAuthority = request.app.state.token_authority
        principal = authority.verify(token.strip())
        caller = json.dumps([principal.tenant, principal.subject])
    return hashlib.sha256(caller.encode()).hexdigest()


async def _fingerprint(request: Request, document: Any) -> str:
    # The same JSON written with other spacing or key order is the same request.
    body = (
        await request.body()
        if document is None
        else json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    )
    query = urlencode(sorted(request.query_params.multi_items()))
    target = f"{request.method} {request.url.path}?{query}"
    return hashlib.sha256(target.encode() + b"\n" + body).hexdigest()


async def _replay(
    session: AsyncSession, request: Request, key: str, fingerprint: str
) -> Response | None:
    record = (
        await session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.principal == _principal(request),
                IdempotencyRecord.key == key,
            )
        )
    ).first()
    if record is None:
        return None
    if record.expires_at <= request.app.state.service.clock.now():
        await session.delete(record)  # past retention the key is free again
        await session.flush()
        return None
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"the key {key!r} was first used with another request; use a new key for a new request"
        )
    headers = dict(record.response_headers) | {REPLAYED_HEADER: "true"}
    return Response(record.response_body, status_code=record.status_code, headers=headers)


def _remember(
    session: AsyncSession, request: Request, key: str, fingerprint: str, response: Response
) -> None:
    retention = timedelta(hours=request.app.state.idempotency_retention_hours)
    session.add(
        IdempotencyRecord(
            principal=_principal(request),
            key=key,
            request_fingerprint=fingerprint,
            status_code=response.status_code,
            response_body=bytes(response.body),
            response_headers={k: v for k, v in response.headers.items() if k in _KEPT_HEADERS},
            expires_at=request.app.state.service.clock.now() + retention,
        )
    )
