"""Input the fuzz found accepted or crashing: refused as bad input instead."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from functions.api.models.accounts import ContactsIn, NewAccountIn
from shared.ingestion.models import CallIn
from shared.web.resolver import _json

CALL = {"account_id": "acme", "channel": "verify.phone_2e", "return_code": "0",
        "occurred_at": "2026-03-01T11:30:00+08:00"}


@pytest.mark.parametrize("request_id", ["\ud800", "a\udfffb"])
def test_a_request_id_with_a_lone_surrogate_is_refused(request_id):
    with pytest.raises(ValidationError):
        CallIn.model_validate({**CALL, "request_id": request_id})


@pytest.mark.parametrize("request_id", ["tab\there", "nul\x00", "del\x7f"])
def test_a_request_id_with_a_control_character_is_refused(request_id):
    with pytest.raises(ValidationError, match="no control characters and no lone surrogates"):
        CallIn.model_validate({**CALL, "request_id": request_id})


def test_an_answer_echoing_a_lone_surrogate_is_still_json_and_utf_8():
    text = _json({"request_id": "\ud800", "name": "人脸核身"})

    assert json.loads(text.encode("utf-8")) == {"request_id": "\ud800", "name": "人脸核身"}


def test_a_request_id_in_any_script_is_accepted():
    assert CallIn.model_validate({**CALL, "request_id": "订单-①-ü"}).request_id == "订单-①-ü"


@pytest.mark.parametrize("email", ["ops@acme.example\x00", "o\x1fps@acme.example", "ops@ac\x7fme.example"])
def test_an_email_with_a_control_character_is_refused(email):
    with pytest.raises(ValidationError):
        ContactsIn.model_validate({"email": email})


def test_an_activation_in_year_1_is_refused():
    with pytest.raises(ValidationError):
        NewAccountIn.model_validate({"account_id": "acme", "activated_at": "0001-01-01T00:00:00+00:00",
                                     "contacts": {}})


@pytest.mark.parametrize("activated_at", ["1969-12-31T23:59:59+00:00", "3000-01-01T00:00:00+00:00"])
def test_an_activation_outside_the_years_the_api_bills_is_refused(activated_at):
    with pytest.raises(ValidationError, match="years 1970 to 2999"):
        NewAccountIn.model_validate({"account_id": "acme", "activated_at": activated_at, "contacts": {}})


def test_an_activation_on_the_first_day_of_1970_is_accepted():
    account = NewAccountIn.model_validate({"account_id": "acme", "activated_at": "1970-01-01T08:00:00+08:00",
                                           "contacts": {}})
    assert account.activated_at.year == 1970


@pytest.mark.parametrize("activated_at", ["20260301T093000+0800", "2026-W09-7T09:30:00+08:00", "2026-060T09:30:00Z",
                                          "2026-03-01T09:30+08:00", "2026-03-01T09:30:00"])
def test_an_instant_in_another_iso_8601_form_than_rfc_3339_is_refused(activated_at):
    with pytest.raises(ValidationError, match="must be RFC 3339 with an offset"):
        NewAccountIn.model_validate({"account_id": "acme", "activated_at": activated_at, "contacts": {}})


@pytest.mark.parametrize("text", ["2026-03-01T09:30:00+08:00", "2026-03-01t01:30:00z", "2026-03-01 01:30:00.5Z"])
def test_rfc_3339_instants_in_any_of_its_spellings_are_read(text):
    account = NewAccountIn.model_validate({"account_id": "acme", "activated_at": text, "contacts": {}})
    assert account.activated_at.astimezone(UTC).replace(microsecond=0) == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
