"""What the arrears and refund tests share: the refunds function and the arrears-check job invoked with the events
API Gateway and EventBridge Scheduler send them, beside the API function (test_accounts_support), on moto's
copy of template.yaml; and an account put in arrears exactly as a settlement's charge leaves it. (Its own
tests, at the end, check the event builders.)"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.accounts.models import LedgerEntry, LedgerKind, Wallet
from shared.config import settings
from shared.store.codec import to_attributes
from shared.store.ledger import entry_to_item
from shared.store.transactions import sortable_instant
from tests.integration.test_accounts_support import OPERATOR_CONTEXT, BillingApi, FakeContext, billing_api
from tests.support import load_event


def refund_event(account_id: str, pack_id: str, body: Any) -> dict[str, Any]:
    """The REST proxy event of POST /v1/accounts/{account_id}/packs/{pack_id}/refund, past the authorizer."""
    event = copy.deepcopy(load_event("pack_refund_post.json"))
    path = f"/v1/accounts/{account_id}/packs/{pack_id}/refund"
    event.update(path=path, pathParameters={"account_id": account_id, "pack_id": pack_id},
                 body=body if isinstance(body, str) else json.dumps(body, ensure_ascii=False))
    event["requestContext"].update(path=f"/live{path}", authorizer=dict(OPERATOR_CONTEXT))
    return event


def schedule_event(at: datetime) -> dict[str, Any]:
    """The Input EventBridge Scheduler gives the arrears check firing at `at`."""
    event = load_event("arrears_check_schedule.json")
    event["scheduled_at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


@dataclass
class Arrears:
    """The API function (`api`), the refunds function and the arrears-check job, with one clock."""

    api: BillingApi

    def refund(self, account_id: str, pack_id: str, refund_id: str = "rf-1") -> tuple[int, Any]:
        return self.refund_request(account_id, pack_id, {"refund_id": refund_id})

    def refund_request(self, account_id: str, pack_id: str, body: Any) -> tuple[int, Any]:
        from functions.refunds.app import handler

        answer = handler(refund_event(account_id, pack_id, body), FakeContext())
        return answer["statusCode"], json.loads(answer["body"])

    def check(self, at: datetime | None = None) -> dict[str, Any]:
        """The arrears check firing at `at` (default: the clock's now), with the clock there too."""
        from functions.arrears.app import handler

        if at is not None:
            self.api.clock.instant = at
        return handler(schedule_event(self.api.clock.now()), FakeContext())

    def buy(self, account_id: str, purchase_id: str = "p-1", size: int = 1000, **fields: Any) -> dict[str, Any]:
        status, body = self.api.post(f"/v1/accounts/{account_id}/packs", {
            "purchase_id": purchase_id, "billing_tag": "enhanced_authority_wechat", "size": size, **fields})
        assert status == 201, body
        return body

    def put_in_arrears(self, account_id: str, charge: str, at: datetime) -> None:
        """A settlement at `at` charged `charge` from cash and left the balance below zero: what its
        transaction writes on the account (shared.store.settlements.SettlementAccounts.charge), and its ledger
        entry."""
        amount = Decimal(charge)
        suspend_at = at + timedelta(hours=24)
        self.api.dynamodb.transact_write_items(TransactItems=[
            {"Update": {
                "TableName": settings().accounts_table, "Key": to_attributes({"account_id": account_id}),
                "UpdateExpression": "SET balance = balance - :charge, wallets.cash = wallets.cash - :charge, "
                                    "version = version + :one, #status = :arrears, arrears_since = :since, "
                                    "suspend_at = :suspend_at, deadline_kind = :suspend, deadline_at = :suspend_at",
                "ConditionExpression": "balance < :charge",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_attributes({
                    ":charge": amount, ":one": 1, ":arrears": "arrears", ":since": sortable_instant(at),
                    ":suspend_at": sortable_instant(suspend_at), ":suspend": "suspend"}),
            }},
            {"Put": {"TableName": settings().ledger_table, "Item": to_attributes(entry_to_item(LedgerEntry(
                account_id, LedgerKind.POSTPAID_CHARGE, Wallet.CASH, -amount, at, f"bl_{account_id}_{at:%Y%m%d}")))}},
        ])

    def deadline(self, account_id: str) -> tuple[str | None, str | None, str | None]:
        """(deadline_kind, deadline_at, pending_notice) of the account's item."""
        item = self.api.account_item(account_id)
        return item.get("deadline_kind"), item.get("deadline_at"), item.get("pending_notice")


@contextmanager
def arrears_api(at: datetime) -> Iterator[Arrears]:
    with billing_api(at) as api:
        yield Arrears(api)


def test_a_refund_event_names_the_route_template_and_both_path_parameters():
    event = refund_event("globex", "pk_7", {"refund_id": "rf-9"})

    assert event["resource"] == event["requestContext"]["resourcePath"] == (
        "/v1/accounts/{account_id}/packs/{pack_id}/refund")
    assert event["path"] == "/v1/accounts/globex/packs/pk_7/refund"
    assert event["pathParameters"] == {"account_id": "globex", "pack_id": "pk_7"}
    assert json.loads(event["body"]) == {"refund_id": "rf-9"}


def test_a_schedule_event_carries_the_firing_instant_in_utc_as_the_scheduler_writes_it():
    event = schedule_event(datetime.fromisoformat("2026-03-03T00:05:00+08:00"))

    assert event == {"job": "arrears-check", "scheduled_at": "2026-03-02T16:05:00Z"}
