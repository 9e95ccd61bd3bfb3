"""Answer models of the nightly reconciliation's findings."""

from __future__ import annotations

from pydantic import Field

from shared.reconciliation.models import Check, Difference, ReconciliationReport
from shared.web.fields import InstantOut
from shared.web.model import AnswerModel


class DifferenceOut(AnswerModel):
    account_id: str
    check: Check = Field(description="WALLET_BALANCE, PACK_REMAINING, BILLED_CALLS or DEFERRED_REVENUE.")
    expected: str = Field(description="What the history says: money as \"0.00\", calls as a whole number.",
                          examples=["120.00", "950"])
    actual: str = Field(description="What is stored (\"missing\" for a bought pack without a deferred value).",
                        examples=["119.00", "951"])

    @classmethod
    def from_domain(cls, difference: Difference) -> DifferenceOut:
        return cls(account_id=difference.account_id, check=difference.check, expected=difference.expected,
                   actual=difference.actual)


class ReconciliationOut(AnswerModel):
    date: str = Field(description="The billing date checked (YYYY-MM-DD).", examples=["2026-03-01"])
    ran_at: InstantOut = Field(description="The run's scheduled instant (02:00 of the next day).")
    accounts_checked: int
    packs_checked: int
    differences: list[DifferenceOut] = Field(description="Every stored figure its history contradicts; [] when "
                                                         "everything ties out.")

    @classmethod
    def from_domain(cls, report: ReconciliationReport) -> ReconciliationOut:
        return cls(date=report.run.day.isoformat(), ran_at=report.run.ran_at,
                   accounts_checked=report.accounts_checked, packs_checked=report.packs_checked,
                   differences=[DifferenceOut.from_domain(difference) for difference in report.differences])
