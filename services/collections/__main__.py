"""`python -m services.collections`: run the collections service alone (distributed mode)."""

from services.collections.service import definition
from shared.service import run_standalone

run_standalone(definition)
