"""Storage: the engine and retries, the tables, the queries that write them, migrations and retention."""
