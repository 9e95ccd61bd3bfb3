"""The API function invoked as Lambda invokes it, with API Gateway's proxy events."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from functions.api.app import handler
from shared.pricing import CHANNELS, PRICE_BOOK
from tests.support import load_event


class FakeContext:
    function_name = "ApiFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ApiFunction"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


def invoke(event: dict) -> tuple[int, dict]:
    answer = handler(event, FakeContext())
    return answer["statusCode"], json.loads(answer["body"])


def quote_event(**query: str) -> dict:
    event = load_event("quote_get.json")
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {key: [value] for key, value in query.items()} or None
    return event


def test_catalog_lists_every_billing_tag_and_channel_in_the_contracts_order():
    status, body = invoke(load_event("catalog_get.json"))

    assert status == 200
    assert [tag["id"] for tag in body["billing_tags"]] == list(PRICE_BOOK)
    assert [channel["id"] for channel in body["channels"]] == list(CHANNELS)
    assert len(body["billing_tags"]) == 32


def test_catalog_answers_money_as_strings_with_the_price_books_precision():
    _, body = invoke(load_event("catalog_get.json"))
    tags = {tag["id"]: tag for tag in body["billing_tags"]}

    assert tags["face_risk_detection"]["unit_price"] == "0.0035"
    assert tags["enhanced_authority_wechat"]["unit_price"] == "1.2"
    assert {"size": 10000, "price": "11000.00"} in tags["enhanced_authority_wechat"]["packs"]
    assert tags["nfc_id_reading"] == {**tags["nfc_id_reading"], "packs": [], "postpaid_only": True}
    for tag in body["billing_tags"]:
        assert isinstance(tag["unit_price"], str)
        assert all(isinstance(pack["price"], str) for pack in tag["packs"])
        assert all(Decimal(pack["price"]).as_tuple().exponent == -2 for pack in tag["packs"])


def test_catalog_keeps_chinese_names_readable_in_the_json():
    answer = handler(load_event("catalog_get.json"), FakeContext())

    assert "增强版人脸核身(权威库)-微信" in answer["body"]


def test_channels_say_which_sources_pick_the_tag():
    _, body = invoke(load_event("catalog_get.json"))
    channels = {channel["id"]: channel for channel in body["channels"]}

    assert channels["enhanced.wechat_miniprogram"]["sources"] == ["authority", "upload"]
    assert channels["verify.phone_2e"]["sources"] == []
    assert channels["nfc"]["return_code_family"] == "nfc"


def test_quote_of_300000_enhanced_authority_calls_buys_a_20万_and_a_10万_pack():
    status, body = invoke(load_event("quote_get.json"))

    assert status == 200
    assert body["total"] == "280000.00"
    assert body["packs"] == [
        {"size": 200000, "quantity": 1, "price": "180000.00"},
        {"size": 100000, "quantity": 1, "price": "100000.00"},
    ]
    assert body["postpaid_calls"] == 0
    assert body["postpaid_only_total"] == "360000.00"


def test_quote_of_a_postpaid_only_tag_is_all_postpaid_rounded_to_the_fen():
    status, body = invoke(quote_event(billing_tag="face_risk_detection", calls="143"))

    assert status == 200
    assert body["packs"] == []
    assert body["postpaid_calls"] == 143
    assert body["total"] == body["postpaid_only_total"] == "0.50"


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"billing_tag": "no_such_tag", "calls": "10"}, ["billing_tag"]),
        ({"billing_tag": "phone_2e", "calls": "-1"}, ["calls"]),
        ({"billing_tag": "phone_2e", "calls": "1.5"}, ["calls"]),
        ({"billing_tag": "phone_2e", "calls": "100000001"}, ["calls"]),
        ({"billing_tag": "phone_2e"}, ["calls"]),
        ({}, ["billing_tag", "calls"]),
    ],
)
def test_a_malformed_quote_is_400_validation_error_with_field_details(query, fields):
    status, body = invoke(quote_event(**query))

    assert status == 400
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert sorted(detail["field"] for detail in body["error"]["details"]) == sorted(fields)
    assert all(detail["problem"] for detail in body["error"]["details"])


def test_an_unknown_path_is_404_in_the_error_shape():
    event = copy.deepcopy(load_event("catalog_get.json"))
    event["path"] = event["resource"] = "/v1/nothing-here"

    status, body = invoke(event)

    assert status == 404
    assert body == {"error": {"code": "NOT_FOUND", "message": "No route GET /v1/nothing-here.", "details": []}}
