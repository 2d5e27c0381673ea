"""Invoices: manual drafts, issue, void, rebill, import, PDF."""
