"""The webhook routes: register (the secret shown this once), list, delete, rotate the secret, read the deliveries
and ask for one more attempt of one (API.md: Webhooks)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from shared import clock
from shared.events import EventType
from shared.ids import time_ordered_id
from shared.refusals import InvalidField
from shared.services.webhook_sender import Resolver, allowed_target
from shared.store.accounts import AccountRepository
from shared.store.queues import JsonMessageQueue
from shared.store.webhook_secrets import WebhookSecretBox
from shared.store.webhooks import RotatedMeanwhile, WebhookRepository
from shared.webhooks.errors import DeliveryNotFound, TargetNotAllowed, WebhookNotFound
from shared.webhooks.models import AttemptRequest, DeliveryPage, SealedSecret, Webhook, WebhookStatus
from shared.webhooks.signing import KEY_BYTES, secret_text
from shared.webhooks.targets import TargetPolicy, TargetRefused

# After a rotation, deliveries carry the signature of the secret before it too, for this long.
PREVIOUS_SECRET_VALID = timedelta(hours=24)
_ROTATION_ATTEMPTS = 3


@dataclass(frozen=True)
class WebhookStores:
    accounts: AccountRepository
    webhooks: WebhookRepository
    secrets: WebhookSecretBox
    attempts: JsonMessageQueue
    policy: TargetPolicy
    resolve: Resolver


@dataclass(frozen=True)
class NewSecret:
    """A webhook with its secret in the clear: what registration and rotation answer, once."""

    webhook: Webhook
    secret: str


def register(stores: WebhookStores, account_id: str, url: str, event_types: Sequence[str] | None) -> NewSecret:
    stores.accounts.require(account_id)
    _check_target(stores, url)
    now = clock.now()
    webhook_id = time_ordered_id("wh", now)
    key = secrets.token_bytes(KEY_BYTES)
    webhook = Webhook(account_id=account_id, webhook_id=webhook_id, url=url,
                      event_types=_chosen_types(event_types), status=WebhookStatus.ENABLED, created_at=now,
                      secret=SealedSecret(stores.secrets.seal(key, account_id, webhook_id)))
    stores.webhooks.add(webhook)
    return NewSecret(webhook, secret_text(key))


def list_webhooks(stores: WebhookStores, account_id: str) -> list[Webhook]:
    stores.accounts.require(account_id)
    return stores.webhooks.of_account(account_id)


def delete(stores: WebhookStores, account_id: str, webhook_id: str) -> None:
    stores.accounts.require(account_id)
    stores.webhooks.delete(account_id, webhook_id)


def rotate_secret(stores: WebhookStores, account_id: str, webhook_id: str) -> NewSecret:
    """A new secret; the one before keeps signing beside it for PREVIOUS_SECRET_VALID."""
    for _ in range(_ROTATION_ATTEMPTS):
        webhook = _webhook(stores, account_id, webhook_id)
        now = clock.now()
        key = secrets.token_bytes(KEY_BYTES)
        sealed = SealedSecret(stores.secrets.seal(key, account_id, webhook_id))
        previous = SealedSecret(webhook.secret.ciphertext, now + PREVIOUS_SECRET_VALID)
        try:
            stores.webhooks.rotate_secret(webhook, sealed, previous)
        except RotatedMeanwhile:
            continue
        return NewSecret(replace(webhook, secret=sealed, previous_secret=previous), secret_text(key))
    raise RotatedMeanwhile(f"webhook {webhook_id}: rotated by others {_ROTATION_ATTEMPTS} times meanwhile")


def deliveries(stores: WebhookStores, account_id: str, webhook_id: str, *, limit: int,
               cursor: str | None) -> DeliveryPage:
    _webhook(stores, account_id, webhook_id)
    return stores.webhooks.deliveries(webhook_id, limit=limit, cursor=cursor)


def retry(stores: WebhookStores, account_id: str, webhook_id: str, delivery_id: str) -> None:
    """Ask for one more attempt of the delivery now, whatever its status (the delivery function makes it)."""
    _webhook(stores, account_id, webhook_id)
    if stores.webhooks.get_delivery(webhook_id, delivery_id) is None:
        raise DeliveryNotFound(delivery_id)
    stores.attempts.send([AttemptRequest(account_id, webhook_id, delivery_id, manual=True)])


def _webhook(stores: WebhookStores, account_id: str, webhook_id: str) -> Webhook:
    stores.accounts.require(account_id)
    webhook = stores.webhooks.get(account_id, webhook_id)
    if webhook is None:
        raise WebhookNotFound(webhook_id)
    return webhook


def _check_target(stores: WebhookStores, url: str) -> None:
    try:
        allowed_target(url, stores.policy, stores.resolve)
    except TargetRefused as error:
        raise TargetNotAllowed(str(error)) from None


def _chosen_types(event_types: Sequence[str] | None) -> tuple[str, ...] | None:
    if event_types is None:
        return None
    if not event_types:
        raise InvalidField("event_types", "name at least one event type, or leave it out for every type")
    known = {event_type.value for event_type in EventType}
    unknown = [event_type for event_type in event_types if event_type not in known]
    if unknown:
        raise InvalidField("event_types", f"unknown event types: {', '.join(unknown)}")
    return tuple(dict.fromkeys(event_types))

