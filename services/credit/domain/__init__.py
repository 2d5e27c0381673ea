"""Credit's rules in plain Python: no web, no database. Each module is one concept."""
