"""Payments: payments and bank files in, cash applied to open items, deposits, refunds."""
