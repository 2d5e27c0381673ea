"""`python -m services.customers`: run the customers service alone (distributed mode)."""

from shared.service import run_standalone
from services.customers.service import definition

run_standalone(definition)
