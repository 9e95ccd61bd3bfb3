"""The rows of the 资源 ID 账单 and the 明细账单, and the bill lines a month's rows come from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from shared.pricing.cycle import Month
from shared.settlement.models import Bill, BillLine

POSTPAID_RESOURCE_PREFIX = "postpaid:"
PACK_CALL_CHARGE = Decimal("0.00")  # calls taken from a pack cost nothing then: the pack was paid for when bought


class BillingMode(StrEnum):
    PREPAID = "prepaid"
    POSTPAID = "postpaid"


class TransactionType(StrEnum):
    POSTPAID_USAGE = "postpaid_usage"
    PACK_DEDUCTION = "pack_deduction"
    PACK_PURCHASE = "pack_purchase"
    REFUND = "refund"
    RECHARGE = "recharge"


@dataclass(frozen=True)
class ResourceRow:
    resource_id: str
    billing_tag: str
    billing_mode: BillingMode
    calls: int
    amount: Decimal


@dataclass(frozen=True)
class DetailRow:
    at: datetime
    transaction_type: TransactionType
    resource_id: str
    billing_tag: str | None
    unit_price: Decimal | None
    calls: int | None
    amount: Decimal  # what the row cost the account: negative when money came in (a refund, a recharge)
    voucher_amount: Decimal | None = None  # a purchase's voucher part ("0.00" without one); None on other rows
    usage_date: date | None = None  # usage rows: the billing date of the calls they charge


def postpaid_resource_id(billing_tag: str) -> str:
    """A tag's postpaid use is one resource of the account: "postpaid:<billing_tag>"."""
    return f"{POSTPAID_RESOURCE_PREFIX}{billing_tag}"


def lines_of_month(bills: Iterable[Bill], month: Month) -> Iterator[tuple[Bill, BillLine]]:
    """Every line whose usage date is in `month`, with its bill, whichever bill carries it: late calls of a
    month's days sit on bills of later periods and still count in the month they were made."""
    for bill in bills:
        for line in bill.lines:
            if line.usage_date in month:
                yield bill, line
