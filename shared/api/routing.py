"""How a service builds its routers and hands its settings to a route."""

from typing import Any

from fastapi import APIRouter, Request

from shared.api.problems import PROBLEM_RESPONSES
from shared.api.transaction import TransactionalRoute


def service_router(prefix: str, tag: str, **kwargs: Any) -> APIRouter:
    """A router whose routes run in one transaction and document the problems they answer."""
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        route_class=TransactionalRoute,
        responses=PROBLEM_RESPONSES,
        **kwargs,
    )


async def service_settings(request: Request) -> Any:
    """The running service's settings: `Annotated[MySettings, Depends(service_settings)]`.

    Async on purpose: FastAPI runs a plain `def` dependency on a worker thread.
    """
    return request.app.state.service.settings
