"""`python -m services.credit`: run the credit service alone (distributed mode)."""

from services.credit.service import definition
from shared.service import run_standalone

run_standalone(definition)
