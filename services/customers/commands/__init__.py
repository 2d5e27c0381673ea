"""The customer master's use cases. Each change bumps the revision, audits who/what/why and
publishes the customer's new snapshot, all in the caller's transaction."""
