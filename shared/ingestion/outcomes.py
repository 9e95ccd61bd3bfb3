"""What ingestion decides for each call: accepted, duplicate, or rejected with one of API.md's codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class CallStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class RejectionCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNKNOWN_CHANNEL = "UNKNOWN_CHANNEL"
    SOURCE_REQUIRED = "SOURCE_REQUIRED"
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    CALL_TOO_OLD = "CALL_TOO_OLD"
    CALL_IN_FUTURE = "CALL_IN_FUTURE"
    REQUEST_ID_REUSED = "REQUEST_ID_REUSED"


@dataclass(frozen=True)
class Rejection:
    code: RejectionCode
    message: str
    field: str | None


@dataclass(frozen=True)
class CallOutcome:
    request_id: str | None
    status: CallStatus
    billable: bool | None = None
    billing_tag: str | None = None
    billing_date: date | None = None
    rejection: Rejection | None = None

    @classmethod
    def rejected(cls, request_id: str | None, rejection: Rejection) -> CallOutcome:
        return cls(request_id=request_id, status=CallStatus.REJECTED, rejection=rejection)
