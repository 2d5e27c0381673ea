"""Assets on rent and recurring storage in plain Python: the rate engine, billing cycles and
the proration of flat periodic amounts (docs/domain.md#assets-on-rent)."""
