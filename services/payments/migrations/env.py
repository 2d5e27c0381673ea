from services.payments.models import PaymentsTable
from shared.migrations import run_migrations_in_env
from shared.tables import MechanismTable

run_migrations_in_env([MechanismTable.metadata, PaymentsTable.metadata])
