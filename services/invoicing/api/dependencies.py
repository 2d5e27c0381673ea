"""What invoicing's routes share beyond the shared API kit: the service's settings."""

from typing import Annotated

from fastapi import Depends

from services.invoicing.settings import InvoicingSettings
from shared.api.routing import service_settings

SettingsDep = Annotated[InvoicingSettings, Depends(service_settings)]
