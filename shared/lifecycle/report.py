"""The daily report (订阅日报) of one account: yesterday's calls, charges and the packs left; the balance and today's
runway (shared.alerts.rules).

The pack-lifecycle job and the daily settlement both run at 00:00, in no set order, and the report of a
day must quote the bill that night's settlement writes for it. So the report of day D goes out once D's
charges are known, with one event id (`daily_report#<account>#<D>`; consumers dedupe by it), from
whichever job knows them:

- The lifecycle run reports every subscriber, except a daily account whose D has billable calls not
  settled yet and no bill, and whose usage does not wait (`left_to_settlement`): that is left to the
  settlement.
- That night's settlement, after it commits the bill of D for a subscriber, sends D's report as part of
  its after-commit work (`sent_with_its_bill`), so a crash after the commit still sends it, on the next
  attempt. A later run's catch-up of older days sends none (days that waited were reported with null
  charges; a day whose settlement did not happen that night goes without a report, as a day whose
  lifecycle run never fired does).

The report says what is known when it is built: the calls from the live counters; the charges from D's
bill (`settled`; its total, late lines of earlier days included), "0.00" if D had no billable calls
(nothing to settle), otherwise null (not settled: a monthly account, whose days are charged at the
month's end, or a suspended or released one, whose usage waits); the packs valid then with what is
recorded left of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.accounts.models import Account, AccountStatus, Pack, PackStatus
from shared.accounts.rules import pack_status
from shared.alerts.rules import runway_days
from shared.arrears.rules import standing_at
from shared.events import DomainEvent, EventType
from shared.instants import format_instant
from shared.pricing import SettlementCycle, billing_date, format_money
from shared.settlement.models import Bill
from shared.usage.rules import DayCalls, DayCounter

# While an account is suspended or released its usage waits: settlement writes no bill (as settlement's
# _WAITING_STATUSES), so there is nothing to wait for.
_USAGE_WAITS = (AccountStatus.SUSPENDED, AccountStatus.RELEASED)


def left_to_settlement(account: Account, day_counters: Iterable[DayCounter], billed: bool, now: datetime) -> bool:
    """Does the lifecycle run at `now` leave the report of yesterday to that night's settlement? Yes for a daily
    account whose yesterday has billable calls not settled yet (`day_counters`) and no bill (`billed`), unless
    it is suspended or released at `now`, the instant the settlement decides at too."""
    return (account.settlement_cycle is SettlementCycle.DAILY
            and not billed
            and any(counter.unsettled_billable > 0 for counter in day_counters)
            and standing_at(account, now).status not in _USAGE_WAITS)


def sent_with_its_bill(account: Account, bill: Bill, zone: ZoneInfo) -> bool:
    """Does the settlement that wrote `bill` send the daily report of its day? Yes for a subscriber's daily bill
    written by the run of the next 00:00 (that night's settlement, retried or finished later as may be) that
    settles the day's own calls: what `left_to_settlement` leaves to it."""
    day = bill.period_start
    return (account.daily_report
            and bill.cycle is SettlementCycle.DAILY
            and billing_date(bill.settled_at, zone) == day + timedelta(days=1)
            and any(line.usage_date == day and not line.late for line in bill.lines))


def daily_report_event(
    account: Account, day: DayCalls, bill: Bill | None, packs: Iterable[Pack], now: datetime, zone: ZoneInfo
) -> DomainEvent:
    """`account`: as the report finds it (after that night's bill, when it is sent with it): its balance and
    today's runway are in the report."""
    packs_left = [pack for pack in packs if pack_status(pack, now) is PackStatus.ACTIVE]
    account_id = account.account_id
    return DomainEvent(
        event_id=f"daily_report#{account_id}#{day.usage_date.isoformat()}",
        event_type=EventType.DAILY_REPORT,
        account_id=account_id,
        at=now,
        detail={
            "balance": format_money(account.balance),
            "runway_days": runway_days(account.balance, account.alerts.spend, billing_date(now, zone)),
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
