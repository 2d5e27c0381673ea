from services.collections.models import CollectionsTable
from shared.migrations import run_migrations_in_env
from shared.tables import MechanismTable

run_migrations_in_env([MechanismTable.metadata, CollectionsTable.metadata])
