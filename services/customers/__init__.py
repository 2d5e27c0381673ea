"""Customers: the customer master every other service keeps its own copy of."""
