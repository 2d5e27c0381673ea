from shared.migrations import run_migrations_in_env
from shared.tables import MechanismTable
from services.credit.models import CreditTable

run_migrations_in_env([MechanismTable.metadata, CreditTable.metadata])
