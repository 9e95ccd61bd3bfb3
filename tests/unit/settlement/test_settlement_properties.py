"""Properties of the settlement rules over random accounts, packs, missed runs and late calls: every
billable call is billed exactly once, from exactly one pack or postpaid, and the money adds up."""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.accounts.models import Account, AccountStatus, Contacts, Locale, Pack, PackOrigin, Wallets
from shared.pricing import SettlementCycle
from shared.settlement.models import Bill
from shared.settlement.periods import SettlementRun
from shared.settlement.rules import plan_settlements

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 1)
TAGS = ("enhanced_authority_wechat", "face_risk_detection")
DAYS = 6


@dataclass(frozen=True)
class Counter:
    usage_date: date
    billing_tag: str
    billable: int
    settled_billable: int = 0


def run_on(day: date) -> SettlementRun:
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI).astimezone(UTC)
    return SettlementRun(SettlementCycle.DAILY, midnight, SHANGHAI)


packs_strategy = st.lists(
    st.builds(
        lambda index, tag, size, used, gifted, starts, days: Pack(
            account_id="acme", pack_id=f"pk_{index}", billing_tag=tag,
            origin=PackOrigin.PROMOTION if gifted else PackOrigin.PURCHASE, size=size, remaining=size - used % size,
            acquired_at=datetime.combine(START + timedelta(days=starts), datetime.min.time(), tzinfo=SHANGHAI),
            effective_from=START + timedelta(days=starts),
            expires_at=datetime.combine(START + timedelta(days=starts + days), datetime.max.time(), tzinfo=SHANGHAI)),
        st.integers(0, 10**6), st.sampled_from(TAGS), st.integers(1, 60), st.integers(0, 59), st.booleans(),
        st.integers(-3, 3), st.integers(0, 8)),
    max_size=4, unique_by=lambda pack: pack.pack_id)

# Rounds: on each, calls arrive on some day (maybe one already settled: late), then a run may fire.
rounds_strategy = st.lists(
    st.tuples(st.integers(0, DAYS - 1), st.sampled_from(TAGS), st.integers(0, 40), st.booleans()),
    min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(packs=packs_strategy, rounds=rounds_strategy, cash=st.integers(0, 200))
def test_every_billable_call_is_billed_once_from_one_pack_or_postpaid_and_the_money_adds_up(packs, rounds, cash):
    account = Account(
        account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None,
        settlement_cycle=SettlementCycle.DAILY, postpaid_enabled=True, balance=Decimal(cash),
        wallets=Wallets(cash=Decimal(cash)), contacts=Contacts(), locale=Locale.ZH_CN, daily_report=False,
        activated_at=datetime(2025, 1, 1, tzinfo=UTC), created_at=datetime(2025, 1, 1, tzinfo=UTC))
    counters: dict[tuple[date, str], Counter] = {}
    current = {pack.pack_id: pack for pack in packs}
    bills: list[Bill] = []
    billed: set[date] = set()
    today = START

    def settle(on: date) -> None:
        """As the service does: commit each settlement in turn; a bill the guard refuses (its period has a bill
        of late calls alone) is remembered and everything planned again."""
        nonlocal account
        known_billed: set[date] = set()
        while True:
            plan = plan_settlements(account, list(counters.values()), list(current.values()), run_on(on),
                                    known_billed=known_billed)
            refused = next((s.bill.period_start for s in plan.settlements if s.bill.period_start in billed), None)
            if refused is not None:
                assert refused not in known_billed
                known_billed.add(refused)
                continue
            break
        for settlement in plan.settlements:
            assert settlement.account_before == account
            for line in settlement.bill.lines:
                assert line.late == (line.usage_date in billed)
            billed.add(settlement.bill.period_start)
            bills.append(settlement.bill)
            account = settlement.account_after
            for change in settlement.pack_changes:
                assert current[change.pack_id].remaining == change.before
                current[change.pack_id] = replace(current[change.pack_id], remaining=change.after)
            for key, settled in settlement.settled_counts.items():
                counters[key] = replace(counters[key], settled_billable=settled)

    for offset, tag, calls, runs in rounds:
        day = START + timedelta(days=offset)
        counter = counters.get((day, tag), Counter(day, tag, 0))
        counters[(day, tag)] = replace(counter, billable=counter.billable + calls)
        today = max(today, day + timedelta(days=1))
        if runs:
            settle(today)
    settle(START + timedelta(days=DAYS))
    settle(START + timedelta(days=DAYS + 1))  # late calls of the last round wait for a run whose day has no bill

    billed_calls = Tally()
    for bill in bills:
        for line in bill.lines:
            assert sum(d.calls for d in line.pack_deductions) + line.postpaid_calls == line.billable_calls > 0
            billed_calls[(line.usage_date, line.billing_tag)] += line.billable_calls
    assert billed_calls == Tally({key: c.billable for key, c in counters.items() if c.billable})
    assert all(c.settled_billable == c.billable for c in counters.values())

    drawn = Tally()
    for bill in bills:
        for line in bill.lines:
            for deduction in line.pack_deductions:
                drawn[deduction.pack_id] += deduction.calls
    assert {pack.pack_id: pack.remaining - drawn[pack.pack_id] for pack in packs} == {
        pack_id: pack.remaining for pack_id, pack in current.items()}
    assert all(pack.remaining >= 0 for pack in current.values())

    charged = sum((bill.total_amount for bill in bills), Decimal(0))
    assert account.balance == Decimal(cash) - charged == account.wallets.total
