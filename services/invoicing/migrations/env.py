# Importing the models registers every table with InvoicingTable's metadata.
from services.invoicing.models import accounts as _accounts  # noqa: F401
from services.invoicing.models import billing as _billing  # noqa: F401
from services.invoicing.models import costs as _costs  # noqa: F401
from services.invoicing.models import credit_memos as _credit_memos  # noqa: F401
from services.invoicing.models import invoices as _invoices  # noqa: F401
from services.invoicing.models import journal as _journal  # noqa: F401
from services.invoicing.models import rentals as _rentals  # noqa: F401
from services.invoicing.models import tax as _tax  # noqa: F401
from services.invoicing.models import tickets as _tickets  # noqa: F401
from services.invoicing.models.base import InvoicingTable
from shared.migrations import run_migrations_in_env
from shared.tables import MechanismTable

run_migrations_in_env([MechanismTable.metadata, InvoicingTable.metadata])
