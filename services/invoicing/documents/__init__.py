"""Printed documents: the invoice PDF a customer receives."""
