"""The credit API: routes only. They check input and roles, call the commands, shape the answer."""

from services.credit.api import accounts, applications, bureau, exposure, holds, lines

ROUTERS = [
    accounts.router,
    applications.router,
    bureau.router,
    lines.router,
    lines.reviews,
    lines.scores,
    holds.router,
    exposure.router,
    exposure.authorizations,
]
