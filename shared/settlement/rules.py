"""Pure rules of settlement: from an account's counters, packs and balance to the bills of its closed periods.

No I/O. The service loads an account's state, asks `plan_settlements` what to write, and commits each
period's settlement in one transaction, oldest period first; each settlement is computed on the state
the one before it leaves (the packs it drew on, the balance it charged), so the plan is the whole run's
work for the account.

- A closed period with unsettled billable calls and no bill gets its own bill.
- Unsettled calls of a period that has a bill (they arrived after it was settled) are late: they go on
  the bill of the run's target period (yesterday, or last month), on lines marked `late` with their own
  usage date. If the target period has a bill already (a rerun), they wait for the next run.
- Packs offset calls gifted first, then bought, first to expire first (shared.pricing.deduct); the rest
  is charged at the unit price (the monthly ladder for 实名信息核验 tags of monthly accounts), each line
  rounded half-up to the fen.
- The charge is taken from cash, income and gift, in that order, as far as each holds above zero; the
  rest from cash, which may go below zero. A charge that leaves the balance below zero puts an active
  account in arrears (suspension due 24 hours later) and is announced.
- The bill's postpaid amount is the spend of its date (a monthly bill's last day), and the alerts decide
  from the balance and spend it leaves (shared.alerts.rules), in the same transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Protocol

from shared.accounts.models import (
    WALLET_ORDER,
    ZERO,
    Account,
    AccountStatus,
    LedgerEntry,
    LedgerKind,
    Pack,
    PackStatus,
    Wallet,
)
from shared.alerts.events import alert_events
from shared.alerts.models import DaySpend
from shared.alerts.rules import MoneyChange, after_money_change
from shared.arrears.rules import SUSPENSION_DELAY
from shared.events import DomainEvent, EventType
from shared.instants import format_instant
from shared.pricing import (
    PRICE_BOOK,
    SettlementCycle,
    Usage,
    deduct,
    format_money,
    line_amount,
    monthly_unit_prices,
)
from shared.settlement.models import Bill, BillLine, PackDeduction
from shared.settlement.periods import Period, SettlementRun, period_containing
from shared.settlement.plan import DayTag, PackChange, PeriodSettlement

TRANSACTION_ITEM_LIMIT = 100  # DynamoDB's limit of items in one transaction


class SettlementTooLarge(RuntimeError):
    """A period's own calls draw on more packs than one transaction can write."""


class SettlementCounter(Protocol):
    """What settlement reads of a usage counter (shared.store.usage.UsageCounter)."""

    usage_date: date
    billing_tag: str
    billable: int
    settled_billable: int


@dataclass(frozen=True)
class SettlementPlan:
    settlements: tuple[PeriodSettlement, ...]  # oldest period first
    waiting: tuple[DayTag, ...]  # late calls left for a later run


def plan_settlements(
    account: Account,
    counters: Sequence[SettlementCounter],
    packs: Sequence[Pack],
    run: SettlementRun,
    *,
    known_billed: Collection[date] = (),
    item_limit: int = TRANSACTION_ITEM_LIMIT,
) -> SettlementPlan:
    """Every settlement `run` makes for `account`.

    `counters`: the account's counters from the first day of the oldest period with unsettled calls on (a
    month's ladder price needs the whole month's volume); `packs`: every pack of the account.

    Which periods have a bill is read from the counters: a bill settles every call of its period it finds,
    so a period with a settled call has one. A bill of late calls alone settles none of its own period's:
    if calls of that period come later, the bill's guard refuses a second bill, and the service passes the
    period in `known_billed`.
    """
    billed = {period_containing(c.usage_date, run.cycle).start for c in counters if c.settled_billable > 0}
    billed.update(known_billed)
    unsettled: dict[Period, list[SettlementCounter]] = defaultdict(list)
    for counter in counters:
        if counter.billable > counter.settled_billable and run.closes(counter.usage_date):
            unsettled[period_containing(counter.usage_date, run.cycle)].append(counter)

    own = {period: found for period, found in unsettled.items() if period.start not in billed}
    late = sorted((counter for period, found in unsettled.items() if period.start in billed for counter in found),
                  key=lambda counter: (counter.usage_date, counter.billing_tag))
    waiting: list[DayTag] = []
    if run.target.start in billed:
        waiting = [(counter.usage_date, counter.billing_tag) for counter in late]
        late = []
    elif late:
        own.setdefault(run.target, [])

    unit_price = _unit_prices(run.cycle, counters)
    # An expired pack still offsets the days of its validity (late calls, or a run after the expiry job).
    open_packs = {pack.pack_id: pack for pack in packs
                  if pack.recorded_status is not PackStatus.REFUNDED and pack.remaining > 0}
    settlements = []
    for period in sorted(own):
        settlement, deferred = _fit(account, period, own[period], late if period == run.target else [],
                                    list(open_packs.values()), run, unit_price, item_limit)
        waiting += deferred
        if not settlement.bill.lines:  # a bill of late calls that all have to wait: none is written
            continue
        settlements.append(settlement)
        account = settlement.account_after
        for change in settlement.pack_changes:
            open_packs[change.pack_id] = replace(open_packs[change.pack_id], remaining=change.after)
    return SettlementPlan(tuple(settlements), tuple(waiting))


def _fit(
    account: Account,
    period: Period,
    own: list[SettlementCounter],
    late: list[SettlementCounter],
    packs: list[Pack],
    run: SettlementRun,
    unit_price: Callable[[date, str], Decimal],
    item_limit: int,
) -> tuple[PeriodSettlement, list[DayTag]]:
    """The period's settlement with as many late counters (oldest first) as one transaction can write."""
    late = list(late)
    deferred: list[DayTag] = []
    while True:
        settlement = _settle_period(account, period, own, late, packs, run, unit_price)
        if settlement.transaction_items <= item_limit:
            return settlement, deferred
        if not late:
            raise SettlementTooLarge(
                f"account {account.account_id}: the period from {period.start} draws on "
                f"{len(settlement.pack_changes)} packs; one transaction writes at most {item_limit} items")
        newest = late.pop()
        deferred.insert(0, (newest.usage_date, newest.billing_tag))


def _settle_period(
    account: Account,
    period: Period,
    own: Sequence[SettlementCounter],
    late: Sequence[SettlementCounter],
    packs: Sequence[Pack],
    run: SettlementRun,
    unit_price: Callable[[date, str], Decimal],
) -> PeriodSettlement:
    """One period's bill: its own unsettled calls and the late ones, deducted from `packs`, the rest charged."""
    counters = [*own, *late]
    late_keys = {(counter.usage_date, counter.billing_tag) for counter in late}
    by_id = {pack.pack_id: pack for pack in packs}
    deduction = deduct([Usage(c.usage_date, c.billing_tag, c.billable - c.settled_billable) for c in counters],
                       [pack.balance(run.zone) for pack in packs])
    lines = []
    for line in deduction.lines:
        price = unit_price(line.usage_date, line.billing_tag)
        lines.append(BillLine(
            usage_date=line.usage_date, billing_tag=line.billing_tag, billable_calls=line.billable_calls,
            pack_deductions=tuple(PackDeduction(pack_id, calls) for pack_id, calls in line.pack_deductions),
            postpaid_calls=line.postpaid_calls, unit_price=price, amount=line_amount(line.postpaid_calls, price),
            late=(line.usage_date, line.billing_tag) in late_keys,
        ))
    bill = Bill(account.account_id, run.cycle, period.start, period.end, run.run_at, tuple(lines))
    pack_changes = tuple(
        PackChange(pack_id, by_id[pack_id].billing_tag, by_id[pack_id].size, by_id[pack_id].remaining, remaining,
                   by_id[pack_id].recorded_status)
        for pack_id, remaining in sorted(deduction.remaining.items()) if remaining != by_id[pack_id].remaining
    )
    charges = split_charge(bill.total_amount, account)
    after = _charged(account, bill, charges)
    alerts = after_money_change(after.alerts, change=MoneyChange.SETTLEMENT, balance=after.balance,
                                today=run.run_date, spent=[(bill.period_end, DaySpend(postpaid=bill.total_amount))])
    after = replace(after, alerts=alerts.alerts)
    entries = tuple(
        LedgerEntry(account.account_id, LedgerKind.POSTPAID_CHARGE, wallet, -amount, bill.settled_at, bill.bill_id,
                    {"period_start": period.start.isoformat()})
        for wallet, amount in charges
    )
    events = (*_pack_events(pack_changes, bill), *_arrears_events(account, after, bill),
              *alert_events(account.account_id, bill.settled_at, alerts.notices, cause=bill.bill_id))
    return PeriodSettlement(
        bill=bill, account_before=account, account_after=after, ledger_entries=entries, pack_changes=pack_changes,
        settled_counts={(c.usage_date, c.billing_tag): c.billable for c in counters}, events=events,
    )


def _unit_prices(cycle: SettlementCycle, counters: Sequence[SettlementCounter]) -> Callable[[date, str], Decimal]:
    """Daily accounts pay each tag's unit price; monthly ones the price the month's whole volume reaches."""
    if cycle is SettlementCycle.DAILY:
        return lambda _day, tag: PRICE_BOOK[tag].unit_price
    volumes: Counter[tuple[date, str]] = Counter()
    for counter in counters:
        volumes[(period_containing(counter.usage_date, cycle).start, counter.billing_tag)] += counter.billable

    def monthly(day: date, tag: str) -> Decimal:
        volume = volumes[(period_containing(day, cycle).start, tag)]
        return monthly_unit_prices({tag: volume}, PRICE_BOOK)[tag]

    return monthly


def split_charge(amount: Decimal, account: Account) -> tuple[tuple[Wallet, Decimal], ...]:
    """Who pays a postpaid charge: cash, income, gift as far as each holds above zero, the rest cash."""
    due = amount
    takes = dict.fromkeys(WALLET_ORDER, ZERO)
    for wallet in WALLET_ORDER:
        take = min(due, max(ZERO, account.wallets[wallet]))
        takes[wallet] += take
        due -= take
    takes[Wallet.CASH] += due
    return tuple((wallet, takes[wallet]) for wallet in WALLET_ORDER if takes[wallet] > ZERO)


def _charged(account: Account, bill: Bill, charges: Sequence[tuple[Wallet, Decimal]]) -> Account:
    """The account after paying `bill`: in arrears if it was active and the balance fell below zero."""
    wallets = account.wallets
    for wallet, amount in charges:
        wallets = wallets.plus(wallet, -amount)
    after = replace(account, balance=account.balance - bill.total_amount, wallets=wallets, version=account.version + 1)
    if (bill.total_amount > ZERO and after.balance < ZERO and account.status is AccountStatus.ACTIVE
            and account.arrears_since is None):
        after = replace(after, status=AccountStatus.ARREARS, arrears_since=bill.settled_at,
                        suspend_at=bill.settled_at + SUSPENSION_DELAY)
    return after


def _pack_events(changes: Sequence[PackChange], bill: Bill) -> list[DomainEvent]:
    """pack_low / pack_exhausted, once per pack: remaining only goes down, so each crossing happens once."""
    events = []
    for change in changes:
        notice = change.notice
        if notice is not None:
            events.append(DomainEvent(
                f"{notice.value}#{change.pack_id}", notice, bill.account_id, bill.settled_at,
                {"pack_id": change.pack_id, "billing_tag": change.billing_tag, "size": change.size,
                 "remaining": change.after, "bill_id": bill.bill_id},
            ))
    return events


def _arrears_events(before: Account, after: Account, bill: Bill) -> list[DomainEvent]:
    """A charge that leaves the balance below zero is announced (`entered_arrears`: it started the arrears)."""
    if bill.total_amount <= ZERO or after.balance >= ZERO:
        return []
    detail: dict[str, object] = {"bill_id": bill.bill_id, "balance": format_money(after.balance),
                                 "entered_arrears": after.status is not before.status}
    if after.arrears_since is not None:
        detail["arrears_since"] = format_instant(after.arrears_since)
    if after.suspend_at is not None:
        detail["suspend_at"] = format_instant(after.suspend_at)
    return [DomainEvent(f"arrears#{bill.account_id}#{bill.bill_id}", EventType.ARREARS, bill.account_id,
                        bill.settled_at, detail)]
