# Importing the models registers every table with InvoicingTable's metadata.
from services.invoicing.accounts import models as _accounts  # noqa: F401
from services.invoicing.billing import models as _billing  # noqa: F401
from services.invoicing.credit_memos import models as _credit_memos  # noqa: F401
from services.invoicing.invoices import models as _invoices  # noqa: F401
from services.invoicing.journal import models as _journal  # noqa: F401
from services.invoicing.tables import InvoicingTable
from services.invoicing.tax import models as _tax  # noqa: F401
from services.invoicing.tickets import models as _tickets  # noqa: F401
from shared.migrations import run_migrations_in_env
from shared.tables import MechanismTable

run_migrations_in_env([MechanismTable.metadata, InvoicingTable.metadata])
