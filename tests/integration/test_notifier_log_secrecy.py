"""A send the provider refuses is logged by its error code only: AWS's error messages quote the phone number
or address they refuse, and no contact detail may reach a log line."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from tests.integration.notifier_support import create_account, domain_event, notifier_on_moto
from tests.log_capture import function_logs

PHONE, EMAIL = "+8613811112222", "alice.secret@acme-mail.example"


@pytest.fixture
def notifier(monkeypatch):
    with notifier_on_moto(monkeypatch, datetime(2026, 3, 10, 4, 0, tzinfo=UTC)) as notifier:
        create_account("acme", email=EMAIL, phone=PHONE)
        yield notifier


def test_refused_and_failed_sends_log_the_error_code_and_no_address(notifier):
    # The messages as SNS and SES word them.
    notifier.sms.fail_once(ClientError({"Error": {"Code": "InvalidParameter", "Message":
                                                  f"Invalid parameter: PhoneNumber Reason: {PHONE} is not valid"}},
                                       "Publish"), notice_type="arrears")
    notifier.ses.fail_once(ClientError({"Error": {"Code": "MessageRejected", "Message":
                                                  "Email address is not verified. The following identities failed "
                                                  f"the check in region US-EAST-1: {EMAIL}"}},
                                       "SendRawEmail"), notice_type="arrears")
    logs = io.StringIO()

    with function_logs(logs):
        retried = notifier.deliver(domain_event("arrears", "acme"))

    lines = logs.getvalue().splitlines()
    assert retried == ["m0"]  # the e-mail failed for now: the event comes again
    assert [line for line in lines if PHONE[1:] in line or PHONE[3:] in line or EMAIL.split("@")[0] in line] == []
    assert any('"error_code":"InvalidParameter"' in line for line in lines)
    assert any('"error_code":"MessageRejected"' in line for line in lines)
