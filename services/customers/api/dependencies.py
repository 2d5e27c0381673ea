"""What the customers routes share: the service's settings and the audit reason of a removal."""

from typing import Annotated

from fastapi import Depends, Query

from services.customers.settings import CustomersSettings
from shared.api.routing import service_settings
from shared.api.text import PlainText

PREFIX, TAG = "/v1/customers", "customers"

SettingsDep = Annotated[CustomersSettings, Depends(service_settings)]
Reason = Annotated[PlainText | None, Query(max_length=500, description="Why, for the audit trail")]
