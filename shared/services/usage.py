"""The usage, entitlement and call-lookup answers: load the counters and packs, apply the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.accounts.models import PackStatus
from shared.arrears.rules import standing_at
from shared.pricing import UNSETTLED_HORIZON, PackBalance, billing_date, billing_tag_for
from shared.refusals import NotFound
from shared.store.accounts import AccountRepository
from shared.store.calls import CallRepository, StoredCall
from shared.store.packs import PackRepository
from shared.store.usage import UsageRepository
from shared.usage.rules import DayCalls, DayUsage, EntitlementReason, daily_calls, day_usage, entitlement, series_range


@dataclass(frozen=True)
class UsageStores:
    accounts: AccountRepository
    packs: PackRepository
    usage: UsageRepository
    calls: CallRepository
    zone: ZoneInfo


def _deductible_packs(stores: UsageStores, account_id: str) -> list[PackBalance]:
    return [
        pack.balance(stores.zone)
        for pack in stores.packs.list_for_account(account_id)
        if pack.recorded_status is not PackStatus.REFUNDED and pack.remaining > 0
    ]


def usage_of_day(stores: UsageStores, account_id: str, day: date | None, now: datetime) -> DayUsage:
    stores.accounts.require(account_id)
    today = billing_date(now, stores.zone)
    day = day or today
    since = min(day, today - UNSETTLED_HORIZON)
    counters = stores.usage.since(account_id, since)
    return day_usage(day, today, counters, _deductible_packs(stores, account_id))


def daily_series(stores: UsageStores, account_id: str, first: date | None, last: date | None, now: datetime
                 ) -> list[DayCalls]:
    """Calls and billable calls per billing date and tag (see series_range for the default range)."""
    first, last = series_range(first, last, billing_date(now, stores.zone))
    stores.accounts.require(account_id)
    return daily_calls(first, last, stores.usage.between(account_id, first, last))


def check_entitlement(
    stores: UsageStores, account_id: str, channel: str, source: str | None, now: datetime
) -> EntitlementReason:
    """Raises the pricing package's UnknownChannel / SourceRequired / SourceNotAllowed for bad input."""
    account = stores.accounts.require(account_id)
    tag = billing_tag_for(channel, source)
    today = billing_date(now, stores.zone)
    counters = stores.usage.since(account_id, today - UNSETTLED_HORIZON)
    # The standing to the second: the arrears check records a due suspension within 5 minutes, the gate
    # closes at the deadline itself.
    status = standing_at(account, now).status.value
    return entitlement(status, account.postpaid_enabled, tag, today, counters, _deductible_packs(stores, account_id))


@dataclass(frozen=True)
class CallLookup:
    call: StoredCall
    settled: bool


def look_up_call(stores: UsageStores, account_id: str, request_id: str, now: datetime) -> CallLookup:
    call = stores.calls.get(account_id, request_id)
    if call is None:
        raise NotFound(f"No call {request_id!r} was accepted for account {account_id!r}.")
    counter = stores.usage.get(account_id, call.billing_date, call.billing_tag)
    today = billing_date(now, stores.zone)
    settled = call.billing_date < today and counter is not None and counter.unsettled_billable == 0
    return CallLookup(call=call, settled=settled)
