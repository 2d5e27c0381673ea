"""Every read of credit's tables, for the routes and the commands, a module per concept."""
