"""The daily report (订阅日报) of one account: yesterday's calls, charges and the packs left.

The report goes out at 00:00, when the daily settlement of yesterday runs too, so it says what is known
then: the calls from the live counters; the charges from yesterday's bill if it is already there
(`settled`; its total, late lines of earlier days included), "0.00" if yesterday had no billable calls
(nothing to settle), otherwise null (not settled yet, and always for monthly accounts, whose days are
charged at the month's end); the packs valid now with what is recorded left of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.accounts.models import Pack, PackStatus
from shared.accounts.rules import pack_status
from shared.events import DomainEvent, EventType
from shared.instants import format_instant
from shared.pricing import format_money
from shared.settlement.models import Bill
from shared.usage.rules import DayCalls


def daily_report_event(
    account_id: str, day: DayCalls, bill: Bill | None, packs: Iterable[Pack], now: datetime
) -> DomainEvent:
    packs_left = [pack for pack in packs if pack_status(pack, now) is PackStatus.ACTIVE]
    return DomainEvent(
        event_id=f"daily_report#{account_id}#{day.usage_date.isoformat()}",
        event_type=EventType.DAILY_REPORT,
        account_id=account_id,
        at=now,
        detail={
            "date": day.usage_date.isoformat(),
            "calls": day.calls,
            "billable_calls": day.billable_calls,
            "tags": [{"billing_tag": tag.billing_tag, "calls": tag.calls, "billable_calls": tag.billable_calls}
                     for tag in day.tags],
            "settled": bill is not None or day.billable_calls == 0,
            "charges": _charges(bill, day.billable_calls),
            "packs_left": [
                {"pack_id": pack.pack_id, "billing_tag": pack.billing_tag, "remaining": pack.remaining,
                 "expires_at": format_instant(pack.expires_at)}
                for pack in sorted(packs_left, key=lambda pack: (pack.billing_tag, pack.expires_at, pack.pack_id))
            ],
        },
    )


def _charges(bill: Bill | None, billable_calls: int) -> str | None:
    if bill is not None:
        return format_money(bill.total_amount)
    return "0.00" if billable_calls == 0 else None
