"""Collections: the receivables ledger built from events. Import it as `services.collections`,
never as a top-level `collections`, which would shadow the standard library."""
