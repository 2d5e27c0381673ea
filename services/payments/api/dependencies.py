"""What payments' routes share beyond the shared API kit: the service's settings."""

from typing import Annotated

from fastapi import Depends

from services.payments.settings import PaymentsSettings
from shared.api.routing import service_settings

# The rules an AR controller configures (chart, matching, tolerances, lockbox layout).
Rules = Annotated[PaymentsSettings, Depends(service_settings)]
