"""Answer models of the in-site messages (站内信)."""

from __future__ import annotations

from pydantic import Field

from shared.delivery.models import InboxMessage, InboxPage
from shared.instants import format_instant
from shared.web.model import AnswerModel


class MessageOut(AnswerModel):
    message_id: str = Field(description="The id of the event it tells of: one message per cause.")
    type: str = Field(examples=["pack_delivered", "arrears", "daily_report"])
    title: str
    text: str
    at: str = Field(description="When what it tells of happened (RFC 3339, +08:00).")

    @classmethod
    def from_domain(cls, message: InboxMessage) -> MessageOut:
        return cls(message_id=message.message_id, type=message.message_type, title=message.title,
                   text=message.text, at=format_instant(message.at))


class MessagesOut(AnswerModel):
    messages: list[MessageOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: InboxPage) -> MessagesOut:
        return cls(messages=[MessageOut.from_domain(message) for message in page.messages],
                   next_cursor=page.next_cursor)

