"""The nightly reconciliation: what the history says each stored balance, remaining and value must be."""
