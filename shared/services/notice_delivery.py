"""Notice fan-out: each domain event becomes its account's notice, stored as an in-site message and sent
by SMS and e-mail where the account has the contact, at most once per cause (event) and channel.

Once per cause and channel, even when the event is delivered twice or a send is retried: the first
delivery stores the in-site message and claims each channel with a lease in one conditional write, sends,
then records each outcome. A redelivery skips what is settled and waits (its message is retried) while
another delivery's lease is live. A send the provider did not take is released for the retry; a process
that dies mid-way leaves its claims to lapse after LEASE, so the retry sends them: a notice is never lost
to a crash, and the one case that can repeat a message is a death between the provider's acceptance of
a send and its record, written right after it (milliseconds; losing an arrears notice instead, the other
way round, would be silent).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from shared import clock
from shared.delivery.models import Delivery, DeliveryState, ReceivedEvent, Recipient, SendingChannel
from shared.notices import Notice, render_notice
from shared.services.notice_senders import EmailSender, SendFailed, SmsSender, UndeliverableAddress
from shared.services.received_events import parse_event
from shared.store.notices import NoticeRecord, NoticeRepository
from shared.store.recipients import RecipientRepository

# Longer than the function's timeout (template.yaml: 60 s), so a live delivery is never overtaken, and
# shorter than the queue's visibility timeout (360 s), so the retry of a dead one finds its claims lapsed.
LEASE = timedelta(minutes=5)
# Notices and their delivery records are kept a year and a month: the in-site inbox shows a year, and a
# publisher that re-publishes an old event (a client retrying a purchase weeks later) still meets its record.
RETENTION = timedelta(days=400)
MAX_PARALLEL_NOTICES = 10  # the queue's batch size

logger = Logger(child=True)


class NoticeNotDelivered(Exception):
    """A channel of this notice failed or is held by another delivery: the event is delivered again."""


@dataclass(frozen=True)
class NoticeDeliveryStores:
    recipients: RecipientRepository
    notices: NoticeRepository
    sms: SmsSender
    email: EmailSender
    zone: ZoneInfo


class NoticeBatch:
    """One invocation's queue messages: parsed, their accounts read in one BatchGetItem, their notices
    delivered in parallel (each notice is a few requests that mostly wait on the network)."""

    def __init__(self, stores: NoticeDeliveryStores, bodies: Mapping[str, str]):
        self._stores = stores
        self._messages_of: dict[str, list[str]] = {}  # event id -> its messages (SQS may deliver one twice)
        self._events: dict[str, ReceivedEvent] = {}
        for message_id, body in bodies.items():
            event = parse_event(body, message_id=message_id)
            if event is not None:
                self._events.setdefault(event.event_id, event)
                self._messages_of.setdefault(event.event_id, []).append(message_id)
        self._recipients = stores.recipients.get_many({event.account_id for event in self._events.values()})

    def deliver(self) -> list[str]:
        """Deliver every message's notice; the ids of the messages to deliver again."""
        events = list(self._events.values())
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL_NOTICES) as pool:
            delivered = list(pool.map(self._deliver, events))
        return [message_id for event, done in zip(events, delivered, strict=True) if not done
                for message_id in self._messages_of[event.event_id]]

    def _deliver(self, event: ReceivedEvent) -> bool:
        recipient = self._recipients.get(event.account_id)
        if recipient is None:
            logger.warning("notice skipped: no such account", extra={"event_id": event.event_id})
            return True
        try:
            deliver_notice(self._stores, event, recipient)
        except NoticeNotDelivered as error:
            logger.warning("notice not complete; its event will be delivered again", extra={"reason": str(error)})
            return False
        except Exception:  # whatever failed (a DynamoDB error, a bug), this event alone is retried
            logger.exception("notice delivery failed; its event will be delivered again",
                             extra={"event_id": event.event_id})
            return False
        return True


def deliver_notice(stores: NoticeDeliveryStores, event: ReceivedEvent, recipient: Recipient) -> None:
    notice = render_notice(event.event_type, event.detail, account_id=recipient.account_id,
                           locale=recipient.locale, zone=stores.zone)
    if notice is None:
        logger.warning("notice skipped: unknown event type", extra={"event_id": event.event_id,
                                                                     "event_type": event.event_type})
        return
    now = clock.now()
    record = NoticeRecord(recipient.account_id, event.event_id, event.event_type, event.at or now, notice.title,
                          notice.text)
    # A missing contact skips its channel; the in-site message is always stored.
    channels = [channel for channel in (SendingChannel.SMS, SendingChannel.EMAIL) if recipient.address(channel)]
    claim = stores.notices.claim(record, channels, now=now, lease=LEASE, keep_until=now + RETENTION)
    failed = []
    for channel in sorted(claim.owned):
        delivery = _send(stores, channel, recipient, notice)
        # Recorded at once, not after the last channel: a death mid-way must not make a retry repeat this send.
        stores.notices.settle(recipient.account_id, event.event_id, channel, delivery)
        if delivery.state is DeliveryState.FAILED:
            failed.append(channel)
    if failed or claim.busy:
        raise NoticeNotDelivered(f"{event.event_id}: failed [{', '.join(failed)}], held by another delivery "
                                 f"[{', '.join(sorted(claim.busy))}]")


def _send(stores: NoticeDeliveryStores, channel: SendingChannel, recipient: Recipient, notice: Notice) -> Delivery:
    sender = stores.sms if channel is SendingChannel.SMS else stores.email
    address = recipient.address(channel)
    assert address is not None, "only channels with an address are claimed"
    try:
        return Delivery(DeliveryState.SENT, sender.send(address, notice, recipient.account_id))
    except UndeliverableAddress as error:
        logger.warning("notice not sent: the address is refused", extra={
            "account_id": recipient.account_id, "channel": channel.value, "error_code": error.code})
        return Delivery(DeliveryState.REJECTED, str(error))
    except SendFailed as error:
        logger.warning("notice not sent; it will be retried", extra={
            "account_id": recipient.account_id, "channel": channel.value, "error_code": error.code})
        return Delivery(DeliveryState.FAILED, str(error))
