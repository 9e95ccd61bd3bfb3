"""The two outside channels: SMS by SNS publish to the customer's number, e-mail by SES from the
deployment's verified sender. Provider errors become SendFailed (try again later) or UndeliverableAddress
(the provider refuses the address itself), here and nowhere else.

Every send carries the account and the notice type (SNS message attributes; X- headers of the e-mail) so
that support, and the local stack's outbox, can tell whose notice of what each message was. E-mail goes
by SendRawEmail because only a raw message carries such headers (SES message tags refuse the "." that
account ids may hold).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.notices import Notice

ACCOUNT_HEADER = "X-Billing-Account-Id"
NOTICE_TYPE_HEADER = "X-Billing-Notice-Type"
SENDER_NAME = "人脸核身计费 Face Verification Billing"

# Error codes meaning the address (not the moment) is wrong: a malformed phone number or e-mail address.
_SMS_ADDRESS_ERRORS = frozenset({"InvalidParameter", "InvalidParameterValue"})
_EMAIL_ADDRESS_ERRORS = frozenset({"InvalidParameterValue"})


class ProviderError(Exception):
    """A send the provider did not take. Its message may quote the address (AWS's do), so logs carry only `code`."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class SendFailed(ProviderError):
    """The provider did not take the message (throttled past the retries, unavailable, refused for now)."""


class UndeliverableAddress(ProviderError):
    """The provider refuses the address: sending again cannot succeed until the customer fixes it."""


def _provider_error(error: BotoCoreError | ClientError, address_errors: frozenset[str]) -> Exception:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or "ClientError"
    else:
        code = type(error).__name__
    kind = UndeliverableAddress if code in address_errors else SendFailed
    return kind(str(error), code)


class SmsSender:
    def __init__(self, sns: Any):
        self._sns = sns

    def send(self, phone: str, notice: Notice, account_id: str) -> str:
        """Publish the notice's SMS to `phone` (E.164); the provider's message id."""
        try:
            answer = self._sns.publish(
                PhoneNumber=phone,
                Message=notice.sms,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                    "account_id": {"DataType": "String", "StringValue": account_id},
                    "notice_type": {"DataType": "String", "StringValue": notice.notice_type},
                },
            )
        except (BotoCoreError, ClientError) as error:
            raise _provider_error(error, _SMS_ADDRESS_ERRORS) from error
        return answer["MessageId"]


class EmailSender:
    def __init__(self, ses: Any, sender_address: str):
        self._ses = ses
        self._sender_address = sender_address

    def send(self, address: str, notice: Notice, account_id: str) -> str:
        """Send the notice's e-mail (plain text, UTF-8) to `address`; the provider's message id."""
        message = EmailMessage()
        message["From"] = formataddr((SENDER_NAME, self._sender_address))
        message["To"] = address
        message["Subject"] = notice.title
        message[ACCOUNT_HEADER] = account_id
        message[NOTICE_TYPE_HEADER] = notice.notice_type
        message.set_content(notice.email_body)
        try:
            answer = self._ses.send_raw_email(Source=self._sender_address, Destinations=[address],
                                              RawMessage={"Data": message.as_bytes()})
        except (BotoCoreError, ClientError) as error:
            raise _provider_error(error, _EMAIL_ADDRESS_ERRORS) from error
        return answer["MessageId"]
