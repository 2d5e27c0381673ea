from shared.migrations import run_migrations_in_env
from shared.tables import MechanismTable
from services.payments.models import PaymentsTable

run_migrations_in_env([MechanismTable.metadata, PaymentsTable.metadata])
