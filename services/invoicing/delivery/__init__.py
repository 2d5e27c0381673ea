"""Delivery of issued invoices: email with the PDF over SMTP, or a local mail drop."""
