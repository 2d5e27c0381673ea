"""Remittance advices that arrive apart from the money: emails (body, PDF, XLSX, CSV), X12 820."""
