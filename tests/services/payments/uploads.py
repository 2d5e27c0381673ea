"""A bank file sent through the API as the bank integration sends it."""

import httpx

from shared.auth import Role
from tests.conftest import AuthHeaders


async def upload_bank_file(
    api: httpx.AsyncClient, auth: AuthHeaders, name: str, content: bytes
) -> httpx.Response:
    return await api.post(
        "/v1/bank-files", files={"file": (name, content)}, headers=auth(Role.INTEGRATION)
    )
