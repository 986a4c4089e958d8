"""Detection: the seasonal volume baseline, stories, the simple rule, warm-up, and incidents."""
