"""The pack-lifecycle job through the local stack: the clock passing 00:00 expires what has ended."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from infra.local.stack import LocalStack
from shared.pricing import billing_date, start_of_billing_day
from shared.store.codec import from_attributes, to_attributes
from tests.support import HttpClient


def test_the_first_00_00_after_a_pack_s_last_valid_instant_expires_it_with_its_breakage(
        operator: HttpClient, local_stack: LocalStack):
    operator.post("/v1/accounts", {"account_id": "life-acme", "contacts": {}})
    gift = operator.post("/v1/accounts/life-acme/grants", {"grant_id": "life-g1", "billing_tag": "phone_2e",
                                                           "size": 500, "valid_days": 1}).json()["pack"]
    expires_at = datetime.fromisoformat(gift["expires_at"])
    midnight = start_of_billing_day(billing_date(expires_at, ZoneInfo("Asia/Shanghai")) + timedelta(days=1),
                                    ZoneInfo("Asia/Shanghai"))
    # Straight to a minute before that 00:00 (the jobs in between do not matter here), then through it.
    operator.post("/_local/clock", {"now": (midnight - timedelta(minutes=1)).isoformat(), "fire": False})

    moved = operator.post("/_local/clock", {"advance": "PT2M"}).json()

    assert {"job": "pack-lifecycle", "at": midnight.isoformat(), "ok": True} in moved["runs"]
    expired = operator.get("/v1/accounts/life-acme/packs?status=expired").json()["packs"]
    assert [pack["pack_id"] for pack in expired] == [gift["pack_id"]]
    dynamodb = local_stack.aws.client("dynamodb")
    recorded = from_attributes(dynamodb.get_item(
        TableName="PacksTable", Key=to_attributes({"account_id": "life-acme", "pack_id": gift["pack_id"]}))["Item"])
    assert (recorded["status"], "expiry_date" in recorded) == ("expired", False)
    ledger = dynamodb.query(TableName="LedgerTable", KeyConditionExpression="account_id = :a",
                            ExpressionAttributeValues=to_attributes({":a": "life-acme"}))["Items"]
    assert [(entry["kind"], entry["calls"]) for entry in map(from_attributes, ledger)] == [("pack_breakage", 500)]
