"""Who may call what: API keys (stored hashed) and the scope each route needs."""
