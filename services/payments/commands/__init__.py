"""The use cases of payments, one module per what it does."""
