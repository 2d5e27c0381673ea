"""What every invoicing router shares: roles, settings, the router factory."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.invoicing.settings import InvoicingSettings
from shared.api.problems import PROBLEM_RESPONSES
from shared.api.transaction import TransactionalRoute
from shared.auth import ALL_ROLES, Principal, Role, require_roles

Reader = Annotated[Principal, require_roles(*ALL_ROLES)]
# Billing staff prepare and issue documents; the supervisor may do all they may.
Biller = Annotated[Principal, require_roles(Role.AR_COORDINATOR, Role.AR_SUPERVISOR)]
Supervisor = Annotated[Principal, require_roles(Role.AR_SUPERVISOR)]


async def _settings(request: Request) -> InvoicingSettings:  # async: no worker-thread hop
    return request.app.state.service.settings


SettingsDep = Annotated[InvoicingSettings, Depends(_settings)]


def invoicing_router(prefix: str, tag: str) -> APIRouter:
    return APIRouter(
        prefix=prefix, tags=[tag], route_class=TransactionalRoute, responses=PROBLEM_RESPONSES
    )
