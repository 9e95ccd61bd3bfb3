"""The revenue side of the Books table: each billing date's figures per tag, in shards, and a month's roll-up.

Keys (template.yaml BooksTable): `pk` = "revenue#NN", NN = sha256(account_id) % BOOK_SHARDS, and `sk` =
"day#YYYY-MM-DD" or "month#YYYY-MM". An item holds one number per tag and figure, named
"<billing_tag>#<figure>". A movement's transaction adds its bookings to its shard's day item and month item
(ADD: commutative, so concurrent accounts never lose each other's figures). Shards spread the night's
settlements over 16 items a day, not one, so their transactions rarely meet on an item; a report sums the
shards. The month items let a report find the deferred balance at its first day without reading every day
before it. A transaction writes each item once, so bookings are merged per item first.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from shared.books.models import Booking, Figure, FigureKey
from shared.pricing.cycle import Month
from shared.store.codec import from_attributes, query_items, to_attributes
from shared.store.transactions import TransactionItem

BOOK_SHARDS = 16
_REVENUE = "revenue#"
_DAY = "day#"
_MONTH = "month#"
_KEYS = ("pk", "sk")

Figures = dict[FigureKey, Decimal]


def book_shard(account_id: str) -> str:
    return f"{_REVENUE}{int(hashlib.sha256(account_id.encode('utf-8')).hexdigest(), 16) % BOOK_SHARDS:02d}"


def _attribute(key: FigureKey) -> str:
    tag, figure = key
    return f"{tag}#{figure.value}"


def _figures_of(item: Mapping[str, Any]) -> Figures:
    figures: Figures = {}
    for name, value in item.items():
        if name in _KEYS:
            continue
        tag, _, figure = name.rpartition("#")
        figures[(tag, Figure(figure))] = Decimal(value)
    return figures


class RevenueBooks:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def book(self, account_id: str, bookings: Iterable[Booking]) -> list[TransactionItem]:
        """The transaction items that add `bookings` to the account's shard: one per day and month touched."""
        by_item: dict[str, Figures] = defaultdict(lambda: defaultdict(Decimal))
        for booking in bookings:
            if booking.amount == 0:
                continue
            for sort_key in (f"{_DAY}{booking.day.isoformat()}", f"{_MONTH}{Month.of(booking.day)}"):
                by_item[sort_key][(booking.billing_tag, booking.figure)] += booking.amount
        shard = book_shard(account_id)
        return [self._add(shard, sort_key, figures) for sort_key, figures in sorted(by_item.items())
                if any(figures.values())]

    def _add(self, shard: str, sort_key: str, figures: Figures) -> TransactionItem:
        names, values, terms = {}, {}, []
        for number, (key, amount) in enumerate(sorted(figures.items())):
            names[f"#f{number}"] = _attribute(key)
            values[f":f{number}"] = amount
            terms.append(f"#f{number} :f{number}")
        return TransactionItem(
            {"Update": {"TableName": self.table, "Key": to_attributes({"pk": shard, "sk": sort_key}),
                        "UpdateExpression": "ADD " + ", ".join(terms),
                        "ExpressionAttributeNames": names, "ExpressionAttributeValues": to_attributes(values)}},
            lambda _old: RuntimeError("an unconditional update never fails its condition"),
        )

    def daily(self, start: date, end: date) -> dict[date, Figures]:
        """Each billing date's figures from `start` to `end` (both included), summed over the shards."""
        found: dict[date, Figures] = defaultdict(lambda: defaultdict(Decimal))
        for shard in self._shards():
            for item in self._between(shard, f"{_DAY}{start.isoformat()}", f"{_DAY}{end.isoformat()}"):
                day = date.fromisoformat(item["sk"].removeprefix(_DAY))
                for key, amount in _figures_of(item).items():
                    found[day][key] += amount
        return found

    def before(self, day: date) -> Figures:
        """Every figure booked on the billing dates before `day`, summed: whole months, then the days of its month."""
        month = Month.of(day)
        first = month.first_day
        totals: Figures = defaultdict(Decimal)
        for shard in self._shards():
            items = list(self._between(shard, f"{_MONTH}", f"{_MONTH}{Month.of(first - timedelta(days=1))}"))
            if day > first:
                items += self._between(shard, f"{_DAY}{first.isoformat()}",
                                       f"{_DAY}{(day - timedelta(days=1)).isoformat()}")
            for item in items:
                for key, amount in _figures_of(item).items():
                    totals[key] += amount
        return totals

    def _shards(self) -> list[str]:
        return [f"{_REVENUE}{shard:02d}" for shard in range(BOOK_SHARDS)]

    def _between(self, shard: str, low: str, high: str) -> list[dict[str, Any]]:
        query = {
            "TableName": self.table, "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": to_attributes({":pk": shard, ":low": low, ":high": high}),
            "ConsistentRead": True,
        }
        return [from_attributes(item) for item in query_items(self._dynamodb, query)]
