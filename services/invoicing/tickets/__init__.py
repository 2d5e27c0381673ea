"""Tickets in: intake (API and the sales event), documents, review, holds and releases."""
