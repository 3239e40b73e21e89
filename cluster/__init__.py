"""Running the hub beyond one machine: the pieces of a cluster (PostgreSQL primary and standby, ...)."""
