"""`python -m services.payments`: run the payments service alone (distributed mode)."""

from services.payments.service import definition
from shared.service import run_standalone

run_standalone(definition)
