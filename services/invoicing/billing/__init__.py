"""Billing runs: ready tickets grouped per billing profile into invoices."""
