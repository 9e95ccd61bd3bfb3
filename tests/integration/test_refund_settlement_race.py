"""A refund and a settlement racing for the same pack: exactly one of them gets it.

The refund conditions its pack write on the pack being active and whole (remaining = size); the settlement
conditions its draw on the remaining calls it read. Both run for real (shared.services.refunds and
shared.services.settlement) on moto, in two threads released together, many times over.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from functions.wiring import with_clients
from functions.wiring.accounts import account_stores
from functions.wiring.settlement import build_settlement_stores
from shared.config import settings
from shared.pricing import SettlementCycle
from shared.refunds.errors import PackUsed
from shared.services.refunds import refund_pack
from shared.services.settlement import SettlementStores, settle_account
from shared.settlement.periods import SettlementRun
from shared.store.usage import CounterDelta, CounterKey, UsageRepository, sequence_mark
from tests.aws import aws_client
from tests.integration.test_arrears_support import Arrears, arrears_api

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOUGHT = datetime.fromisoformat("2026-03-02T10:00:00+08:00")
RUN_AT = datetime.fromisoformat("2026-03-03T00:00:00+08:00")  # the daily settlement of 03-02
TAG = "id_verification"  # no free quota to draw first; 1,000 calls cost 300.00, postpaid 0.3 a call
CALLS = 5
ROUNDS = 25


@pytest.fixture
def billing(monkeypatch) -> Iterator[Arrears]:
    # DynamoDB applies each request atomically; moto in-process does not when two threads call it at once
    # (a failed transaction puts back a copy of the whole table). Serve one request at a time, as the
    # service would appear to: the race between a read and its conditional write stays as it is.
    lock = threading.Lock()
    process = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    with arrears_api(BOUGHT) as billing:
        yield billing


def account_with_a_used_day(billing: Arrears, account_id: str) -> str:
    """An account that bought a pack on 03-02 and made CALLS billable calls of its tag that day."""
    billing.api.clock.instant = BOUGHT
    billing.api.open_account(account_id)
    billing.api.recharge(account_id, f"r-{account_id}", "1000")
    pack_id = billing.buy(account_id, billing_tag=TAG)["packs"][0]["pack_id"]
    key = CounterKey(account_id, BOUGHT.date(), TAG)
    assert UsageRepository(billing.api.dynamodb, settings().usage_table).apply(CounterDelta(
        key, calls=CALLS, billable=CALLS, unclassified=0, by_return_code={"0": CALLS},
        marks={"0": sequence_mark(1)}, expected={"0": None}))
    return pack_id


def race(*contenders: Callable[[], Any], jitter: random.Random) -> list[Any]:
    """Run the contenders in threads released at once, each after a random few milliseconds (so that either
    may read first); each one's result, or the exception it raised."""
    start = threading.Barrier(len(contenders))
    results: list[Any] = [None] * len(contenders)
    delays = [jitter.uniform(0, 0.1) for _ in contenders]

    def run(index: int, contender: Callable[[], Any]) -> None:
        start.wait()
        time.sleep(delays[index])
        try:
            results[index] = contender()
        except Exception as error:  # the loser's refusal is a result of the race
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def settlement_stores() -> SettlementStores:
    return with_clients(build_settlement_stores, dynamodb=aws_client("dynamodb"), sns=aws_client("sns"))()


def test_a_refund_and_a_settlement_racing_for_a_pack_never_both_get_it(billing):
    run = SettlementRun(SettlementCycle.DAILY, RUN_AT, SHANGHAI)
    winners = {"refund": 0, "settlement": 0}
    jitter = random.Random(6)
    for number in range(ROUNDS):
        account_id = f"race-{number}"
        pack_id = account_with_a_used_day(billing, account_id)
        billing.api.clock.instant = RUN_AT + timedelta(seconds=30)

        refunded, settled = race(
            functools.partial(refund_pack, account_stores(), account_id, pack_id, refund_id="rf"),
            functools.partial(settle_account, settlement_stores(), run, account_id), jitter=jitter)

        assert not isinstance(settled, Exception), settled
        pack = next(p for p in billing.api.get(f"/v1/accounts/{account_id}/packs")[1]["packs"]
                    if p["pack_id"] == pack_id)
        [bill] = billing.api.items(settings().bills_table, account_id)
        [line] = bill["lines"]
        if isinstance(refunded, PackUsed):
            winners["settlement"] += 1
            assert (pack["status"], pack["remaining"]) == ("active", 1000 - CALLS)
            assert line["postpaid_calls"] == 0
        else:
            assert not isinstance(refunded, Exception), refunded
            winners["refund"] += 1
            assert (pack["status"], pack["remaining"]) == ("refunded", 1000)
            assert line["postpaid_calls"] == CALLS and not line["pack_deductions"]
        account = billing.api.get(f"/v1/accounts/{account_id}")[1]
        assert Decimal(account["balance"]) == billing.api.ledger_sum(account_id)
    assert sum(winners.values()) == ROUNDS


def test_a_refund_that_read_the_pack_before_a_settlement_drew_on_it_answers_pack_used(billing, monkeypatch):
    pack_id = account_with_a_used_day(billing, "acme")
    billing.api.clock.instant = RUN_AT + timedelta(seconds=30)
    stores = account_stores()
    read_pack = stores.packs.get
    settled_in_between = []

    def read_then_settle(account_id: str, wanted: str):
        pack = read_pack(account_id, wanted)
        if not settled_in_between:
            settled_in_between.append(settle_account(settlement_stores(), SettlementRun(
                SettlementCycle.DAILY, RUN_AT, SHANGHAI), account_id))
        return pack

    monkeypatch.setattr(stores.packs, "get", read_then_settle)

    with pytest.raises(PackUsed):
        refund_pack(stores, "acme", pack_id, refund_id="rf")
    assert billing.api.get("/v1/accounts/acme")[1]["balance"] == "700.00"  # the pack paid; the calls were in it


def test_a_settlement_that_read_the_pack_before_a_refund_took_it_charges_the_calls_postpaid(billing, monkeypatch):
    pack_id = account_with_a_used_day(billing, "acme")
    billing.api.clock.instant = RUN_AT + timedelta(seconds=30)
    stores = settlement_stores()
    read_packs = stores.packs.list_for_account
    refunded_in_between = []

    def read_then_refund(account_id: str):
        packs = read_packs(account_id)
        if not refunded_in_between:
            refunded_in_between.append(refund_pack(account_stores(), account_id, pack_id, refund_id="rf"))
        return packs

    monkeypatch.setattr(stores.packs, "list_for_account", read_then_refund)

    settle_account(stores, SettlementRun(SettlementCycle.DAILY, RUN_AT, SHANGHAI), "acme")

    [bill] = billing.api.items(settings().bills_table, "acme")
    assert [(line["postpaid_calls"], line["pack_deductions"]) for line in bill["lines"]] == [(CALLS, [])]
    assert billing.api.get("/v1/accounts/acme")[1]["balance"] == "998.50"  # 1000 - 300 + 300 - 5 x 0.30
