"""Billing accounts: invoicing's copy of the customer facts billing needs."""
