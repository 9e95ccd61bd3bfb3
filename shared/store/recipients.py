"""The Accounts table as the notifier reads it: contacts and locale of many accounts in one BatchGetItem."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from shared.accounts.models import Locale
from shared.delivery.models import Recipient
from shared.store.codec import batch_get, from_attributes, to_attributes


class RecipientRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self._table = table

    def get_many(self, account_ids: Collection[str]) -> dict[str, Recipient]:
        """The accounts that exist among `account_ids`, by id. Read consistently: an event may arrive within
        a second of the account's creation, and a stale read would skip its notice as "no such account"."""
        keys = [to_attributes({"account_id": account_id}) for account_id in sorted(set(account_ids))]
        items = batch_get(self._dynamodb, self._table, keys, projection="account_id, contacts, #locale",
                          names={"#locale": "locale"}, consistent=True)
        return {recipient.account_id: recipient for recipient in map(_recipient, items)}


def _recipient(item: dict[str, Any]) -> Recipient:
    values = from_attributes(item)
    contacts = values.get("contacts") or {}
    locale = Locale.EN if values.get("locale") == Locale.EN.value else Locale.ZH_CN
    return Recipient(values["account_id"], locale, email=contacts.get("email") or None,
                     phone=contacts.get("phone") or None)
