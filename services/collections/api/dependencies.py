"""Dependencies the collections routes share."""

from typing import Annotated

from fastapi import Depends

from services.collections.settings import CollectionsSettings
from shared.api.routing import service_settings

SettingsDep = Annotated[CollectionsSettings, Depends(service_settings)]
