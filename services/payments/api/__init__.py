"""The payments API: routes only. They check input and roles, call commands, shape the answer."""

from services.payments.api import (
    advices,
    applications,
    bank_files,
    deposits,
    payers,
    payments,
    refunds,
    write_offs,
)

ROUTERS = [
    payers.router,
    payments.router,
    bank_files.router,
    advices.router,
    applications.router,
    deposits.router,
    refunds.router,
    write_offs.router,
]
