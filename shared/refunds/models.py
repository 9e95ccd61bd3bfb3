"""A refund: what one pack gave back, to which wallets. Money is Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.accounts.models import WALLET_ORDER, Wallets
from shared.instants import format_instant, parse_instant
from shared.pricing import format_money


@dataclass(frozen=True)
class Refund:
    refund_id: str
    pack_id: str
    to: Wallets  # what went back to each wallet: what each paid for the pack (vouchers are not returned)
    refunded_at: datetime

    @property
    def amount(self) -> Decimal:
        return self.to.total


def refund_to_json(refund: Refund) -> dict[str, Any]:
    return {"refund_id": refund.refund_id, "pack_id": refund.pack_id, "to": refunded_wallets_to_json(refund),
            "refunded_at": format_instant(refund.refunded_at)}


def refunded_wallets_to_json(refund: Refund) -> dict[str, str]:
    return {wallet.value: format_money(refund.to[wallet]) for wallet in WALLET_ORDER}


def refund_from_json(values: dict[str, Any]) -> Refund:
    return Refund(values["refund_id"], values["pack_id"],
                  Wallets(**{wallet.value: Decimal(values["to"][wallet.value]) for wallet in WALLET_ORDER}),
                  parse_instant(values["refunded_at"]))
