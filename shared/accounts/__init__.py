"""Accounts, wallets and packs: their models, errors, pure rules and JSON records (services: shared.services.accounts)."""
