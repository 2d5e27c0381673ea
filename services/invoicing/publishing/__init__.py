"""Invoicing's outbox: every event it publishes is written here, in the change's transaction."""

from shared.outbox import Outbox

outbox = Outbox("invoicing")
