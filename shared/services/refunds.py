"""Refunding a pack (退费说明): what a bought, unused pack cost goes back to the cash, income and gift wallets
it came from, until 23:59:59 of the 7th day after its purchase day; a voucher is not returned.

One transaction holds the refund_id's record, the pack marked refunded (if it is still active and whole),
one ledger entry per wallet credited, the account's credit (if the account is as read) and, in the vendor's
books, the paid value given back. A settlement
drawing on the same pack conditions its write on the remaining calls it read, so of a refund and a
settlement racing for a pack exactly one commits; the loser reads again and decides again (a refund that
lost answers PACK_USED). A refund that brings the balance to zero or above ends the arrears, as a recharge
does, and the events (`refund_completed`, `restored`) are published after the commit.
"""

from __future__ import annotations

from shared import clock
from shared.accounts.errors import (
    ClientIdTaken,
    PackNotFound,
)
from shared.accounts.models import WALLET_ORDER, ZERO, LedgerEntry, LedgerKind, Pack, Wallets
from shared.alerts.rules import MoneyChange
from shared.arrears.models import RestoreCause
from shared.arrears.rules import credit
from shared.books.rules import refund_bookings
from shared.events import DomainEvent, EventType
from shared.pricing import billing_date, format_money
from shared.refunds.models import Refund, refund_from_json, refund_to_json, refunded_wallets_to_json
from shared.refunds.rules import refund_refusal
from shared.services.accounts import (
    AccountStores,
    ClientIdClaim,
    get_account,
    money_alerts,
    publish_again,
    retry_while_stale,
)


def refund_pack(stores: AccountStores, account_id: str, pack_id: str, *, refund_id: str) -> Refund:
    """Refund the pack, or raise the refusal of 退费说明 that applies; idempotent by refund_id."""
    claim = ClientIdClaim(stores, account_id, "refund", "refund_id", refund_id, {"pack_id": pack_id})
    if (record := claim.stored_record()) is not None:
        publish_again(stores, record)
        return refund_from_json(record.answer)

    def attempt() -> Refund:
        account = get_account(stores, account_id)
        pack = stores.packs.get(account_id, pack_id)
        if pack is None:
            raise PackNotFound(account_id, pack_id)
        now = clock.now()
        if (refusal := refund_refusal(pack, account, now, stores.zone)) is not None:
            raise refusal
        refund = Refund(refund_id, pack_id, _paid_from_wallets(pack), now)
        credits = {wallet: refund.to[wallet] for wallet in WALLET_ORDER if refund.to[wallet] > ZERO}
        done = credit(account, credits, cause=RestoreCause.REFUND, cause_id=refund_id, at=now)
        alerts, alert_notices = money_alerts(stores, account, MoneyChange.REFUND, done.after.balance, now,
                                             cause=refund_id)
        events = [_refund_completed(pack, refund), *([] if done.notice is None else [done.notice]), *alert_notices]
        details = {"pack_id": pack_id, "billing_tag": pack.billing_tag, "size": pack.size}
        entries = [LedgerEntry(account_id, LedgerKind.REFUND, wallet, amount, now, refund_id, details)
                   for wallet, amount in credits.items()]
        try:
            stores.writer.commit([
                claim.item(refund_to_json(refund), events),
                stores.packs.mark_refunded(pack, now),
                *(stores.ledger.add(entry) for entry in entries),
                stores.accounts.credit(account, credits, restoring=done.restored, alerts=alerts),
                *stores.books.book(account_id, refund_bookings(pack, billing_date(now, stores.zone))),
            ])
        except ClientIdTaken:
            return refund_from_json(claim.record_of_the_winner().answer)
        stores.events.publish(events)
        return refund

    return retry_while_stale(account_id, attempt)


def _paid_from_wallets(pack: Pack) -> Wallets:
    if pack.paid is None:
        raise RuntimeError(f"bought pack {pack.pack_id} has no record of what paid for it")
    return Wallets(cash=pack.paid.cash, income=pack.paid.income, gift=pack.paid.gift)


def _refund_completed(pack: Pack, refund: Refund) -> DomainEvent:
    voucher = ZERO if pack.paid is None else pack.paid.voucher
    return DomainEvent(
        f"refund_completed#{pack.pack_id}", EventType.REFUND_COMPLETED, pack.account_id, refund.refunded_at,
        {"refund_id": refund.refund_id, "pack_id": pack.pack_id, "billing_tag": pack.billing_tag, "size": pack.size,
         "amount": format_money(refund.amount),
         "to": refunded_wallets_to_json(refund),
         "voucher_not_returned": format_money(voucher)},
    )
