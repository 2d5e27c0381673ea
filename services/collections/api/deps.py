"""Dependencies the collections routes share."""

from typing import Annotated

from fastapi import Depends, Request

from services.collections.settings import CollectionsSettings
from shared.auth import Principal, Role, require_roles


async def _settings(request: Request) -> CollectionsSettings:  # async: no worker-thread hop
    settings: CollectionsSettings = request.app.state.service.settings
    return settings


SettingsDep = Annotated[CollectionsSettings, Depends(_settings)]

# Those who work the accounts: call, record promises and disputes, send letters.
Collector = Annotated[Principal, require_roles(Role.AR_COORDINATOR, Role.AR_SUPERVISOR)]
