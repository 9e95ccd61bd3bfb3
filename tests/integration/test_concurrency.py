"""Two workers on one effect, released together many times over: exactly one effect each time.

- two settlements of one account-period (the same SQS message delivered to two workers);
- two purchases with one purchase_id;
- a recharge during a settlement (both land, once each).
A refund against a settlement is tests/integration/test_refund_settlement_race.py, whose `billing`
fixture (moto serving one request at a time, as DynamoDB appears to) and `race` these tests share.
"""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from decimal import Decimal

import pytest

from functions.wiring.accounts import account_stores
from shared.accounts.models import LedgerKind, Wallet
from shared.config import settings
from shared.pricing import SettlementCycle
from shared.services import accounts as service
from shared.services.settlement import settle_account
from shared.settlement.periods import SettlementRun
from shared.store.usage import CounterDelta, CounterKey, UsageRepository, sequence_mark
from tests.integration import test_refund_settlement_race as refund_race
from tests.integration.test_arrears_support import Arrears
from tests.integration.test_refund_settlement_race import (
    BOUGHT,
    CALLS,
    RUN_AT,
    SHANGHAI,
    TAG,
    account_with_a_used_day,
    race,
    settlement_stores,
)

billing = refund_race.billing  # the fixture: moto on the template, serving one request at a time

# Rounds of each race: a short run in `make test`, a long one in `make soak`.
ROUNDS = [12, pytest.param(100, marks=pytest.mark.soak)]
POSTPAID_PRICE = Decimal("0.30")  # id_verification, a call


def daily_run() -> SettlementRun:
    return SettlementRun(SettlementCycle.DAILY, RUN_AT, SHANGHAI)


def account_with_postpaid_calls(billing: Arrears, account_id: str) -> None:
    """An account with 1,000.00 cash, no pack, and CALLS billable calls of TAG on 03-02."""
    billing.api.clock.instant = BOUGHT
    billing.api.open_account(account_id)
    billing.api.recharge(account_id, f"r-{account_id}", "1000")
    key = CounterKey(account_id, BOUGHT.date(), TAG)
    assert UsageRepository(billing.api.dynamodb, settings().usage_table).apply(CounterDelta(
        key, calls=CALLS, billable=CALLS, unclassified=0, by_return_code={"0": CALLS},
        marks={"0": sequence_mark(1)}, expected={"0": None}))


def balance_matches_ledger(billing: Arrears, account_id: str) -> Decimal:
    balance = Decimal(billing.api.get(f"/v1/accounts/{account_id}")[1]["balance"])
    assert balance == billing.api.ledger_sum(account_id)
    return balance


@pytest.mark.parametrize("rounds", ROUNDS)
def test_two_settlements_of_one_account_period_settle_it_once(billing, rounds):
    jitter = random.Random(8)
    for number in range(rounds):
        account_id = f"twice-{number}"
        pack_id = account_with_a_used_day(billing, account_id)
        billing.api.clock.instant = RUN_AT + timedelta(seconds=30)

        outcomes = race(*[functools.partial(settle_account, settlement_stores(), daily_run(), account_id)] * 2,
                        jitter=jitter)

        assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
        [bill] = billing.api.items(settings().bills_table, account_id)
        [line] = bill["lines"]
        assert line["pack_deductions"] == [{"pack_id": pack_id, "calls": CALLS}] and line["postpaid_calls"] == 0
        [pack] = [p for p in billing.api.get(f"/v1/accounts/{account_id}/packs")[1]["packs"] if p["pack_id"] == pack_id]
        assert pack["remaining"] == 1000 - CALLS
        assert balance_matches_ledger(billing, account_id) == Decimal("700.00")  # the pack's 300.00, nothing more


@pytest.mark.parametrize("rounds", ROUNDS)
def test_two_purchases_with_one_purchase_id_buy_once_and_answer_alike(billing, rounds):
    jitter = random.Random(9)
    for number in range(rounds):
        account_id = f"buy-{number}"
        billing.api.clock.instant = BOUGHT
        billing.api.open_account(account_id)
        billing.api.recharge(account_id, f"r-{account_id}", "1000")
        buy = functools.partial(service.buy_packs, account_stores(), account_id, purchase_id="p-same",
                                billing_tag=TAG, size=1000, quantity=1, voucher_amount=None)

        first, second = race(buy, buy, jitter=jitter)

        assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
        assert [view.pack.pack_id for view in first.packs] == [view.pack.pack_id for view in second.packs]
        bought = [p for p in billing.api.items(settings().packs_table, account_id) if p.get("purchase_id") == "p-same"]
        assert len(bought) == 1
        purchases = [e for e in billing.api.items(settings().ledger_table, account_id)
                     if e["kind"] == LedgerKind.PACK_PURCHASE.value]
        assert len(purchases) == 1
        assert balance_matches_ledger(billing, account_id) == Decimal("700.00")


@pytest.mark.parametrize("rounds", ROUNDS)
def test_a_recharge_during_a_settlement_lands_once_beside_the_settlements_charge(billing, rounds):
    jitter = random.Random(10)
    for number in range(rounds):
        account_id = f"topup-{number}"
        account_with_postpaid_calls(billing, account_id)
        billing.api.clock.instant = RUN_AT + timedelta(seconds=30)
        recharge = functools.partial(service.recharge, account_stores(), account_id, recharge_id="r-during",
                                     wallet=Wallet.CASH, amount=Decimal("200.00"))

        recharged, settled = race(recharge, functools.partial(settle_account, settlement_stores(), daily_run(),
                                                              account_id), jitter=jitter)

        assert not isinstance(recharged, Exception) and not isinstance(settled, Exception), (recharged, settled)
        [bill] = billing.api.items(settings().bills_table, account_id)
        assert [line["postpaid_calls"] for line in bill["lines"]] == [CALLS]
        recharges = [e for e in billing.api.items(settings().ledger_table, account_id)
                     if e["kind"] == LedgerKind.RECHARGE.value and e["ref"] == "r-during"]
        assert len(recharges) == 1, recharges
        assert balance_matches_ledger(billing, account_id) == Decimal("1200.00") - CALLS * POSTPAID_PRICE
