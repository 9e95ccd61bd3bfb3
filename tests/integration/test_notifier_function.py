"""The notifier invoked with the notifier queue's batches on moto's copy of template.yaml: every event type,
delivered twice, leaves one notice per channel in the account's language; missing contacts, unknown
events, failed sends, crashed deliveries and refused addresses each end as the issue says."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from shared.services.notice_delivery import LEASE
from tests.integration.notifier_support import EVENT_TYPES, create_account, domain_event, notifier_on_moto

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def notifier(monkeypatch):
    with notifier_on_moto(monkeypatch, NOW) as notifier:
        create_account("acme", email="ops@acme.example", phone="+8613800000000")
        create_account("globex", locale="en", email="billing@globex.example", phone="+14155550100")
        yield notifier


def _in_batches_of_ten(bodies: list[str]) -> list[list[str]]:
    return [bodies[start:start + 10] for start in range(0, len(bodies), 10)]


def test_every_event_type_sent_twice_leaves_one_notice_per_channel_in_the_accounts_language(notifier):
    bodies = [domain_event(event_type, account) for account in ("acme", "globex") for event_type in EVENT_TYPES]

    failed = [notifier.deliver(*batch) for batch in _in_batches_of_ten(bodies + bodies)]

    assert failed == [[]] * len(failed)
    for account, language_is_chinese in (("acme", True), ("globex", False)):
        texts = [sms for sms in notifier.texts() if sms["account_id"] == account]
        emails = [email for email in notifier.emails() if email.account_id == account]
        inbox = notifier.inbox(account)
        assert sorted(sms["notice_type"] for sms in texts) == EVENT_TYPES
        assert sorted(email.notice_type for email in emails) == EVENT_TYPES
        assert sorted(message["event_type"] for message in inbox) == EVENT_TYPES
        for text in [sms["text"] for sms in texts] + [email.subject + email.body for email in emails] + \
                [message["title"] + message["text"] for message in inbox]:
            assert bool(CJK.search(text)) is language_is_chinese, text


def test_an_english_notice_names_the_tag_by_its_english_name(notifier):
    notifier.deliver(domain_event("pack_low", "globex"))

    (sms,) = notifier.texts()
    (email,) = notifier.emails()
    assert "Enhanced face verification (authority) - WeChat" in sms["text"]
    assert email.to == "billing@globex.example" and email.subject == "Pack running low"
    assert email.body.startswith("Dear customer (account globex)")


def test_the_inbox_lists_newest_first_by_when_it_happened(notifier):
    notifier.deliver(domain_event("arrears", "acme", at="2026-03-11T00:00:00+08:00"),
                     domain_event("pack_delivered", "acme", at="2026-03-10T12:00:00+08:00"),
                     domain_event("suspended", "acme", at="2026-03-12T00:00:00+08:00"))

    assert [message["event_type"] for message in notifier.inbox("acme")] == ["suspended", "arrears", "pack_delivered"]


def test_a_missing_contact_skips_its_channel_and_nothing_else(notifier):
    create_account("initech", email="it@initech.example")
    create_account("hooli")

    failed = notifier.deliver(domain_event("pack_low", "initech"), domain_event("pack_low", "hooli"))

    assert failed == []
    assert notifier.texts() == []
    assert [email.account_id for email in notifier.emails()] == ["initech"]
    assert len(notifier.inbox("initech")) == len(notifier.inbox("hooli")) == 1


def test_unknown_event_types_malformed_bodies_and_unknown_accounts_are_skipped_not_retried(notifier):
    failed = notifier.deliver(domain_event("pack_teleported", "acme"), "not json", '{"event_type": "arrears"}',
                              domain_event("arrears", "nobody-here"))

    assert failed == []
    assert notifier.texts() == [] and notifier.emails() == [] and notifier.inbox("acme") == []


def test_a_missing_or_malformed_detail_gives_a_shorter_notice(notifier):
    failed = notifier.deliver(*(domain_event(event_type, "acme", detail={"balance": ["?"], "pack": 3})
                                for event_type in EVENT_TYPES))

    assert failed == []
    assert len(notifier.texts()) == len(notifier.emails()) == len(notifier.inbox("acme")) == len(EVENT_TYPES)


def test_a_failed_send_is_retried_alone_and_the_rest_is_not_sent_again(notifier):
    notifier.ses.fail_once(ClientError({"Error": {"Code": "Throttling", "Message": "Maximum sending rate"}},
                                       "SendRawEmail"), notice_type="arrears")
    event = domain_event("arrears", "acme")

    first = notifier.deliver(event, domain_event("restored", "acme"))
    second = notifier.deliver(event)

    assert first == ["m0"] and second == []
    assert sorted(sms["notice_type"] for sms in notifier.texts()) == ["arrears", "restored"]
    assert sorted(email.notice_type for email in notifier.emails()) == ["arrears", "restored"]
    assert len(notifier.inbox("acme")) == 2
    assert notifier.notice_record("acme", "arrears#acme#1")["email_state"] == "sent"


class ProcessDied(BaseException):
    """Lambda's process ends mid-invocation (timeout, out of memory): nothing after it runs."""


def test_a_notice_claimed_by_a_delivery_that_died_is_sent_once_its_lease_lapses(notifier):
    notifier.sms.fail_once(ProcessDied(), notice_type="suspended")
    event = domain_event("suspended", "acme")
    with pytest.raises(ProcessDied):
        notifier.deliver(event)

    while_held = notifier.deliver(event)
    notifier.clock.advance(seconds=LEASE.total_seconds() + 1)
    after_lease = notifier.deliver(event)
    again = notifier.deliver(event)

    assert while_held == ["m0"] and after_lease == [] and again == []
    assert [sms["notice_type"] for sms in notifier.texts()] == ["suspended"]
    assert [email.notice_type for email in notifier.emails()] == ["suspended"]
    assert len(notifier.inbox("acme")) == 1


def test_an_address_the_provider_refuses_is_recorded_and_not_retried(notifier):
    notifier.sms.fail_once(ClientError({"Error": {"Code": "InvalidParameter", "Message": "Invalid phone"}},
                                       "Publish"), notice_type="arrears")
    event = domain_event("arrears", "acme")

    failed = [notifier.deliver(event), notifier.deliver(event)]

    assert failed == [[], []]
    assert notifier.texts() == []
    assert [email.notice_type for email in notifier.emails()] == ["arrears"]
    record = notifier.notice_record("acme", "arrears#acme#1")
    assert record["sms_state"] == "rejected" and "Invalid phone" in record["sms_note"]


def test_a_contact_added_after_the_first_delivery_gets_the_notice_on_a_redelivery(notifier):
    create_account("initech", email="it@initech.example")
    event = domain_event("pack_exhausted", "initech")
    notifier.deliver(event)
    create_account("initech", email="it@initech.example", phone="+8613900000000")

    notifier.deliver(event)

    assert [sms["account_id"] for sms in notifier.texts()] == ["initech"]
    assert len(notifier.emails()) == len(notifier.inbox("initech")) == 1


def test_a_notice_record_is_kept_a_year_and_a_month(notifier):
    notifier.deliver(domain_event("restored", "acme"))

    record = notifier.notice_record("acme", "restored#acme#1")
    assert datetime.fromtimestamp(int(record["expires_at"]), UTC) - NOW == timedelta(days=400)
