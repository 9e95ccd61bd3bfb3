"""Service functions over in-memory fakes: retries on a stale read, and losing a client-id race."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.accounts.errors import ClientIdTaken, ConcurrentUpdate, IdempotencyKeyReused, StaleAccount
from shared.accounts.models import Account, AccountStatus, Contacts, Locale, Wallet, Wallets
from shared.accounts.snapshots import account_to_json
from shared.arrears.rules import with_violation_suspension
from shared.pricing import SettlementCycle
from shared.services import accounts as service
from shared.store.client_ids import ClientIdRecord
from shared.store.transactions import TransactionItem

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


class StillClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture(autouse=True)
def still_clock():
    clock.use_clock(StillClock())
    yield
    clock.use_clock(clock.SystemClock())


def account(**changes: Any) -> Account:
    return replace(Account(
        account_id="acme", status=AccountStatus.ACTIVE, suspension_reason=None,
        settlement_cycle=SettlementCycle.DAILY, postpaid_enabled=True, balance=Decimal(0), wallets=Wallets(),
        contacts=Contacts(), locale=Locale.ZH_CN, daily_report=False, activated_at=NOW, created_at=NOW,
    ), **changes)


def noop(name: str) -> TransactionItem:
    return TransactionItem({"Put": {"TableName": name}}, lambda _old: RuntimeError(name))


class FakeAccounts:
    """Answers the reads in turn; the writes are items the fake writer accepts or refuses."""

    def __init__(self, *reads: Account):
        self.reads = list(reads)
        self.standings: list[tuple[AccountStatus, Any]] = []

    def get(self, account_id: str) -> Account | None:
        return self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]

    def require(self, account_id: str) -> Account:
        return self.get(account_id)

    def credit(self, account: Account, amounts: Any, *, restoring: Account | None = None,
               alerts: Any = None) -> TransactionItem:
        return noop("accounts")

    def set_standing(self, account: Account, status: AccountStatus, reason: Any) -> Account:
        self.standings.append((status, reason))
        return replace(account, status=status, suspension_reason=reason)


class FakeLedger:
    def add(self, entry: Any) -> TransactionItem:
        return noop("ledger")


class FakeClientIds:
    def __init__(self, *records: ClientIdRecord | None):
        self.records = list(records) or [None]

    def find(self, record_id: str) -> ClientIdRecord | None:
        return self.records.pop(0) if len(self.records) > 1 else self.records[0]

    def put_transaction_item(self, record_id: str, fingerprint: str, answer: dict, events: Any = ()) -> dict:
        return {"Put": {"TableName": "ids"}}


class FakeWriter:
    def __init__(self, *outcomes: Exception | None):
        self.outcomes = list(outcomes)
        self.commits = 0

    def commit(self, items: list[TransactionItem]) -> None:
        self.commits += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome


def stores(accounts: FakeAccounts, writer: FakeWriter, client_ids: FakeClientIds | None = None) -> Any:
    return service.AccountStores(accounts=accounts, packs=None, ledger=FakeLedger(), books=None,
                                 client_ids=client_ids or FakeClientIds(),
                                 api_keys=None, writer=writer, events=None, zone=ZoneInfo("Asia/Shanghai"))


def test_a_recharge_that_read_a_stale_account_reads_again_and_answers_the_fresh_state():
    stale, fresh = account(version=1), account(version=2, balance=Decimal(50), wallets=Wallets(cash=Decimal(50)))
    writer = FakeWriter(StaleAccount("acme"), None)

    answer = service.recharge(stores(FakeAccounts(stale, fresh), writer), "acme", recharge_id="r-1",
                              wallet=Wallet.CASH, amount=Decimal(10))

    assert writer.commits == 2
    assert (answer.balance, answer.wallets.cash, answer.version) == (Decimal(60), Decimal(60), 3)


def test_an_account_that_never_stops_changing_is_409_concurrent_update():
    writer = FakeWriter(*[StaleAccount("acme")] * 10)

    with pytest.raises(ConcurrentUpdate):
        service.recharge(stores(FakeAccounts(account()), writer), "acme", recharge_id="r-1", wallet=Wallet.CASH,
                         amount=Decimal(10))


def test_a_recharge_that_loses_the_race_for_its_id_answers_the_winners_answer():
    probe = service.ClientIdClaim(stores(FakeAccounts(account()), FakeWriter()), "acme", "recharge", "recharge_id",
                                  "r-1", {"wallet": "cash", "amount": "10.00"})
    winner = account(balance=Decimal(10), wallets=Wallets(cash=Decimal(10)), version=1)
    client_ids = FakeClientIds(None, ClientIdRecord(probe.fingerprint, account_to_json(winner)))

    answer = service.recharge(stores(FakeAccounts(account()), FakeWriter(ClientIdTaken("x")), client_ids), "acme",
                              recharge_id="r-1", wallet=Wallet.CASH, amount=Decimal(10))

    assert answer == winner


def test_a_race_lost_to_another_body_is_idempotency_key_reused():
    client_ids = FakeClientIds(None, ClientIdRecord("another body", {}))

    with pytest.raises(IdempotencyKeyReused):
        service.recharge(stores(FakeAccounts(account()), FakeWriter(ClientIdTaken("x")), client_ids), "acme",
                         recharge_id="r-1", wallet=Wallet.CASH, amount=Decimal(10))


def test_suspending_an_account_suspended_for_a_violation_again_writes_nothing():
    accounts = FakeAccounts(with_violation_suspension(account()))

    answer = service.set_violation(stores(accounts, FakeWriter()), "acme", suspend=True)

    assert answer.suspended_for_violation
    assert accounts.standings == []


class BrokenTopic:
    def publish(self, events: list) -> None:
        raise ConnectionError("SNS is down")


class RecordingWriter(FakeWriter):
    def __init__(self):
        super().__init__()
        self.items: list[TransactionItem] = []

    def commit(self, items: list[TransactionItem]) -> None:
        super().commit(items)
        self.items.extend(items)


class FakePacks:
    def add(self, pack: Any, *, zone: ZoneInfo) -> TransactionItem:
        return noop("packs")


class FakeAccountTable(FakeAccounts):
    def create(self, account: Account) -> TransactionItem:
        return noop("accounts")


def test_an_account_is_opened_even_when_its_notice_cannot_be_published():
    writer = RecordingWriter()
    broken = replace(stores(FakeAccountTable(account()), writer), packs=FakePacks(), events=BrokenTopic())

    opened = service.open_account(broken, "acme", contacts=Contacts(), locale=Locale.EN, activated_at=None)

    assert opened.account_id == "acme"
    assert len(writer.items) == 10  # the account and its 9 free packs, in one transaction
