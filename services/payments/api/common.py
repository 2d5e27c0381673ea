"""What every payments route shares: the roles that may call it and the configured rules."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from services.payments.settings import PaymentsSettings
from shared.api.problems import PROBLEM_RESPONSES
from shared.api.transaction import TransactionalRoute
from shared.auth import ALL_ROLES, Principal, Role, require_roles

Reader = Annotated[Principal, require_roles(*ALL_ROLES)]
# The bank and lockbox integrations record receipts too.
Receiver = Annotated[
    Principal, require_roles(Role.AR_COORDINATOR, Role.AR_SUPERVISOR, Role.INTEGRATION)
]
Applier = Annotated[Principal, require_roles(Role.AR_COORDINATOR, Role.AR_SUPERVISOR)]
Supervisor = Annotated[Principal, require_roles(Role.AR_SUPERVISOR)]


async def _rules(request: Request) -> PaymentsSettings:  # async: no worker-thread hop
    return request.app.state.service.settings


Rules = Annotated[PaymentsSettings, Depends(_rules)]


def payments_router(prefix: str, tag: str, **kwargs: Any) -> APIRouter:
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        route_class=TransactionalRoute,
        responses=PROBLEM_RESPONSES,
        **kwargs,
    )
