"""Answer models of the bill routes, read from shared.bills and the settlement's Bill."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.bills.rows import BillingMode, DetailRow, ResourceRow, TransactionType
from shared.pricing import SettlementCycle
from shared.pricing.cycle import Month
from shared.web.fields import InstantOut
from shared.web.model import AnswerModel
from shared.web.money import Money, UnitPrice

MONTH_EXAMPLE = "2026-03"


class PackDeductionOut(AnswerModel):
    pack_id: str
    calls: int


class BillLineOut(AnswerModel):
    usage_date: date = Field(description="The billing date the calls were made on.")
    billing_tag: str
    billable_calls: int
    pack_deductions: list[PackDeductionOut] = Field(description="Calls taken from each pack, in deduction order.")
    postpaid_calls: int
    unit_price: UnitPrice
    amount: Money = Field(description="postpaid_calls × unit_price, rounded half-up to 0.01.")
    late: bool = Field(description="Calls that arrived after their day was settled, billed on this later bill.")


class BillOut(AnswerModel):
    bill_id: str
    cycle: SettlementCycle
    period_start: date
    period_end: date = Field(description="The last billing date of the period, included.")
    settled_at: InstantOut
    total_amount: Money = Field(description="The sum of the lines' amounts.")
    lines: list[BillLineOut]


class BillsOut(AnswerModel):
    bills: list[BillOut]


class ResourceRowOut(AnswerModel):
    resource_id: str = Field(description='A pack id, or "postpaid:<billing_tag>" for a tag\'s postpaid use.',
                             examples=["pk_1772416800000a1b2c3d4e5", "postpaid:id_verification"])
    billing_tag: str
    billing_mode: BillingMode
    calls: int = Field(description="Calls of the month's days taken from the pack, or charged postpaid.")
    amount: Money = Field(description="0.00 for a pack (paid for when bought); the postpaid charge otherwise.")


class ResourceBillOut(AnswerModel):
    month: str = Field(examples=[MONTH_EXAMPLE])
    rows: list[ResourceRowOut]

    @classmethod
    def from_domain(cls, month: Month, rows: list[ResourceRow]) -> ResourceBillOut:
        return cls(month=str(month), rows=rows)


class DetailRowOut(AnswerModel):
    at: InstantOut = Field(description="When the bill was settled (usage rows) or the money moved.")
    transaction_type: TransactionType
    resource_id: str = Field(
        description='The pack id (pack_deduction), "postpaid:<billing_tag>" (postpaid_usage), or the client id '
                    "of the movement: purchase_id, refund_id, recharge_id.",
    )
    billing_tag: str | None = Field(description="null for a recharge.")
    unit_price: UnitPrice | None = Field(description="Postpaid usage only.")
    calls: int | None = Field(description="Calls used (usage rows) or bought (pack_purchase); null where none apply.")
    amount: Money = Field(description="What the row cost the account: negative for refunds and recharges; a "
                                      "purchase's wallet money, its voucher part not included.",
                          examples=["0.50", "-1000.00"])
    voucher_amount: Money | None = Field(description='pack_purchase only: the voucher part ("0.00" without one).')
    usage_date: date | None = Field(description="Usage rows only: the billing date of the calls they charge (at "
                                                "is when their bill was settled).")


class DetailBillOut(AnswerModel):
    month: str = Field(examples=[MONTH_EXAMPLE])
    rows: list[DetailRowOut]

    @classmethod
    def from_domain(cls, month: Month, rows: list[DetailRow]) -> DetailBillOut:
        return cls(month=str(month), rows=rows)
