"""GET /v1/accounts/{account_id}/usage/daily: the API function on moto's copy of template.yaml, over usage
counters written as the Calls stream's aggregator writes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from itertools import count

import pytest

from shared.auth.scopes import ACCOUNT_ROUTES
from shared.config import settings
from shared.store.usage import CounterDelta, CounterKey, UsageRepository, sequence_mark
from tests.integration.test_accounts_support import BillingApi, billing_api

FACE = "enhanced_authority_wechat"
RISK = "face_risk_detection"
ROUTE = "/v1/accounts/{account_id}/usage/daily"


@pytest.fixture
def api() -> Iterator[BillingApi]:
    with billing_api(datetime.fromisoformat("2026-03-10T10:00:00+08:00")) as api:
        api.open_account("acme")
        yield api


_sequence = count(1)


def add_calls(api: BillingApi, day: str, tag: str, calls: int, billable: int) -> None:
    key = CounterKey("acme", date.fromisoformat(day), tag)
    usage = UsageRepository(api.dynamodb, settings().usage_table)
    applied = usage.apply(CounterDelta(key, calls=calls, billable=billable, unclassified=0,
                                       by_return_code={"0": billable, "1": calls - billable},
                                       marks={"0": sequence_mark(next(_sequence))},
                                       expected={"0": usage.marks_of(key).get("0")}))
    assert applied


def test_the_series_covers_the_last_30_days_by_default_with_every_day_in_it(api):
    add_calls(api, "2026-02-08", FACE, 7, 7)  # a day before the range
    add_calls(api, "2026-02-09", FACE, 3, 2)
    add_calls(api, "2026-03-10", RISK, 5, 5)

    status, body = api.get("/v1/accounts/acme/usage/daily")

    assert status == 200, body
    days = body["days"]
    assert len(days) == 30
    assert days[0] == {"date": "2026-02-09", "calls": 3, "billable_calls": 2,
                       "tags": [{"billing_tag": FACE, "calls": 3, "billable_calls": 2}]}
    assert days[1] == {"date": "2026-02-10", "calls": 0, "billable_calls": 0, "tags": []}
    assert days[-1]["date"] == "2026-03-10" and days[-1]["billable_calls"] == 5


def test_a_range_is_both_days_included_and_sums_the_tags_of_each_day(api):
    add_calls(api, "2026-03-01", FACE, 4, 4)
    add_calls(api, "2026-03-01", RISK, 10, 6)
    add_calls(api, "2026-03-03", FACE, 1, 1)

    status, body = api.get("/v1/accounts/acme/usage/daily", **{"from": "2026-03-01", "to": "2026-03-02"})

    assert status == 200, body
    assert [(d["date"], d["calls"], d["billable_calls"]) for d in body["days"]] == [
        ("2026-03-01", 14, 10), ("2026-03-02", 0, 0)]
    assert [tag["billing_tag"] for tag in body["days"][0]["tags"]] == [FACE, RISK]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"from": "2026-03-05", "to": "2026-03-04"}, "from"), ({"from": "2025-01-01"}, "from"),
     ({"to": "not-a-date"}, "to")],
)
def test_a_bad_range_is_a_validation_error_naming_its_field(api, query, field):
    status, body = api.get("/v1/accounts/acme/usage/daily", **query)

    assert status == 400, body
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert field in [detail["field"] for detail in body["error"]["details"]]


def test_an_unknown_account_is_404(api):
    status, body = api.get("/v1/accounts/nobody/usage/daily")

    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")


def test_an_account_key_may_read_its_own_series():
    assert ("GET", ROUTE) in ACCOUNT_ROUTES
