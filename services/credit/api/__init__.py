"""The credit API: routes only. They check input and roles, call the commands, shape the answer."""

from services.credit.api import accounts, applications, bureau, exposure, holds, lines

# Requests are matched against routes in this order: the sales system's authorizations, the
# service's busiest route by far, come first.
ROUTERS = [
    exposure.authorizations,
    accounts.router,
    applications.router,
    bureau.router,
    lines.router,
    lines.reviews,
    lines.scores,
    holds.router,
    exposure.router,
]
