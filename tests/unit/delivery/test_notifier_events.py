from __future__ import annotations

import json

from shared.accounts.models import Locale
from shared.delivery.models import Recipient, SendingChannel
from shared.services.received_events import parse_event


def test_a_domain_event_is_read_with_its_type_kept_as_text():
    body = json.dumps({"event_id": "e1", "event_type": "pack_teleported", "account_id": "acme",
                       "at": "2026-03-10T12:00:00+08:00", "detail": {"x": 1}})

    event = parse_event(body, message_id="m0")

    assert (event.event_id, event.event_type, event.account_id, event.detail) == ("e1", "pack_teleported", "acme",
                                                                                  {"x": 1})
    assert event.at.isoformat() == "2026-03-10T12:00:00+08:00"


def test_a_body_without_id_type_or_account_is_no_event():
    for body in ("", "[]", '{"event_id": "e1", "event_type": "arrears"}', '{"event_id": 1, "event_type": "a", '
                 '"account_id": "acme"}'):
        assert parse_event(body, message_id="m0") is None


def test_an_event_without_a_readable_instant_still_is_an_event():
    body = json.dumps({"event_id": "e1", "event_type": "arrears", "account_id": "acme", "at": "yesterday"})

    assert parse_event(body, message_id="m0").at is None


def test_a_recipient_has_an_address_per_sending_channel_only():
    recipient = Recipient("acme", Locale.EN, email="ops@acme.example")

    assert recipient.address(SendingChannel.EMAIL) == "ops@acme.example"
    assert recipient.address(SendingChannel.SMS) is None and recipient.address(SendingChannel.IN_SITE) is None
