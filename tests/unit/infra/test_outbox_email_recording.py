"""The local stack's outbox reads an e-mail the notifier sends by SES as its reader would."""

from __future__ import annotations

import base64

from infra.local.aws import _publish_request
from shared.notices import Notice
from shared.services.notice_senders import EmailSender


class CapturingSes:
    def __init__(self):
        self.request = None

    def send_raw_email(self, **request):
        self.request = request
        return {"MessageId": "m-1"}


def test_an_email_is_recorded_with_its_subject_text_account_and_notice_type():
    ses = CapturingSes()
    notice = Notice(notice_type="arrears", title="欠费通知", text="您的账户已欠费。",
                    sms="【人脸核身】您的账户已欠费。", email_body="尊敬的客户：\n\n您的账户已欠费。")
    EmailSender(ses, "notices@billing.example").send("ops@acme.example", notice, "acme.cn")
    form = {"Action": ["SendRawEmail"], "Destinations.member.1": [ses.request["Destinations"][0]],
            "RawMessage.Data": [base64.b64encode(ses.request["RawMessage"]["Data"]).decode()]}

    recorded = _publish_request(form)

    assert recorded["email_address"] == "ops@acme.example" and recorded["phone_number"] is None
    assert (recorded["subject"], recorded["message"].strip()) == ("欠费通知", "尊敬的客户：\n\n您的账户已欠费。")
    assert recorded["attributes"] == {"account_id": "acme.cn", "notice_type": "arrears"}
