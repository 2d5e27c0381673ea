"""Mechanisms every service uses: settings, database, money, events, outbox/inbox, bus, API kit,
auth.

Nothing here knows a business rule; services own those.
"""
