"""Service functions of accounts, keys, grants and packs: load, decide with the pure rules, commit one
transaction, publish the domain events after the commit.

Every function takes its stores as an argument (tests pass fakes or moto-backed repositories) and reads
the time from shared.clock. Writes with a client id (recharge_id, grant_id, purchase_id) claim it in the
same transaction as the change: a repeat with the same request answers the stored first answer (and
re-publishes its events, whose ids are stable, in case the first publication was lost), a repeat with
another request is refused with IDEMPOTENCY_KEY_REUSED.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from shared import clock
from shared.accounts.errors import (
    AccountSuspended,
    AlreadyGranted,
    ClientIdTaken,
    ConcurrentUpdate,
    IdempotencyKeyReused,
    NoPacksForTag,
    NotSuspendedForViolation,
    StaleAccount,
    StalePack,
)
from shared.accounts.models import (
    ZERO,
    Account,
    AccountPage,
    AccountStatus,
    Contacts,
    LedgerEntry,
    LedgerKind,
    Locale,
    Pack,
    PackOrigin,
    PackStatus,
    PackView,
    ProfileChanges,
    PurchaseResult,
    Wallet,
    Wallets,
)
from shared.accounts.rules import allocate_payment, in_deduction_order, pack_tier, purchase_entries, split_payment
from shared.accounts.snapshots import (
    account_from_json,
    account_to_json,
    pack_to_json,
    pack_view_from_json,
    pack_view_to_json,
    purchase_from_json,
    purchase_to_json,
)
from shared.alerts.events import alert_events
from shared.alerts.models import Alerts, DaySpend
from shared.alerts.rules import MoneyChange, after_money_change
from shared.arrears.models import RestoreCause
from shared.arrears.rules import (
    credit,
    with_violation_lifted,
    with_violation_suspension,
)
from shared.auth.keys import KeyGrant, Scope, key_hash, new_api_key
from shared.books.rules import purchase_bookings
from shared.events import DomainEvent, EventSink, EventType
from shared.ids import time_ordered_id
from shared.pricing import (
    FreeQuotaGrant,
    billing_date,
    format_money,
    free_quota_on_activation,
    free_quota_on_eid_merchant,
    get_tag,
    purchased_pack_validity,
    settlement_cycle,
)
from shared.refunds.rules import view_pack
from shared.refusals import InvalidField
from shared.store.accounts import AccountRepository
from shared.store.api_keys import ApiKeyRepository
from shared.store.books import RevenueBooks
from shared.store.client_ids import ClientIdRecord, ClientIdRepository, request_fingerprint
from shared.store.ledger import LedgerRepository
from shared.store.packs import PackRepository
from shared.store.transactions import TransactionItem, TransactionWriter

MAX_PACKS_PER_PURCHASE = 93
"""One purchase is one transaction: its packs, up to 3 ledger entries, the account, the client id and the
books' day and month items fit in DynamoDB's 100 items."""

_STALE_RETRIES = 5

Answer = TypeVar("Answer")

logger = Logger(child=True)


@dataclass(frozen=True)
class AccountStores:
    """What the service functions read and write, and the deployment's billing time zone."""

    accounts: AccountRepository
    packs: PackRepository
    ledger: LedgerRepository
    client_ids: ClientIdRepository
    api_keys: ApiKeyRepository
    books: RevenueBooks
    writer: TransactionWriter
    events: EventSink
    zone: ZoneInfo


# -- accounts


def open_account(
    stores: AccountStores, account_id: str, *, contacts: Contacts, locale: Locale, activated_at: datetime | None
) -> Account:
    """Create the account with the free-quota packs its activation date gives it, in one transaction."""
    now = clock.now()
    activated = now if activated_at is None else activated_at
    if activated.astimezone(UTC) > now.astimezone(UTC):
        raise InvalidField("activated_at", "must not lie in the future")
    account = Account(
        account_id=account_id, status=AccountStatus.ACTIVE, suspension_reason=None,
        settlement_cycle=settlement_cycle(activated), postpaid_enabled=True, balance=ZERO, wallets=Wallets(),
        contacts=contacts, locale=locale, daily_report=False, activated_at=activated, created_at=now,
    )
    packs = [_free_pack(account_id, grant, now, stores.zone) for grant in free_quota_on_activation(activated)]
    stores.writer.commit([stores.accounts.create(account), *(stores.packs.add(p, zone=stores.zone) for p in packs)])
    _publish_free_quota(stores, account_id, f"free_quota_granted#{account_id}#activation", packs, now)
    return account


def retry_while_stale(account_id: str, attempt: Callable[[], Answer]) -> Answer:
    """`attempt()` again while what it read changed before its write (StaleAccount, StalePack): it reads again
    and decides again. ConcurrentUpdate if the account keeps changing under it."""
    for _ in range(_STALE_RETRIES):
        try:
            return attempt()
        except (StaleAccount, StalePack):
            continue
    raise ConcurrentUpdate(account_id)


def get_account(stores: AccountStores, account_id: str) -> Account:
    return stores.accounts.require(account_id)


def list_accounts(
    stores: AccountStores, *, status: AccountStatus | None, limit: int, cursor: str | None
) -> AccountPage:
    return stores.accounts.list_page(status=status, limit=limit, cursor=cursor)


def update_account(stores: AccountStores, account_id: str, changes: ProfileChanges) -> Account:
    if changes.empty:
        raise InvalidField("body", "give at least one of postpaid_enabled, contacts, locale, daily_report, "
                                   "balance_alert, budgets, runway_alert_days")
    return stores.accounts.update_profile(account_id, changes)


def recharge(stores: AccountStores, account_id: str, *, recharge_id: str, wallet: Wallet, amount: Decimal) -> Account:
    """Credit a wallet: the client-id record, the ledger entry and the new balance in one transaction.

    A recharge that brings the balance to zero or above ends the account's arrears in the same write
    (shared.arrears.rules.ended_by_credit) and announces it, `restored`, after the commit.
    """
    if amount <= ZERO:
        raise InvalidField("amount", "must be more than 0")
    claim = ClientIdClaim(stores, account_id, "recharge", "recharge_id", recharge_id,
                          {"wallet": wallet.value, "amount": format_money(amount)})
    if (record := claim.stored_record()) is not None:
        publish_again(stores, record)
        return account_from_json(record.answer)

    def attempt() -> Account:
        account = get_account(stores, account_id)
        now = clock.now()
        done = credit(account, {wallet: amount}, cause=RestoreCause.RECHARGE, cause_id=recharge_id, at=now)
        alerts, _ = money_alerts(stores, account, MoneyChange.RECHARGE, done.after.balance, now, cause=recharge_id)
        after = replace(done.after, alerts=alerts)
        events = [] if done.notice is None else [done.notice]
        entry = LedgerEntry(account_id, LedgerKind.RECHARGE, wallet, amount, now, recharge_id)
        try:
            stores.writer.commit([
                claim.item(account_to_json(after), events),
                stores.ledger.add(entry),
                stores.accounts.credit(account, {wallet: amount}, restoring=done.restored, alerts=alerts),
            ])
        except ClientIdTaken:
            return account_from_json(claim.record_of_the_winner().answer)
        if events:
            stores.events.publish(events)
        return after

    return retry_while_stale(account_id, attempt)


def grant_eid_merchant_pack(stores: AccountStores, account_id: str) -> PackView:
    """The E证通 free pack, once per account (the account's eid_granted_at guards it in the transaction)."""
    account = get_account(stores, account_id)
    if account.eid_granted_at is not None:
        raise AlreadyGranted(account_id)
    now = clock.now()
    pack = _free_pack(account_id, free_quota_on_eid_merchant(now), now, stores.zone)
    stores.writer.commit([stores.accounts.mark_eid_granted(account_id, now), stores.packs.add(pack, zone=stores.zone)])
    _publish_free_quota(stores, account_id, f"free_quota_granted#{account_id}#eid", [pack], now)
    return view_pack(pack, account, now, stores.zone)


def set_violation(stores: AccountStores, account_id: str, *, suspend: bool) -> Account:
    """Suspend for a violation (again is a no-op), or lift it: back to arrears if the account has arrears,
    else active."""

    def attempt() -> Account:
        account = get_account(stores, account_id)
        if suspend:
            if account.suspended_for_violation:
                return account
            target = with_violation_suspension(account)
        else:
            if not account.suspended_for_violation:
                raise NotSuspendedForViolation(account_id)
            target = with_violation_lifted(account)
        return stores.accounts.set_standing(account, target.status, target.suspension_reason)

    return retry_while_stale(account_id, attempt)


def create_account_key(stores: AccountStores, account_id: str) -> str:
    """A new key for the account, returned once; only its hash is stored."""
    api_key = new_api_key()
    put = stores.api_keys.put_transaction_item(key_hash(api_key), KeyGrant(Scope.ACCOUNT, account_id), clock.now())
    stores.writer.commit([
        stores.accounts.must_exist(account_id),
        TransactionItem(put, lambda _old: RuntimeError("two keys drew the same 256 random bits")),
    ])
    return api_key


# -- packs


def grant_pack(
    stores: AccountStores, account_id: str, *, grant_id: str, billing_tag: str, size: int, valid_days: int
) -> PackView:
    """An operator's gift (活动赠送): any size, from today's billing date to now + valid_days, never refundable."""
    if get_tag(billing_tag).postpaid_only:
        raise NoPacksForTag(billing_tag)
    claim = ClientIdClaim(stores, account_id, "grant", "grant_id", grant_id,
                          {"billing_tag": billing_tag, "size": size, "valid_days": valid_days})
    if (stored := claim.stored_answer()) is not None:
        view = pack_view_from_json(stored)
        _publish_delivered(stores, [view.pack])
        return view
    account = get_account(stores, account_id)
    now = clock.now()
    pack = Pack(
        account_id=account_id, pack_id=time_ordered_id("pk", now), billing_tag=billing_tag,
        origin=PackOrigin.PROMOTION, size=size, remaining=size, acquired_at=now,
        effective_from=billing_date(now, stores.zone), expires_at=now.astimezone(UTC) + timedelta(days=valid_days),
        grant_id=grant_id,
    )
    view = view_pack(pack, account, now, stores.zone)
    try:
        stores.writer.commit([
            claim.item(pack_view_to_json(view)),
            stores.accounts.must_exist(account_id),
            stores.packs.add(pack, zone=stores.zone),
        ])
    except ClientIdTaken:
        view = pack_view_from_json(claim.answer_of_the_winner())
    _publish_delivered(stores, [view.pack])
    return view


def buy_packs(
    stores: AccountStores, account_id: str, *, purchase_id: str, billing_tag: str, size: int, quantity: int,
    voucher_amount: Decimal | None, auto_renew: bool = False, at: datetime | None = None,
) -> PurchaseResult:
    """Buy `quantity` packs of one tier: the voucher pays first, then cash, income and gift.
    (`auto_renew` and `at`: a renewal of the lifecycle run buys packs that renew again, at the run's instant.)

    One transaction holds the client-id record (with the alerts' notices), the packs (each with its share of
    the payment), one ledger entry per wallet debited and the account's debit with its alerts, conditioned on
    the account's version (the alerts decided on the balance read) and each wallet still holding its part: a
    concurrent purchase cannot overdraw, and one that read a stale account reads again.
    """
    if not 1 <= quantity <= MAX_PACKS_PER_PURCHASE:
        raise InvalidField("quantity", f"must be 1 to {MAX_PACKS_PER_PURCHASE}")
    tier = pack_tier(billing_tag, size)
    price = tier.price * quantity
    voucher = ZERO if voucher_amount is None else voucher_amount
    if voucher > price:
        raise InvalidField("voucher_amount", f"{format_money(voucher)} is more than the price {format_money(price)}")
    claim = ClientIdClaim(stores, account_id, "purchase", "purchase_id", purchase_id,
                          {"billing_tag": billing_tag, "size": size, "quantity": quantity,
                           "voucher_amount": format_money(voucher), **({"auto_renew": True} if auto_renew else {})})
    if (record := claim.stored_record()) is not None:
        result = purchase_from_json(record.answer)
        _publish_delivered(stores, [view.pack for view in result.packs])
        publish_again(stores, record)
        return result

    def attempt() -> tuple[PurchaseResult, list[DomainEvent]]:
        account = get_account(stores, account_id)
        if not account.may_buy:
            raise AccountSuspended(account_id, account.status.value)
        payment = split_payment(price, voucher, account.wallets, account.balance)
        now = clock.now() if at is None else at
        today = billing_date(now, stores.zone)
        effective_from, expires_at = purchased_pack_validity(now, stores.zone)
        packs = [
            Pack(account_id=account_id, pack_id=time_ordered_id("pk", now), billing_tag=billing_tag,
                 origin=PackOrigin.PURCHASE, size=size, remaining=size, acquired_at=now,
                 effective_from=effective_from, expires_at=expires_at, purchase_id=purchase_id, paid=share,
                 deferred=share.from_wallets, auto_renew=auto_renew)
            for share in allocate_payment(payment, [tier.price] * quantity)
        ]
        result = PurchaseResult(tuple(view_pack(pack, account, now, stores.zone) for pack in packs), payment)
        alerts, events = money_alerts(stores, account, MoneyChange.PURCHASE, account.balance - payment.from_wallets,
                                      now, cause=purchase_id, spent=[(today, DaySpend(packs=payment.from_wallets))])
        try:
            stores.writer.commit([
                claim.item(purchase_to_json(result), events),
                *(stores.packs.add(pack, zone=stores.zone) for pack in packs),
                *(stores.ledger.add(entry) for entry in purchase_entries(account_id, purchase_id, packs, payment, now)),
                stores.accounts.debit(account, payment, alerts=alerts),
                *stores.books.book(account_id, purchase_bookings(packs, today)),
            ])
        except ClientIdTaken:
            winner = claim.record_of_the_winner()
            return purchase_from_json(winner.answer), [DomainEvent.from_json(text) for text in winner.events]
        return result, events

    result, events = retry_while_stale(account_id, attempt)
    _publish_delivered(stores, [view.pack for view in result.packs])
    if events:
        stores.events.publish(events)
    return result


def list_packs(stores: AccountStores, account_id: str, *, status: PackStatus | None) -> list[PackView]:
    """The account's packs in the order deduction takes them, as they stand now."""
    account = get_account(stores, account_id)
    now = clock.now()
    views = [view_pack(pack, account, now, stores.zone)
             for pack in in_deduction_order(stores.packs.list_for_account(account_id), stores.zone)]
    return [view for view in views if status is None or view.status is status]


# -- helpers


class ClientIdClaim:
    """A client id of one kind for one account, and the request it was (or will be) first used with."""

    def __init__(self, stores: AccountStores, account_id: str, kind: str, field: str, client_id: str,
                 request: dict[str, Any]):
        self._client_ids = stores.client_ids
        self._field = field
        self._client_id = client_id
        self.record_id = ClientIdRepository.record_id(account_id, kind, client_id)
        self.fingerprint = request_fingerprint(request)

    def stored_record(self) -> ClientIdRecord | None:
        """The first request's record if this id was used with the same request; None if it is new."""
        record = self._client_ids.find(self.record_id)
        if record is None:
            return None
        if record.fingerprint != self.fingerprint:
            raise IdempotencyKeyReused(self._field, self._client_id)
        return record

    def stored_answer(self) -> dict[str, Any] | None:
        record = self.stored_record()
        return None if record is None else record.answer

    def record_of_the_winner(self) -> ClientIdRecord:
        """After losing the race for the id to a concurrent request: its record (or the refusal)."""
        record = self.stored_record()
        if record is None:
            raise RuntimeError(f"client id {self.record_id} was taken but has no record")
        return record

    def answer_of_the_winner(self) -> dict[str, Any]:
        return self.record_of_the_winner().answer

    def item(self, answer: dict[str, Any], events: Sequence[DomainEvent] = ()) -> TransactionItem:
        """The claim as a transaction item, keeping the answer and the events the change will publish."""
        put = self._client_ids.put_transaction_item(self.record_id, self.fingerprint, answer,
                                                    [event.to_json() for event in events])
        return TransactionItem(put, lambda _old: ClientIdTaken(self.record_id))


def money_alerts(stores: AccountStores, account: Account, change: MoneyChange, balance: Decimal, now: datetime, *,
                 cause: str, spent: Sequence[tuple[date, DaySpend]] = ()) -> tuple[Alerts, list[DomainEvent]]:
    """The account's alerts after a write of `change` leaves its balance at `balance`, and the notices it sends
    (shared.alerts.rules): written and published with the write."""
    outcome = after_money_change(account.alerts, change=change, balance=balance,
                                 today=billing_date(now, stores.zone), spent=spent)
    return outcome.alerts, alert_events(account.account_id, now, outcome.notices, cause=cause)


def publish_again(stores: AccountStores, record: ClientIdRecord) -> None:
    """A replay publishes the first request's events again, under the same ids: their first publication (after
    the commit) may have been lost."""
    if record.events:
        stores.events.publish([DomainEvent.from_json(text) for text in record.events])


def _free_pack(account_id: str, grant: FreeQuotaGrant, now: datetime, zone: ZoneInfo) -> Pack:
    expired = now.astimezone(UTC) > grant.expires_at.astimezone(UTC)
    return Pack(
        account_id=account_id, pack_id=time_ordered_id("pk", now), billing_tag=grant.billing_tag,
        origin=PackOrigin.FREE_QUOTA, size=grant.size, remaining=grant.size, acquired_at=grant.valid_from,
        effective_from=billing_date(grant.valid_from, zone), expires_at=grant.expires_at,
        recorded_status=PackStatus.EXPIRED if expired else PackStatus.ACTIVE,
    )


def _publish_free_quota(
    stores: AccountStores, account_id: str, event_id: str, packs: Sequence[Pack], at: datetime
) -> None:
    # Packs born expired (an account activated over a year ago) are recorded, but announce nothing.
    granted = [pack for pack in packs if pack.recorded_status is PackStatus.ACTIVE]
    if not granted:
        return
    detail = {"packs": [pack_to_json(pack) for pack in granted]}
    try:
        stores.events.publish([DomainEvent(event_id, EventType.FREE_QUOTA_GRANTED, account_id, at, detail)])
    except Exception:
        # The grant has committed and a retry would only meet ACCOUNT_EXISTS / ALREADY_GRANTED: answer the
        # success and leave the lost notice to the alarm on this log line.
        logger.exception("free_quota_granted not published", extra={"event_id": event_id})


def _publish_delivered(stores: AccountStores, packs: Sequence[Pack]) -> None:
    stores.events.publish([
        DomainEvent(f"pack_delivered#{pack.pack_id}", EventType.PACK_DELIVERED, pack.account_id, pack.acquired_at,
                    {"pack": pack_to_json(pack)})
        for pack in packs
    ])
