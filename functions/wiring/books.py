"""The revenue report's reads of the vendor's books (the api function)."""

from __future__ import annotations

from functions.wiring import Clients, per_deployment
from shared.config import Settings
from shared.store.books import RevenueBooks


def build_revenue_books(config: Settings, clients: Clients) -> RevenueBooks:
    return RevenueBooks(clients.dynamodb, config.books_table)


revenue_books = per_deployment(build_revenue_books)
