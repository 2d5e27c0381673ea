"""`python -m services.invoicing`: run the invoicing service alone (distributed mode)."""

from shared.service import run_standalone
from services.invoicing.service import definition

run_standalone(definition)
