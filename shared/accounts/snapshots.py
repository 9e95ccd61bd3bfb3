"""Domain results as JSON-safe dicts and back: the answers stored with client ids (a replay answers
exactly what the first request answered) and the details of domain events. Money is a string."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.accounts.models import (
    WALLET_ORDER,
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
from shared.alerts.records import alerts_from_record, alerts_record
from shared.instants import format_instant, parse_instant
from shared.pricing import SettlementCycle, format_money


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
        "auto_renew": pack.auto_renew,
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
        auto_renew=values.get("auto_renew", False),
    )


def pack_view_to_json(view: PackView) -> dict[str, Any]:
    return {"pack": pack_to_json(view.pack), "status": view.status.value, "refundable": view.refundable}


def pack_view_from_json(values: dict[str, Any]) -> PackView:
    return PackView(pack_from_json(values["pack"]), PackStatus(values["status"]), values["refundable"])


def purchase_to_json(result: PurchaseResult) -> dict[str, Any]:
    return {"packs": [pack_view_to_json(view) for view in result.packs], "paid": payment_to_json(result.paid)}


def purchase_from_json(values: dict[str, Any]) -> PurchaseResult:
    return PurchaseResult(tuple(pack_view_from_json(v) for v in values["packs"]), payment_from_json(values["paid"]))


def account_record(account: Account, *, money: Callable[[Decimal], Any], instant: Callable[[datetime], Any]
                   ) -> dict[str, Any]:
    """The account's fields as one record, money and instants spelt by `money` and `instant`: the one mapping
    of an account, for the JSON of stored answers (account_to_json) and the Accounts table's item
    (shared.store.accounts, which adds its index keys)."""
    def optional(value: datetime | None) -> Any:
        return None if value is None else instant(value)

    return {
        "account_id": account.account_id,
        "status": account.status.value,
        "suspension_reason": None if account.suspension_reason is None else account.suspension_reason.value,
        "settlement_cycle": account.settlement_cycle.value,
        "postpaid_enabled": account.postpaid_enabled,
        "balance": money(account.balance),
        "wallets": {wallet.value: money(account.wallets[wallet]) for wallet in WALLET_ORDER},
        "contacts": {"email": account.contacts.email, "phone": account.contacts.phone},
        "locale": account.locale.value,
        "daily_report": account.daily_report,
        "activated_at": instant(account.activated_at),
        "created_at": instant(account.created_at),
        "arrears_since": optional(account.arrears_since),
        "suspend_at": optional(account.suspend_at),
        "release_at": optional(account.release_at),
        "released_at": optional(account.released_at),
        "eid_granted_at": optional(account.eid_granted_at),
        **alerts_record(account.alerts, money=money),
        "version": account.version,
    }


def account_from_record(values: Mapping[str, Any], *, instant: Callable[[str], datetime]) -> Account:
    """The account of an account_record (money as Decimal or its text; instants read by `instant`). A field an
    older record lacks takes its default."""
    wallets = values.get("wallets") or {}
    contacts = values.get("contacts") or {}
    reason = values.get("suspension_reason")

    def optional(name: str) -> datetime | None:
        text = values.get(name)
        return None if text is None else instant(text)

    return Account(
        account_id=values["account_id"],
        status=AccountStatus(values["status"]),
        suspension_reason=None if reason is None else SuspensionReason(reason),
        settlement_cycle=SettlementCycle(values["settlement_cycle"]),
        postpaid_enabled=values.get("postpaid_enabled", True),
        balance=Decimal(values.get("balance", 0)),
        wallets=Wallets(**{wallet.value: Decimal(wallets.get(wallet.value, 0)) for wallet in WALLET_ORDER}),
        contacts=Contacts(email=contacts.get("email"), phone=contacts.get("phone")),
        locale=Locale(values.get("locale", Locale.ZH_CN.value)),
        daily_report=values.get("daily_report", False),
        activated_at=instant(values["activated_at"]),
        created_at=instant(values["created_at"]),
        arrears_since=optional("arrears_since"),
        suspend_at=optional("suspend_at"),
        release_at=optional("release_at"),
        released_at=optional("released_at"),
        eid_granted_at=optional("eid_granted_at"),
        alerts=alerts_from_record(values),
        version=int(values.get("version", 0)),
    )


def account_to_json(account: Account) -> dict[str, Any]:
    return account_record(account, money=_money, instant=format_instant)


def account_from_json(values: dict[str, Any]) -> Account:
    return account_from_record(values, instant=parse_instant)
