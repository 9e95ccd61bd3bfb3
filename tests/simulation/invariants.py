"""The invariants checked after every simulated day, on what the tables hold and what was sent.

- Each billable call is in exactly one pack deduction or one postpaid line: per account, billing date and
  tag, the bills never hold more calls than were accepted, and hold all of them once their period was
  settled (unless the account was suspended or released at that run: its usage waits).
- No pack below zero or above its size; a pack's used calls are the sum of its deductions in the bills;
  no deduction for a day outside the pack's validity, and none from a refunded pack.
- Every balance and wallet is the sum of its ledger entries, and the ledger holds each recharge, purchase
  and refund the customers made exactly once, and each bill's charge exactly once.
- The vendor's books agree with the packs and bills of the whole deployment (each figure is booked in the
  transaction of its movement, so they agree at every instant): sales are what bought packs' wallets paid,
  vouchers their voucher part, recognized revenue their paid value less their deferred value, breakage
  the deferred value of the expired ones, refunds the paid value of the refunded ones, postpaid revenue
  the bills' totals; and the revenue report's identity holds on every row and on its totals.
- No notice sent twice: per account, notice type and channel, the outbox holds as many messages as the
  notices whose delivery on that channel is recorded as sent (one record per cause).
- No alert lost: every balance_low, budget_reached and runway_low the account's alerts remember sending was
  delivered.
- Arrears on time: no account's recorded arrears stage lags the one its instants give by more than the runs of
  `arrears-check` that may crash in a row (a suspension or release left undone, or its deadline lost).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.accounts.models import Account, LedgerEntry, LedgerKind, Pack, PackOrigin, PackStatus, Wallet
from shared.arrears.rules import arrears_stage, arrears_stage_at
from shared.books.models import Figure
from shared.books.value import deferred_value
from shared.pricing import billing_date
from shared.settlement.models import Bill
from shared.store.accounts import AccountRepository
from shared.store.bills import BillRepository, bill_from_item
from shared.store.codec import from_attributes, to_attributes
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository, pack_from_item
from tests.simulation.customers import ZONE
from tests.simulation.model import ZERO, Customer, SettlementRun

SENT = "sent"
CHANNELS = ("sms", "email")


@dataclass(frozen=True)
class StoredAccount:
    account: Account
    ledger: list[LedgerEntry]
    packs: list[Pack]
    bills: list[Bill]
    notices: list[dict[str, Any]]


class Tables:
    """The tables as the invariants read them, with a client of their own (never the crashing one)."""

    def __init__(self, dynamodb: Any, refs: dict[str, str]):
        self._dynamodb = dynamodb
        self._refs = refs
        self._messages = refs["MessagesTable"]
        self.accounts = AccountRepository(dynamodb, refs["AccountsTable"])
        self._ledger = LedgerRepository(dynamodb, refs["LedgerTable"])
        self._packs = PackRepository(dynamodb, refs["PacksTable"])
        self._bills = BillRepository(dynamodb, refs["BillsTable"])

    def scan(self, ref: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {"TableName": self._refs[ref], "ConsistentRead": True}
        items = []
        while True:
            page = self._dynamodb.scan(**request)
            items += [from_attributes(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def read(self, account_id: str) -> StoredAccount:
        account = self.accounts.get(account_id)
        assert account is not None, f"{account_id} is gone"
        return StoredAccount(account, self._ledger.list_for_account(account_id),
                             self._packs.list_for_account(account_id),
                             self._bills.between(account_id, date(2000, 1, 1), date(2100, 1, 1)),
                             self._notices(account_id))

    def _notices(self, account_id: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._messages, "ConsistentRead": True,
            "KeyConditionExpression": "account_id = :account AND begins_with(message_key, :notice)",
            "ExpressionAttributeValues": to_attributes({":account": account_id, ":notice": "notice#"})}
        items = []
        while True:
            page = self._dynamodb.query(**request)
            items += [from_attributes(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _billed(bills: list[Bill]) -> tuple[Counter[tuple[date, str]], list[str]]:
    billed: Counter[tuple[date, str]] = Counter()
    problems = []
    for bill in bills:
        for line in bill.lines:
            covered = sum(deduction.calls for deduction in line.pack_deductions) + line.postpaid_calls
            if covered != line.billable_calls:
                problems.append(f"bill {bill.bill_id} line {line.usage_date} {line.billing_tag}: "
                                f"{line.billable_calls} billable calls but {covered} deducted or postpaid")
            billed[(line.usage_date, line.billing_tag)] += covered
    return billed, problems


def calls_billed_once(customer: Customer, stored: StoredAccount, last_run: SettlementRun | None) -> list[str]:
    billed, problems = _billed(stored.bills)
    accepted = customer.all_billable_calls()
    problems += [f"{day} {tag}: {count} calls billed, {accepted[(day, tag)]} billable calls accepted"
                 for (day, tag), count in billed.items() if count > accepted[(day, tag)]]
    if last_run is not None and customer.account_id not in last_run.waiting:
        due = customer.billable_calls(last_run.at, last_run.at.astimezone(ZONE).date())
        problems += [f"{day} {tag}: {billed[(day, tag)]} calls billed after the run of {last_run.at}, {count} due"
                     for (day, tag), count in due.items() if billed[(day, tag)] < count]
    return problems


def packs_sound(stored: StoredAccount) -> list[str]:
    deductions: dict[str, list[tuple[date, str, int]]] = {}
    for bill in stored.bills:
        for line in bill.lines:
            for deduction in line.pack_deductions:
                drawn = (line.usage_date, line.billing_tag, deduction.calls)
                deductions.setdefault(deduction.pack_id, []).append(drawn)
    packs = {pack.pack_id: pack for pack in stored.packs}
    problems = [f"deductions from an unknown pack {pack_id}" for pack_id in deductions if pack_id not in packs]
    for pack in packs.values():
        drawn = deductions.get(pack.pack_id, [])
        if not 0 <= pack.remaining <= pack.size:
            problems.append(f"pack {pack.pack_id}: {pack.remaining} of {pack.size} calls left")
        if sum(calls for _, _, calls in drawn) != pack.used:
            problems.append(f"pack {pack.pack_id}: {pack.used} used, {sum(c for _, _, c in drawn)} in the bills")
        if pack.recorded_status is PackStatus.REFUNDED and drawn:
            problems.append(f"pack {pack.pack_id} was refunded and deducted from: {drawn}")
        last_day = billing_date(pack.expires_at, ZONE)
        problems += [f"pack {pack.pack_id} (valid {pack.effective_from} to {last_day}, {pack.billing_tag}) "
                     f"deducted {calls} calls of {day} {tag}"
                     for day, tag, calls in drawn
                     if not pack.effective_from <= day <= last_day or tag != pack.billing_tag]
    return problems


def _sum(entries: list[LedgerEntry], kind: LedgerKind | None = None, wallet: Wallet | None = None) -> Decimal:
    return sum((entry.amount for entry in entries
                if (kind is None or entry.kind is kind) and (wallet is None or entry.wallet is wallet)), ZERO)


def money_booked_once(customer: Customer, stored: StoredAccount) -> list[str]:
    account, ledger = stored.account, stored.ledger
    expected = {
        "balance": (account.balance, _sum(ledger)),
        **{f"{wallet} wallet": (account.wallets[wallet], _sum(ledger, wallet=wallet)) for wallet in Wallet},
        "recharges": (sum(customer.recharges.values(), ZERO), _sum(ledger, LedgerKind.RECHARGE)),
        "purchases": (-sum(customer.purchases.values(), ZERO), _sum(ledger, LedgerKind.PACK_PURCHASE)),
        "refunds": (sum(customer.refunds.values(), ZERO), _sum(ledger, LedgerKind.REFUND)),
        "postpaid charges": (-sum((bill.total_amount for bill in stored.bills), ZERO),
                             _sum(ledger, LedgerKind.POSTPAID_CHARGE)),
        "breakage": (ZERO, _sum(ledger, LedgerKind.PACK_BREAKAGE)),
    }
    problems = [f"{what}: {want} expected, the ledger says {booked}" for what, (want, booked) in expected.items()
                if want != booked]
    problems += [f"bill {bill.bill_id}: total {bill.total_amount}, lines {sum(line.amount for line in bill.lines)}"
                 for bill in stored.bills if bill.total_amount != sum((line.amount for line in bill.lines), ZERO)]
    return problems


def notices_sent_once(account_id: str, stored: StoredAccount, outbox: list[dict[str, Any]]) -> list[str]:
    sent = Counter((message["channel"], message["type"]) for message in outbox if message["account_id"] == account_id)
    recorded = Counter((channel, notice.get("event_type")) for notice in stored.notices for channel in CHANNELS
                       if notice.get(f"{channel}_state") == SENT)
    return [f"{channel} {notice_type}: sent {sent[(channel, notice_type)]} times for "
            f"{recorded[(channel, notice_type)]} notices" for channel, notice_type in sent.keys() | recorded.keys()
            if sent[(channel, notice_type)] != recorded[(channel, notice_type)]]


def alerts_announced(stored: StoredAccount) -> list[str]:
    """Every notice the account's alerts remember sending was delivered (none lost between the write that decided
    it and the notifier); that none went out twice is notices_sent_once's, by its cause."""
    account_id, state = stored.account.account_id, stored.account.alerts.state
    sent = {str(notice["message_key"]).removeprefix("notice#") for notice in stored.notices}
    problems = []
    if (day := state.balance.last_notice_on) is not None and f"balance_low#{account_id}#{day}" not in sent:
        problems.append(f"the balance alert remembers a balance_low on {day} that was never delivered")
    for key, threshold in state.budgets_reached.items():
        period, period_key = key.split("#", 1)
        prefix = f"budget_reached#{account_id}#{period}#{period_key}#"
        if not any(event_id.startswith(prefix) and event_id.endswith(f"#{threshold}") for event_id in sent):
            problems.append(f"the {period} budget remembers {threshold}% reached on {period_key}, never delivered")
    if state.runway_low_sent and not any(event_id.startswith(f"runway_low#{account_id}#") for event_id in sent):
        problems.append("the runway alert remembers a runway_low that was never delivered")
    return problems


def arrears_on_time(stored: StoredAccount, last_check: datetime, grace: timedelta) -> list[str]:
    """`last_check`: the instant of the latest arrears check; a transition due `grace` or more before it is late."""
    recorded, due = arrears_stage(stored.account), arrears_stage_at(stored.account, last_check - grace)
    if recorded is due:
        return []
    return [f"recorded {recorded} at the arrears check of {last_check}, but {due} was due {grace} before it "
            f"(suspend_at {stored.account.suspend_at}, release_at {stored.account.release_at})"]


def books_balanced(tables: Tables) -> list[str]:
    """The books' figures summed over every day and shard against every pack and bill of the deployment."""
    booked: Counter[str] = Counter()
    for item in tables.scan("BooksTable"):
        if item["pk"].startswith("revenue#") and item["sk"].startswith("day#"):
            for name, amount in item.items():
                if name not in ("pk", "sk"):
                    booked[name.rpartition("#")[2]] += Decimal(amount)
    packs = [pack_from_item(item) for item in tables.scan("PacksTable") if "origin" in item]
    bought = [pack for pack in packs if pack.origin is PackOrigin.PURCHASE]
    bills = [bill_from_item(item) for item in tables.scan("BillsTable")]
    expected = {
        Figure.PACK_SALES: sum((pack.paid_value for pack in bought), ZERO),
        Figure.VOUCHER_DISCOUNTS: sum((pack.paid.voucher for pack in bought if pack.paid is not None), ZERO),
        Figure.RECOGNIZED_PACK_REVENUE: sum((pack.paid_value - (pack.deferred or ZERO) for pack in bought), ZERO),
        Figure.BREAKAGE: sum((pack.deferred or ZERO for pack in bought
                              if pack.recorded_status is PackStatus.EXPIRED), ZERO),
        Figure.REFUNDS: sum((pack.paid_value for pack in bought if pack.recorded_status is PackStatus.REFUNDED), ZERO),
        Figure.POSTPAID_REVENUE: sum((bill.total_amount for bill in bills), ZERO),
    }
    problems = [f"books: {figure.value} {booked[figure.value]}, the packs and bills say {want}"
                for figure, want in expected.items() if booked[figure.value] != want]
    for pack in bought:
        rule = deferred_value(pack.paid_value, pack.size, pack.remaining)
        if pack.deferred != rule:
            problems.append(f"pack {pack.pack_id}: deferred {pack.deferred}, {rule} by the rounding rule")
    return problems


def revenue_identity(report: dict[str, Any]) -> list[str]:
    """`report`: a GET /v1/reports/revenue answer."""
    problems = []
    for row in [*report["rows"], {"date": "totals", "billing_tag": "", **report["totals"]}]:
        figure = {name: Decimal(value) for name, value in row.items() if name not in ("date", "billing_tag")}
        closing = (figure["deferred_opening"] + figure["pack_sales"] - figure["recognized_pack_revenue"]
                   - figure["breakage"] - figure["refunds"])
        if closing != figure["deferred_closing"]:
            problems.append(f"revenue report {row['date']} {row['billing_tag']}: closes on {figure['deferred_closing']}"
                            f", the identity gives {closing}")
    return problems
