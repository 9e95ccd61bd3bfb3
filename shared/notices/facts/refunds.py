"""The facts of a refund's notice: what went back to which wallet, and what the vouchers kept."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from shared.accounts.models import WALLET_ORDER, Wallet
from shared.notices.detail import Detail
from shared.notices.facts.packs import PackLabel, pack_label


class WalletShare(NamedTuple):
    wallet: Wallet
    amount: Decimal


class RefundCompleted(NamedTuple):
    refund_id: str | None
    pack: PackLabel
    pack_id: str | None  # names the pack when its label is unknown
    amount: Decimal | None
    shares: tuple[WalletShare, ...]  # only the wallets that get money back, in the order they paid
    vouchers_unstated: bool  # the detail does not say what vouchers paid: the text says none is returned
    voucher_kept: Decimal | None  # what vouchers paid and is not returned; None when nothing (or unstated)


def refund_completed(detail: Detail) -> RefundCompleted:
    to = detail.part("to")
    shares = tuple(WalletShare(wallet, share) for wallet in WALLET_ORDER
                   if (share := to.money(wallet)) is not None and share > 0)
    voucher = detail.money("voucher_not_returned")
    return RefundCompleted(refund_id=detail.text("refund_id"), pack=pack_label(detail), pack_id=detail.text("pack_id"),
                           amount=detail.money("amount"), shares=shares, vouchers_unstated=voucher is None,
                           voucher_kept=voucher if voucher is not None and voucher > 0 else None)
