"""Notice delivery (the notifier): recipients, delivery records, and the SMS and e-mail senders."""

from __future__ import annotations

from functions.wiring import Clients, own_or, per_deployment
from shared.aws import ses_client, sms_client
from shared.config import Settings
from shared.services.notice_delivery import NoticeDeliveryStores
from shared.services.notice_senders import EmailSender, SmsSender
from shared.store.notices import NoticeRepository
from shared.store.recipients import RecipientRepository


def build_notice_delivery_stores(config: Settings, clients: Clients) -> NoticeDeliveryStores:
    return NoticeDeliveryStores(
        recipients=RecipientRepository(clients.dynamodb, config.accounts_table),
        notices=NoticeRepository(clients.dynamodb, config.messages_table),
        sms=SmsSender(own_or(clients.sms, sms_client)),
        email=EmailSender(own_or(clients.ses, ses_client), config.notice_email_sender),
        zone=config.zone,
    )


notice_delivery_stores = per_deployment(build_notice_delivery_stores)
