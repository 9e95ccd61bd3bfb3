"""The bill answers of an account: load its bills and ledger entries, build the rows with the pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.bills.details import detail_rows
from shared.bills.months import bill_date_range
from shared.bills.resources import resource_rows
from shared.bills.rows import DetailRow, ResourceRow, TransactionType
from shared.pricing import billing_date, get_tag
from shared.pricing.cycle import Month
from shared.settlement.models import Bill
from shared.store.accounts import AccountRepository
from shared.store.bills import BillRepository
from shared.store.ledger import LedgerRepository

# Lines of a month's days sit on the month's own bills, or (calls accepted up to 35 days late, runs that
# were behind) on bills of periods that start up to this long after the month's last day.
LATE_LINES_HORIZON = timedelta(days=62)


@dataclass(frozen=True)
class BillStores:
    accounts: AccountRepository
    bills: BillRepository
    ledger: LedgerRepository
    zone: ZoneInfo


def list_bills(stores: BillStores, account_id: str, first: date | None, last: date | None, now: datetime
               ) -> list[Bill]:
    """Bills whose period overlaps the billing dates `first` to `last` (see bill_date_range), oldest first."""
    first, last = bill_date_range(first, last, billing_date(now, stores.zone))
    stores.accounts.require(account_id)
    # A monthly bill starts on the 1st: one that overlaps `first` started on its month's 1st at the earliest.
    bills = stores.bills.between(account_id, Month.of(first).first_day, last)
    return [bill for bill in bills if bill.period_end >= first]


def _month_or_current(month: Month | None, now: datetime, zone: ZoneInfo) -> Month:
    return month or Month.of(billing_date(now, zone))


def _bills_with_lines_of(stores: BillStores, account_id: str, month: Month) -> list[Bill]:
    return stores.bills.between(account_id, month.first_day, month.last_day + LATE_LINES_HORIZON)


def resource_bill(stores: BillStores, account_id: str, month: Month | None, now: datetime
                  ) -> tuple[Month, list[ResourceRow]]:
    """The 资源 ID 账单 of `month` (this month by default)."""
    month = _month_or_current(month, now, stores.zone)
    stores.accounts.require(account_id)
    return month, resource_rows(_bills_with_lines_of(stores, account_id, month), month)


def detail_bill(
    stores: BillStores, account_id: str, month: Month | None, now: datetime, *,
    transaction_type: TransactionType | None = None, billing_tag: str | None = None,
) -> tuple[Month, list[DetailRow]]:
    """The 明细账单 of `month` (this month by default). Raises UnknownBillingTag for a tag the price book lacks."""
    if billing_tag is not None:
        get_tag(billing_tag)
    month = _month_or_current(month, now, stores.zone)
    stores.accounts.require(account_id)
    bills = _bills_with_lines_of(stores, account_id, month)
    entries = stores.ledger.between(account_id, *month.bounds(stores.zone))
    return month, detail_rows(bills, entries, month, stores.zone,
                              transaction_type=transaction_type, billing_tag=billing_tag)
