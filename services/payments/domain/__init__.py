"""The rules of payments in plain Python: bank file readers, the matching engine, posting rules."""
