"""The five services of the accounts receivable platform. `python -m services` runs them all."""
