"""`python -m services.customers`: run the customers service alone (distributed mode)."""

from services.customers.service import definition
from shared.service import run_standalone

run_standalone(definition)
