"""The sales-tax database and the tax of an invoice per jurisdiction."""
