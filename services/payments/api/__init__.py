"""The payments API: routes only. They check input and roles, call the commands, shape the answer."""

from services.payments.api import applications, deposits, payers, payments, refunds, write_offs

ROUTERS = [
    payers.router,
    payments.router,
    applications.router,
    deposits.router,
    refunds.router,
    write_offs.router,
]
