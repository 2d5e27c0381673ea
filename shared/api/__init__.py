"""The API kit every service uses: problems, pagination, transactions and idempotency, auth."""
