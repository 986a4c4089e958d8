"""The `groundswell` command group (thin: every command calls the pipeline or a query)."""
