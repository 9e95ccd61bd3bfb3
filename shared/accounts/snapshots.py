"""Domain results as JSON-safe dicts and back: the answers stored with client ids (a replay answers
exactly what the first request answered) and the details of domain events. Money is a string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.accounts.models import (
    Account,
    AccountStatus,
    Contacts,
    Locale,
    Pack,
    PackOrigin,
    PackStatus,
    PackView,
    Payment,
    PurchaseResult,
    SuspensionReason,
    Wallets,
)
from shared.instants import format_instant, parse_instant
from shared.pricing import SettlementCycle, format_money


def _instant(value: datetime | None) -> str | None:
    return None if value is None else format_instant(value)


def _parse_instant(value: str | None) -> datetime | None:
    return None if value is None else parse_instant(value)


def _money(value: Decimal) -> str:
    return format_money(value)


def payment_to_json(payment: Payment) -> dict[str, str]:
    return {source: _money(getattr(payment, source)) for source in ("cash", "income", "gift", "voucher")}


def payment_from_json(values: dict[str, str]) -> Payment:
    return Payment(**{source: Decimal(values[source]) for source in ("cash", "income", "gift", "voucher")})


def pack_to_json(pack: Pack) -> dict[str, Any]:
    return {
        "account_id": pack.account_id,
        "pack_id": pack.pack_id,
        "billing_tag": pack.billing_tag,
        "origin": pack.origin.value,
        "size": pack.size,
        "remaining": pack.remaining,
        "acquired_at": format_instant(pack.acquired_at),
        "effective_from": pack.effective_from.isoformat(),
        "expires_at": format_instant(pack.expires_at),
        "recorded_status": pack.recorded_status.value,
        "purchase_id": pack.purchase_id,
        "grant_id": pack.grant_id,
        "paid": None if pack.paid is None else payment_to_json(pack.paid),
    }


def pack_from_json(values: dict[str, Any]) -> Pack:
    return Pack(
        account_id=values["account_id"],
        pack_id=values["pack_id"],
        billing_tag=values["billing_tag"],
        origin=PackOrigin(values["origin"]),
        size=values["size"],
        remaining=values["remaining"],
        acquired_at=parse_instant(values["acquired_at"]),
        effective_from=date.fromisoformat(values["effective_from"]),
        expires_at=parse_instant(values["expires_at"]),
        recorded_status=PackStatus(values["recorded_status"]),
        purchase_id=values.get("purchase_id"),
        grant_id=values.get("grant_id"),
        paid=None if values.get("paid") is None else payment_from_json(values["paid"]),
    )


def pack_view_to_json(view: PackView) -> dict[str, Any]:
    return {"pack": pack_to_json(view.pack), "status": view.status.value, "refundable": view.refundable}


def pack_view_from_json(values: dict[str, Any]) -> PackView:
    return PackView(pack_from_json(values["pack"]), PackStatus(values["status"]), values["refundable"])


def purchase_to_json(result: PurchaseResult) -> dict[str, Any]:
    return {"packs": [pack_view_to_json(view) for view in result.packs], "paid": payment_to_json(result.paid)}


def purchase_from_json(values: dict[str, Any]) -> PurchaseResult:
    return PurchaseResult(tuple(pack_view_from_json(v) for v in values["packs"]), payment_from_json(values["paid"]))


def account_to_json(account: Account) -> dict[str, Any]:
    return {
        "account_id": account.account_id,
        "status": account.status.value,
        "suspension_reason": None if account.suspension_reason is None else account.suspension_reason.value,
        "settlement_cycle": account.settlement_cycle.value,
        "postpaid_enabled": account.postpaid_enabled,
        "balance": _money(account.balance),
        "wallets": {"cash": _money(account.wallets.cash), "income": _money(account.wallets.income),
                    "gift": _money(account.wallets.gift)},
        "contacts": {"email": account.contacts.email, "phone": account.contacts.phone},
        "locale": account.locale.value,
        "daily_report": account.daily_report,
        "activated_at": format_instant(account.activated_at),
        "created_at": format_instant(account.created_at),
        "arrears_since": _instant(account.arrears_since),
        "suspend_at": _instant(account.suspend_at),
        "release_at": _instant(account.release_at),
        "released_at": _instant(account.released_at),
        "eid_granted_at": _instant(account.eid_granted_at),
        "version": account.version,
    }


def account_from_json(values: dict[str, Any]) -> Account:
    wallets = values["wallets"]
    reason = values["suspension_reason"]
    return Account(
        account_id=values["account_id"],
        status=AccountStatus(values["status"]),
        suspension_reason=None if reason is None else SuspensionReason(reason),
        settlement_cycle=SettlementCycle(values["settlement_cycle"]),
        postpaid_enabled=values["postpaid_enabled"],
        balance=Decimal(values["balance"]),
        wallets=Wallets(Decimal(wallets["cash"]), Decimal(wallets["income"]), Decimal(wallets["gift"])),
        contacts=Contacts(**values["contacts"]),
        locale=Locale(values["locale"]),
        daily_report=values["daily_report"],
        activated_at=parse_instant(values["activated_at"]),
        created_at=parse_instant(values["created_at"]),
        arrears_since=_parse_instant(values.get("arrears_since")),
        suspend_at=_parse_instant(values.get("suspend_at")),
        release_at=_parse_instant(values.get("release_at")),
        released_at=_parse_instant(values.get("released_at")),
        eid_granted_at=_parse_instant(values.get("eid_granted_at")),
        version=values.get("version", 0),
    )
