"""GET /v1/accounts/{account_id}/bills, .../bills/resources and .../bills/details: the API function on moto's
copy of template.yaml, with bills written as settlement writes them and money moved through the API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.api.app import handler
from infra.local.template import StackTemplate, load_template
from shared.accounts.models import LedgerKind, Wallet
from shared.auth.keys import KeyGrant, Scope, key_hash, new_api_key
from shared.auth.scopes import ACCOUNT_ROUTES
from shared.config import settings
from shared.settlement.models import Bill
from shared.store.api_keys import ApiKeyRepository
from shared.store.bills import BillRepository
from shared.store.ledger import LedgerRepository
from shared.store.transactions import TransactionWriter
from tests.bill_builders import daily_bill, entry, line, monthly_bill
from tests.integration.test_accounts_support import BillingApi, FakeContext, billing_api, proxy_event
from tests.support import REPO_ROOT

FACE = "enhanced_authority_wechat"
RISK = "face_risk_detection"
BILL_ROUTES = ["/v1/accounts/{account_id}/bills", "/v1/accounts/{account_id}/bills/resources",
               "/v1/accounts/{account_id}/bills/details"]


@dataclass(frozen=True)
class RawAnswer:
    status: int
    content_type: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def get(path: str, **query: str) -> RawAnswer:
    answer = handler(proxy_event("GET", path, query=query or None), FakeContext())
    headers = {name: values[0] for name, values in answer["multiValueHeaders"].items()}
    return RawAnswer(int(answer["statusCode"]), headers["Content-Type"], headers, answer["body"])


def store_bills(api: BillingApi, *bills: Bill) -> None:
    repository = BillRepository(api.dynamodb, settings().bills_table)
    TransactionWriter(api.dynamodb).commit([repository.add(bill) for bill in bills])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(at("2026-04-15T10:00:00+08:00")) as api:
        api.open_account("acme")
        yield api


@dataclass(frozen=True)
class MarchOfAcme:
    api: BillingApi
    pack_id: str


@pytest.fixture
def march() -> Iterator[MarchOfAcme]:
    """acme recharges and buys a pack in March, gets a refund, and uses the pack and postpaid on March's days,
    the last of them billed late, on an April bill; the clock then stands in mid-April."""
    with billing_api(at("2026-03-01T09:00:00+08:00")) as api:
        api.open_account("acme")
        api.recharge("acme", "r-1", "10000.00")
        api.clock.instant = at("2026-03-05T10:00:00+08:00")
        status, bought = api.post("/v1/accounts/acme/packs", {"purchase_id": "p-1", "billing_tag": FACE, "size": 1000})
        assert status == 201, bought
        pack_id = bought["packs"][0]["pack_id"]
        refund = entry(LedgerKind.REFUND, "rf-1", "50.00", "2026-03-06T11:00:00+08:00", billing_tag=FACE)
        TransactionWriter(api.dynamodb).commit([LedgerRepository(api.dynamodb, settings().ledger_table).add(refund)])
        store_bills(
            api,
            daily_bill("2026-03-10", line("2026-03-10", FACE, packs={pack_id: 800}),
                       line("2026-03-10", RISK, postpaid=143)),
            daily_bill("2026-04-02", line("2026-03-31", FACE, packs={pack_id: 200}, postpaid=5, late=True),
                       line("2026-04-02", RISK, postpaid=10)),
        )
        api.clock.instant = at("2026-04-15T10:00:00+08:00")
        yield MarchOfAcme(api, pack_id)


def csv_rows(answer: RawAnswer) -> tuple[list[str], list[dict[str, str]]]:
    assert answer.body.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(answer.body.removeprefix("\ufeff"), newline=""))
    return list(reader.fieldnames or []), list(reader)


def as_csv_cells(row: dict[str, Any]) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in row.items()}


# -- the bill list


def test_the_bill_list_shows_the_bills_of_the_last_31_days_by_default_oldest_first(api):
    store_bills(
        api,
        daily_bill("2026-03-15", line("2026-03-15", RISK, postpaid=1)),
        daily_bill("2026-03-16", line("2026-03-16", RISK, postpaid=1)),
        daily_bill("2026-04-14", line("2026-04-14", RISK, postpaid=1)),
    )

    answer = get("/v1/accounts/acme/bills")

    assert answer.status == 200, answer.body
    assert [bill["period_start"] for bill in answer.json()["bills"]] == ["2026-03-16", "2026-04-14"]


def test_a_bill_answers_money_as_strings_and_its_settlement_instant_in_plus_08_00(api):
    store_bills(api, daily_bill(
        "2026-04-01",
        line("2026-04-01", FACE, packs={"pk_a": 90, "pk_b": 10}, postpaid=5),
        line("2026-03-30", RISK, postpaid=143, late=True),
        settled_at="2026-04-01T16:00:07+00:00",
    ))

    [bill] = get("/v1/accounts/acme/bills", **{"from": "2026-04-01", "to": "2026-04-01"}).json()["bills"]

    assert bill == {
        "bill_id": "bl_acme_daily_2026-04-01",
        "cycle": "daily",
        "period_start": "2026-04-01",
        "period_end": "2026-04-01",
        "settled_at": "2026-04-02T00:00:07+08:00",
        "total_amount": "6.50",
        "lines": [
            {"usage_date": "2026-04-01", "billing_tag": FACE, "billable_calls": 105,
             "pack_deductions": [{"pack_id": "pk_a", "calls": 90}, {"pack_id": "pk_b", "calls": 10}],
             "postpaid_calls": 5, "unit_price": "1.2", "amount": "6.00", "late": False},
            {"usage_date": "2026-03-30", "billing_tag": RISK, "billable_calls": 143, "pack_deductions": [],
             "postpaid_calls": 143, "unit_price": "0.0035", "amount": "0.50", "late": True},
        ],
    }


def test_a_monthly_bill_is_listed_when_its_period_overlaps_the_range(api):
    store_bills(api, monthly_bill("2026-02-01", "2026-02-28", "2026-03-01T00:00:05+08:00",
                                  line("2026-02-10", RISK, postpaid=1)))

    overlapping = get("/v1/accounts/acme/bills", **{"from": "2026-02-28", "to": "2026-03-05"}).json()["bills"]
    after = get("/v1/accounts/acme/bills", **{"from": "2026-03-01", "to": "2026-03-05"}).json()["bills"]

    assert [bill["cycle"] for bill in overlapping] == ["monthly"]
    assert after == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"from": "2024-12-31", "to": "2026-01-01"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
    ],
)
def test_a_bad_range_is_a_validation_error_on_its_field(api, query, field):
    answer = get("/v1/accounts/acme/bills", **query)

    assert answer.status == 400
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in answer.json()["error"]["details"]] == [field]


@pytest.mark.parametrize("path", ["/v1/accounts/nobody/bills", "/v1/accounts/nobody/bills/resources",
                                  "/v1/accounts/nobody/bills/details"])
def test_the_bills_of_an_unknown_account_are_not_found(api, path):
    answer = get(path)

    assert answer.status == 404
    assert answer.json()["error"]["code"] == "NOT_FOUND"


# -- the 资源 ID 账单


def test_the_resource_bill_counts_each_pack_and_each_tags_postpaid_use_of_the_months_days(march):
    answer = get("/v1/accounts/acme/bills/resources", month="2026-03")

    assert answer.status == 200, answer.body
    assert answer.content_type == "application/json"
    assert answer.json() == {
        "month": "2026-03",
        "rows": [
            {"resource_id": march.pack_id, "billing_tag": FACE, "billing_mode": "prepaid", "calls": 1000,
             "amount": "0.00"},
            {"resource_id": f"postpaid:{FACE}", "billing_tag": FACE, "billing_mode": "postpaid", "calls": 5,
             "amount": "6.00"},
            {"resource_id": f"postpaid:{RISK}", "billing_tag": RISK, "billing_mode": "postpaid", "calls": 143,
             "amount": "0.50"},
        ],
    }


def test_the_resource_bill_is_of_the_current_month_by_default(march):
    answer = get("/v1/accounts/acme/bills/resources").json()

    assert answer == {"month": "2026-04", "rows": [
        {"resource_id": f"postpaid:{RISK}", "billing_tag": RISK, "billing_mode": "postpaid", "calls": 10,
         "amount": "0.04"},
    ]}


def test_the_resource_bill_as_csv_has_a_bom_a_header_and_the_same_rows_as_the_json(march):
    as_json = get("/v1/accounts/acme/bills/resources", month="2026-03").json()

    answer = get("/v1/accounts/acme/bills/resources", month="2026-03", format="csv")

    assert answer.status == 200
    assert answer.content_type == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="acme-resources-2026-03.csv"'
    header, rows = csv_rows(answer)
    assert header == ["resource_id", "billing_tag", "billing_mode", "calls", "amount"]
    assert rows == [as_csv_cells(row) for row in as_json["rows"]]


# -- the 明细账单


def test_the_detail_bill_shows_every_charge_and_money_movement_of_the_month_in_time_order(march):
    answer = get("/v1/accounts/acme/bills/details", month="2026-03")

    assert answer.status == 200, answer.body
    assert answer.json() == {
        "month": "2026-03",
        "rows": [
            {"at": "2026-03-01T09:00:00+08:00", "transaction_type": "recharge", "resource_id": "r-1",
             "billing_tag": None, "unit_price": None, "calls": None, "amount": "-10000.00", "voucher_amount": None,
             "usage_date": None},
            {"at": "2026-03-05T10:00:00+08:00", "transaction_type": "pack_purchase", "resource_id": "p-1",
             "billing_tag": FACE, "unit_price": None, "calls": 1000, "amount": "1150.00", "voucher_amount": "0.00",
             "usage_date": None},
            {"at": "2026-03-06T11:00:00+08:00", "transaction_type": "refund", "resource_id": "rf-1",
             "billing_tag": FACE, "unit_price": None, "calls": None, "amount": "-50.00", "voucher_amount": None,
             "usage_date": None},
            {"at": "2026-03-11T00:00:05+08:00", "transaction_type": "pack_deduction", "resource_id": march.pack_id,
             "billing_tag": FACE, "unit_price": None, "calls": 800, "amount": "0.00", "voucher_amount": None,
             "usage_date": "2026-03-10"},
            {"at": "2026-03-11T00:00:05+08:00", "transaction_type": "postpaid_usage", "resource_id": f"postpaid:{RISK}",
             "billing_tag": RISK, "unit_price": "0.0035", "calls": 143, "amount": "0.50", "voucher_amount": None,
             "usage_date": "2026-03-10"},
            {"at": "2026-04-03T00:00:05+08:00", "transaction_type": "pack_deduction", "resource_id": march.pack_id,
             "billing_tag": FACE, "unit_price": None, "calls": 200, "amount": "0.00", "voucher_amount": None,
             "usage_date": "2026-03-31"},
            {"at": "2026-04-03T00:00:05+08:00", "transaction_type": "postpaid_usage", "resource_id": f"postpaid:{FACE}",
             "billing_tag": FACE, "unit_price": "1.2", "calls": 5, "amount": "6.00", "voucher_amount": None,
             "usage_date": "2026-03-31"},
        ],
    }


def test_the_detail_bill_as_csv_has_a_bom_a_header_and_the_same_rows_as_the_json(march):
    as_json = get("/v1/accounts/acme/bills/details", month="2026-03").json()

    answer = get("/v1/accounts/acme/bills/details", month="2026-03", format="csv")

    assert answer.status == 200
    assert answer.content_type == "text/csv; charset=utf-8"
    header, rows = csv_rows(answer)
    assert header == ["at", "transaction_type", "resource_id", "billing_tag", "unit_price", "calls", "amount",
                      "voucher_amount", "usage_date"]
    assert rows == [as_csv_cells(row) for row in as_json["rows"]]
    assert answer.body.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_the_detail_bill_filters_by_transaction_type_and_billing_tag(march):
    postpaid = get("/v1/accounts/acme/bills/details", month="2026-03", transaction_type="postpaid_usage").json()
    risk = get("/v1/accounts/acme/bills/details", month="2026-03", billing_tag=RISK).json()
    face_as_csv = get("/v1/accounts/acme/bills/details", month="2026-03", billing_tag=FACE, format="csv")

    assert [row["resource_id"] for row in postpaid["rows"]] == [f"postpaid:{RISK}", f"postpaid:{FACE}"]
    assert [row["transaction_type"] for row in risk["rows"]] == ["postpaid_usage"]
    assert [row["transaction_type"] for row in csv_rows(face_as_csv)[1]] == [
        "pack_purchase", "refund", "pack_deduction", "pack_deduction", "postpaid_usage"]


def test_money_moved_at_23_59_59_on_the_31st_is_in_the_month_and_at_00_00_on_the_1st_in_the_next(api):
    api.clock.instant = at("2026-03-31T23:59:59+08:00")
    api.recharge("acme", "r-last-second-of-march", "1.00")
    api.clock.instant = at("2026-04-01T00:00:00+08:00")
    api.recharge("acme", "r-first-second-of-april", "2.00")

    march = get("/v1/accounts/acme/bills/details", month="2026-03").json()["rows"]
    april = get("/v1/accounts/acme/bills/details", month="2026-04").json()["rows"]

    assert [row["resource_id"] for row in march] == ["r-last-second-of-march"]
    assert [row["resource_id"] for row in april] == ["r-first-second-of-april"]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/v1/accounts/acme/bills/details", {"month": "2026-13"}, "month"),
        ("/v1/accounts/acme/bills/details", {"month": "2026-3"}, "month"),
        ("/v1/accounts/acme/bills/resources", {"month": "March"}, "month"),
        ("/v1/accounts/acme/bills/resources", {"month": "0000-01"}, "month"),
        ("/v1/accounts/acme/bills/resources", {"month": "1969-12"}, "month"),
        ("/v1/accounts/acme/bills/details", {"month": "9999-12"}, "month"),
        ("/v1/accounts/acme/bills/details", {"transaction_type": "postpaid_charge"}, "transaction_type"),
        ("/v1/accounts/acme/bills/details", {"billing_tag": "no_such_tag"}, "billing_tag"),
        ("/v1/accounts/acme/bills/resources", {"format": "xlsx"}, "format"),
    ],
)
def test_bad_parameters_of_the_monthly_bills_are_validation_errors_on_their_field(api, path, query, field):
    answer = get(path, **query)

    assert answer.status == 400
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in answer.json()["error"]["details"]] == [field]


def test_a_purchase_paid_from_two_wallets_is_one_row_of_the_whole_amount_and_the_calls_bought(api):
    ledger = LedgerRepository(api.dynamodb, settings().ledger_table)
    details = {"billing_tag": FACE, "size": 1000, "quantity": 2, "pack_ids": ["pk_1", "pk_2"]}
    TransactionWriter(api.dynamodb).commit([
        ledger.add(entry(LedgerKind.PACK_PURCHASE, "p-2", "-2000.00", "2026-04-10T08:00:00+08:00", **details)),
        ledger.add(entry(LedgerKind.PACK_PURCHASE, "p-2", "-300.00", "2026-04-10T08:00:00+08:00",
                         wallet=Wallet.GIFT, **details)),
    ])

    rows = get("/v1/accounts/acme/bills/details", month="2026-04", transaction_type="pack_purchase").json()["rows"]

    assert [(row["resource_id"], row["calls"], row["amount"]) for row in rows] == [("p-2", 2000, "2300.00")]


# -- who may read them


def test_every_bill_route_is_an_account_route_of_the_template():
    template = StackTemplate(REPO_ROOT / "template.yaml", load_template(REPO_ROOT / "template.yaml"))
    routes = {(route.method.upper(), route.path) for route in template.api_routes()}

    for path in BILL_ROUTES:
        assert ("GET", path) in routes
        assert ("GET", path) in ACCOUNT_ROUTES


@pytest.mark.parametrize("resource", BILL_ROUTES)
def test_an_account_key_reads_its_own_bills_and_is_denied_another_accounts(api, resource):
    import functions.authorizer.app as authorizer

    key = new_api_key()
    ApiKeyRepository(api.dynamodb, settings().api_keys_table).add(
        key_hash(key), KeyGrant(Scope.ACCOUNT, "acme"), datetime(2026, 1, 1, tzinfo=UTC))

    def effect(account_id: str) -> str:
        path = resource.replace("{account_id}", account_id)
        event = {
            "type": "REQUEST", "resource": resource, "path": path, "httpMethod": "GET",
            "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:abc123/live/GET{path}",
            "headers": {"Authorization": f"Bearer {key}"}, "pathParameters": {"account_id": account_id},
            "requestContext": {"resourcePath": resource, "httpMethod": "GET"},
        }
        return authorizer.handler(event, FakeContext())["policyDocument"]["Statement"][0]["Effect"]

    assert effect("acme") == "Allow"
    assert effect("globex") == "Deny"
