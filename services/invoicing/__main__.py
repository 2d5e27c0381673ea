"""`python -m services.invoicing`: run the invoicing service alone (distributed mode)."""

from services.invoicing.service import definition
from shared.service import run_standalone

run_standalone(definition)
