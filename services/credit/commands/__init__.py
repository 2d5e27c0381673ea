"""The credit use cases, a module per what they do; each runs in its caller's transaction."""
