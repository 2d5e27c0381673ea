from shared.migrations import run_migrations_in_env
from shared.tables import MechanismTable
from services.invoicing.models import InvoicingTable

run_migrations_in_env([MechanismTable.metadata, InvoicingTable.metadata])
