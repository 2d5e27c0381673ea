"""What credit's routes share beyond the shared API kit: the service's settings."""

from typing import Annotated

from fastapi import Depends

from services.credit.settings import CreditSettings
from shared.api.routing import service_settings

Settings = Annotated[CreditSettings, Depends(service_settings)]
