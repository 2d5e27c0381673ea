"""`python -m services.payments`: run the payments service alone (distributed mode)."""

from shared.service import run_standalone
from services.payments.service import definition

run_standalone(definition)
