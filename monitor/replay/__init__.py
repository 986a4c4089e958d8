"""Replaying data through the pipeline: the bundled demo and backtests of mentions and volume series."""
