"""Pure rules of accounts and packs: who pays for a purchase, what a pack's status is, what may be refunded.

No I/O: the service loads what these need and stores what they decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from shared.accounts.errors import InsufficientBalance, NoPacksForTag
from shared.accounts.models import (
    WALLET_ORDER,
    ZERO,
    LedgerEntry,
    LedgerKind,
    Pack,
    PackStatus,
    Payment,
    Wallet,
    Wallets,
)
from shared.pricing import PackTier, get_tag
from shared.refusals import InvalidField

_PERCENT_STEP = Decimal("0.1")


def pack_tier(billing_tag: str, size: int) -> PackTier:
    """The tier a purchase names; a postpaid-only tag is a business refusal, an unknown size a bad request."""
    tag = get_tag(billing_tag)
    if tag.postpaid_only:
        raise NoPacksForTag(billing_tag)
    tier = tag.tier(size)
    if tier is None:
        sizes = ", ".join(str(t.size) for t in tag.packs)
        raise InvalidField("size", f"{size} is not a pack size of {billing_tag}; sizes: {sizes}")
    return tier


def split_payment(price: Decimal, voucher: Decimal, wallets: Wallets, balance: Decimal) -> Payment:
    """Who pays `price`: the voucher first, then cash, income and gift, in that order.

    A wallet pays only what it holds above zero, and the wallets together never more than the balance
    holds above zero: a purchase never takes a balance (or a wallet) below zero.
    """
    if voucher < ZERO:
        raise InvalidField("voucher_amount", "must not be negative")
    if voucher > price:
        raise InvalidField("voucher_amount", f"{voucher} is more than the price {price}")
    due = price - voucher
    spendable = max(ZERO, balance)
    takes = {}
    for wallet in WALLET_ORDER:
        take = min(due, max(ZERO, wallets[wallet]), spendable)
        takes[wallet.value] = take
        due -= take
        spendable -= take
    if due > ZERO:
        raise InsufficientBalance(due)
    return Payment(voucher=voucher, **takes)


def allocate_payment(payment: Payment, prices: Sequence[Decimal]) -> tuple[Payment, ...]:
    """Split a purchase's payment over its packs, pack by pack, taking voucher, cash, income, gift in turn:
    each pack's split sums to its price and the splits sum to the payment exactly (a refund gives back
    what that one pack cost, to the wallets it came from)."""
    if sum(prices, ZERO) != payment.total:
        raise ValueError(f"the prices sum to {sum(prices, ZERO)}, the payment to {payment.total}")
    sources = ("voucher", "cash", "income", "gift")
    left = {source: getattr(payment, source) for source in sources}
    splits = []
    for price in prices:
        due = price
        parts = {}
        for source in sources:
            take = min(due, left[source])
            parts[source] = take
            left[source] -= take
            due -= take
        splits.append(Payment(**parts))
    return tuple(splits)


def purchase_entries(account_id: str, purchase_id: str, packs: Sequence[Pack], payment: Payment,
                     at: datetime) -> list[LedgerEntry]:
    """The ledger entries of a purchase: one per wallet debited, and the cash one always, carrying the voucher
    part, so a purchase paid wholly by voucher is in the ledger (and the 明细账单) too."""
    details = {"billing_tag": packs[0].billing_tag, "size": packs[0].size, "quantity": len(packs),
               "pack_ids": [pack.pack_id for pack in packs]}
    return [
        LedgerEntry(account_id, LedgerKind.PACK_PURCHASE, wallet, ZERO - payment.from_wallet(wallet), at, purchase_id,
                    {**details, "voucher_amount": payment.voucher} if wallet is Wallet.CASH else details)
        for wallet in WALLET_ORDER if wallet is Wallet.CASH or payment.from_wallet(wallet) > ZERO
    ]


def pack_status(pack: Pack, now: datetime) -> PackStatus:
    """refunded > expired > exhausted > active, at the instant `now`."""
    if pack.recorded_status is PackStatus.REFUNDED:
        return PackStatus.REFUNDED
    if pack.recorded_status is PackStatus.EXPIRED or now.astimezone(UTC) > pack.expires_at.astimezone(UTC):
        return PackStatus.EXPIRED
    if pack.remaining == 0:
        return PackStatus.EXHAUSTED
    return PackStatus.ACTIVE


def used_percent(pack: Pack) -> Decimal:
    """Share of the pack used, in percent with one decimal, rounded half-up (12.5)."""
    return (Decimal(pack.used) * 100 / Decimal(pack.size)).quantize(_PERCENT_STEP, rounding=ROUND_HALF_UP)


def in_deduction_order(packs: Iterable[Pack], zone: ZoneInfo) -> list[Pack]:
    """Gifted first, then the first to expire, then the older, then the smaller id (shared.pricing's rank)."""
    return sorted(packs, key=lambda pack: pack.balance(zone).deduction_rank())


