"""`python -m services.credit`: run the credit service alone (distributed mode)."""

from shared.service import run_standalone
from services.credit.service import definition

run_standalone(definition)
