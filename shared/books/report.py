"""The revenue report (API.md, Reports): one row per billing date and tag with any non-zero figure.

The deferred balance of a tag at a day's start is everything it sold before, less everything recognized,
broken and refunded before; each row carries it at the day's start and end, so that on every row and on
the totals `deferred_opening + pack_sales − recognized − breakage − refunds = deferred_closing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.books.models import DEFERRED_SIGN, Figure, FigureKey

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RevenueRow:
    day: date
    billing_tag: str
    figures: Mapping[Figure, Decimal]
    deferred_opening: Decimal
    deferred_closing: Decimal

    @property
    def any_nonzero(self) -> bool:
        return any(self.figures.values()) or bool(self.deferred_opening) or bool(self.deferred_closing)


@dataclass(frozen=True)
class RevenueReport:
    start: date
    end: date
    rows: tuple[RevenueRow, ...]
    totals: Mapping[Figure, Decimal]
    deferred_opening: Decimal
    deferred_closing: Decimal


def deferred_change(figures: Mapping[Figure, Decimal]) -> Decimal:
    return sum((DEFERRED_SIGN[figure] * amount for figure, amount in figures.items()), _ZERO)


def revenue_report(
    before: Mapping[FigureKey, Decimal],
    daily: Mapping[date, Mapping[FigureKey, Decimal]],
    start: date,
    end: date,
    billing_tag: str | None = None,
) -> RevenueReport:
    """`before`: every figure booked before `start`, summed per tag; `daily`: each day's from `start` to `end`."""
    wanted = (lambda tag: tag == billing_tag) if billing_tag is not None else (lambda _tag: True)
    deferred: dict[str, Decimal] = {}
    for (tag, figure), amount in before.items():
        if wanted(tag):
            deferred[tag] = deferred.get(tag, _ZERO) + DEFERRED_SIGN[figure] * amount
    opening_total = sum(deferred.values(), _ZERO)
    rows = []
    totals = dict.fromkeys(Figure, _ZERO)
    day = start
    while day <= end:
        booked: dict[str, dict[Figure, Decimal]] = {}
        for (tag, figure), amount in daily.get(day, {}).items():
            if wanted(tag):
                booked.setdefault(tag, dict.fromkeys(Figure, _ZERO))[figure] += amount
        for tag in sorted(set(deferred) | set(booked)):
            figures = booked.get(tag, dict.fromkeys(Figure, _ZERO))
            opening = deferred.get(tag, _ZERO)
            deferred[tag] = opening + deferred_change(figures)
            row = RevenueRow(day, tag, figures, opening, deferred[tag])
            if row.any_nonzero:
                rows.append(row)
                for figure, amount in figures.items():
                    totals[figure] += amount
        day += timedelta(days=1)
    return RevenueReport(start, end, tuple(rows), totals, opening_total, sum(deferred.values(), _ZERO))
