"""Customer alerts before the money runs out: the balance alert, budgets and runway (API.md, Alerts)."""
