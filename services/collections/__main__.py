"""`python -m services.collections`: run the collections service alone (distributed mode)."""

from shared.service import run_standalone
from services.collections.service import definition

run_standalone(definition)
