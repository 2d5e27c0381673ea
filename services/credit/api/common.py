"""What every credit router shares: the transactional route, problems, roles and settings."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.credit.settings import CreditSettings
from shared.api.problems import PROBLEM_RESPONSES
from shared.api.transaction import TransactionalRoute
from shared.auth import ALL_ROLES, Principal, Role, require_roles


def credit_router(prefix: str, tag: str) -> APIRouter:
    return APIRouter(
        prefix=prefix, tags=[tag], route_class=TransactionalRoute, responses=PROBLEM_RESPONSES
    )


async def _settings(request: Request) -> CreditSettings:  # async: no worker-thread hop
    return request.app.state.service.settings  # type: ignore[no-any-return]


Settings = Annotated[CreditSettings, Depends(_settings)]

# Everyone may see a customer's credit account and exposure.
Anyone = Annotated[Principal, require_roles(*ALL_ROLES)]
# Credit evidence (applications, reports, scores) is for the credit and AR staff and auditors.
CreditReader = Annotated[
    Principal,
    require_roles(
        Role.CREDIT_MANAGER,
        Role.AR_SUPERVISOR,
        Role.AR_COORDINATOR,
        Role.AUDITOR,
    ),
]
# Decisions on credit: the credit manager, and the AR supervisor above the manager's authority.
CreditDecider = Annotated[Principal, require_roles(Role.CREDIT_MANAGER, Role.AR_SUPERVISOR)]
