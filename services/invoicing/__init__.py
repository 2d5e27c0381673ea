"""Invoicing: turns closed tickets, rentals and storage into invoices, credit memos and rebills."""
