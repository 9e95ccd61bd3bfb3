"""Webhook signing keys, sealed with the deployment's KMS key: what the table holds is ciphertext, bound to its
webhook by the encryption context (a ciphertext copied onto another webhook does not decrypt)."""

from __future__ import annotations

from typing import Any


class WebhookSecretBox:
    def __init__(self, kms: Any, key_id: str):
        self._kms = kms
        self._key_id = key_id

    def seal(self, key: bytes, account_id: str, webhook_id: str) -> bytes:
        answer = self._kms.encrypt(KeyId=self._key_id, Plaintext=key,
                                   EncryptionContext=_context(account_id, webhook_id))
        return bytes(answer["CiphertextBlob"])

    def open(self, ciphertext: bytes, account_id: str, webhook_id: str) -> bytes:
        answer = self._kms.decrypt(KeyId=self._key_id, CiphertextBlob=ciphertext,
                                   EncryptionContext=_context(account_id, webhook_id))
        return bytes(answer["Plaintext"])


def _context(account_id: str, webhook_id: str) -> dict[str, str]:
    return {"account_id": account_id, "webhook_id": webhook_id}
