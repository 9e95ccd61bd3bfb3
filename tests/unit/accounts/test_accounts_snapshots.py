"""Stored first answers and event details survive the trip to JSON and back unchanged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

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
from shared.accounts.snapshots import account_from_json, account_to_json, purchase_from_json, purchase_to_json
from shared.pricing import SettlementCycle

AT = datetime.fromisoformat("2026-03-02T10:00:00.123456+08:00")


def test_an_account_round_trips_through_json():
    account = Account(
        account_id="acme", status=AccountStatus.SUSPENDED, suspension_reason=SuspensionReason.VIOLATION,
        settlement_cycle=SettlementCycle.MONTHLY, postpaid_enabled=False, balance=Decimal("10.50"),
        wallets=Wallets(Decimal("10.50"), Decimal("0"), Decimal("0")), contacts=Contacts(email="a@b.cn"),
        locale=Locale.EN, daily_report=True, activated_at=AT, created_at=AT, arrears_since=AT, version=7,
    )

    text = json.dumps(account_to_json(account))

    assert account_from_json(json.loads(text)) == account
    assert json.loads(text)["balance"] == "10.50"


def test_a_purchase_round_trips_through_json_with_money_as_strings():
    pack = Pack(
        account_id="acme", pack_id="pk_1", billing_tag="basic_authority", origin=PackOrigin.PURCHASE, size=1000,
        remaining=1000, acquired_at=AT, effective_from=date(2026, 3, 2),
        expires_at=datetime.fromisoformat("2027-03-02T23:59:59+08:00"), purchase_id="p-1",
        paid=Payment(cash=Decimal("500"), voucher=Decimal("0.01")),
    )
    result = PurchaseResult((PackView(pack, PackStatus.ACTIVE, True), PackView(replace(pack, pack_id="pk_2"),
                                                                                PackStatus.ACTIVE, True)),
                            Payment(cash=Decimal("1000"), voucher=Decimal("0.02")))

    stored = json.loads(json.dumps(purchase_to_json(result)))

    assert purchase_from_json(stored) == result
    assert stored["paid"] == {"cash": "1000.00", "income": "0.00", "gift": "0.00", "voucher": "0.02"}
