"""Signatures as a receiver checks them: with the Standard Webhooks reference library (standardwebhooks on PyPI),
which knows nothing of this code, a delivery signed with the secret shown at registration verifies; while two
secrets are valid, a receiver holding either one verifies; a wrong secret or a changed body does not."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from shared.webhooks.rules import delivery_body
from shared.webhooks.signing import KEY_BYTES, SECRET_PREFIX, key_of, secret_text, signature, signed_headers

EVENT_AT = datetime(2026, 3, 10, 1, 30, tzinfo=UTC)
BODY = delivery_body("evt_01", "balance_low", "acc_1", EVENT_AT, {"balance": "99.99", "note": "余额不足"})


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def now() -> datetime:
    # The library refuses a timestamp more than 5 minutes from its own clock.
    return datetime.now(UTC)


def test_a_delivery_signed_with_the_key_verifies_with_the_secret_the_customer_was_shown():
    key = new_key()
    headers = signed_headers([key], "evt_01", now(), BODY)

    assert Webhook(secret_text(key)).verify(BODY.encode(), headers) == json.loads(BODY)
    assert Webhook(secret_text(key)).verify(BODY, headers) == json.loads(BODY)
    assert headers["webhook-id"] == "evt_01"
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_the_timestamp_header_is_whole_unix_seconds_of_the_attempt():
    at = datetime(2026, 3, 10, 1, 30, 15, 987654, tzinfo=UTC)
    assert signed_headers([new_key()], "evt_01", at, BODY)["webhook-timestamp"] == str(int(at.timestamp()))
    assert signed_headers([new_key()], "evt_01", at, BODY)["webhook-timestamp"] == "1773106215"


def test_while_two_secrets_are_valid_a_receiver_holding_either_one_verifies():
    current, previous = new_key(), new_key()
    headers = signed_headers([current, previous], "evt_01", now(), BODY)

    first, second = headers["webhook-signature"].split(" ")
    assert first.startswith("v1,") and second.startswith("v1,") and first != second
    for key in (current, previous):
        assert Webhook(secret_text(key)).verify(BODY.encode(), headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_text(new_key())).verify(BODY.encode(), headers)


def test_the_current_key_signs_first():
    current, previous = new_key(), new_key()
    at = now()
    headers = signed_headers([current, previous], "evt_01", at, BODY)
    expected_first = Webhook(secret_text(current)).sign("evt_01", at, BODY)
    assert headers["webhook-signature"].split(" ")[0] == expected_first


def test_a_wrong_secret_fails():
    headers = signed_headers([new_key()], "evt_01", now(), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_text(new_key())).verify(BODY.encode(), headers)


def test_a_changed_body_or_id_or_timestamp_fails():
    key = new_key()
    at = now()
    headers = signed_headers([key], "evt_01", at, BODY)
    receiver = Webhook(secret_text(key))

    with pytest.raises(WebhookVerificationError):
        receiver.verify(BODY.replace("99.99", "99.98").encode(), headers)
    with pytest.raises(WebhookVerificationError):
        receiver.verify((BODY + " ").encode(), headers)
    with pytest.raises(WebhookVerificationError):
        receiver.verify(BODY.encode(), {**headers, "webhook-id": "evt_02"})
    with pytest.raises(WebhookVerificationError):
        receiver.verify(BODY.encode(), {**headers, "webhook-timestamp": str(int(at.timestamp()) - 1)})


def test_our_signature_is_the_library_signature_byte_for_byte():
    key, at = new_key(), now()
    assert signature(key, "evt_01", int(at.timestamp()), BODY) == Webhook(secret_text(key)).sign("evt_01", at, BODY)


def test_an_old_attempt_is_refused_by_the_receiver_so_each_attempt_is_signed_when_it_is_made():
    key = new_key()
    headers = signed_headers([key], "evt_01", now() - timedelta(minutes=10), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_text(key)).verify(BODY.encode(), headers)


def test_the_secret_is_whsec_and_the_standard_base64_of_the_key():
    key = bytes(range(KEY_BYTES))
    text = secret_text(key)
    assert KEY_BYTES == 32 and 24 <= KEY_BYTES <= 64
    assert SECRET_PREFIX == "whsec_" and text.startswith("whsec_")
    assert base64.b64decode(text.removeprefix("whsec_")) == key
    assert key_of(text) == key


@given(st.binary(min_size=24, max_size=64))
def test_secret_text_and_key_of_round_trip(key):
    assert key_of(secret_text(key)) == key


def test_key_of_refuses_a_secret_without_its_prefix_or_with_bad_base64():
    with pytest.raises(ValueError):
        key_of(base64.b64encode(new_key()).decode())
    with pytest.raises(ValueError):
        key_of("whsec_not*base64!")
