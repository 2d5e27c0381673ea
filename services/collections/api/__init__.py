"""The collections API: routes only, one module per subject."""

from services.collections.api.accounts import router as accounts
from services.collections.api.aging import router as aging
from services.collections.api.ar_pack import router as ar_pack
from services.collections.api.checklist import router as checklist
from services.collections.api.dunning import router as dunning
from services.collections.api.gl import router as gl
from services.collections.api.kpis import router as kpis
from services.collections.api.ledger import router as ledger
from services.collections.api.periods import router as periods
from services.collections.api.reconciliations import router as reconciliations
from services.collections.api.reports import router as reports
from services.collections.api.work import router as work

ROUTERS = [
    accounts,
    aging,
    kpis,
    ledger,
    work,
    dunning,
    reports,
    checklist,
    periods,
    reconciliations,
    gl,
    ar_pack,
]
