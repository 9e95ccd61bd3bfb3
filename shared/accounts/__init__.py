"""Accounts, wallets and packs: models, errors, pure rules and JSON records (the service: shared.services.accounts)."""
