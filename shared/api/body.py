"""The base of every request body: a field the API does not know is a 422, never silently
dropped (a misspelt or unsupported field would otherwise look accepted)."""

from pydantic import BaseModel, ConfigDict


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
