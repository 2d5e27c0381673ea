"""Events the collections service publishes on `ar.collections.v1`."""
