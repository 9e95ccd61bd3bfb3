"""Accounts, wallets and packs: the domain of issue 4 (models, pure rules, service functions)."""
