"""The in-site messages (站内信) of an account, newest first (issue 7)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field

from functions.api.models import AccountId
from shared.instants import format_instant
from shared.services import inbox
from shared.store.inbox import InboxMessage, InboxPage
from shared.web.model import ApiModel
from shared.web.openapi import answers

router = APIGatewayRouter()

DEFAULT_PAGE = 20
MAX_PAGE = 100


class MessageOut(ApiModel):
    message_id: str = Field(description="The id of the event it tells of: one message per cause.")
    type: str = Field(examples=["pack_delivered", "arrears", "daily_report"])
    title: str
    text: str
    at: str = Field(description="When what it tells of happened (RFC 3339, +08:00).")

    @classmethod
    def from_domain(cls, message: InboxMessage) -> MessageOut:
        return cls(message_id=message.message_id, type=message.message_type, title=message.title,
                   text=message.text, at=format_instant(message.at))


class MessagesOut(ApiModel):
    messages: list[MessageOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: InboxPage) -> MessagesOut:
        return cls(messages=[MessageOut.from_domain(message) for message in page.messages],
                   next_cursor=page.next_cursor)


@router.get(
    "/v1/accounts/<account_id>/messages",
    summary="The account's in-site messages (站内信), newest first",
    responses=answers(MessagesOut, 404),
)
def list_messages(
    account_id: AccountId,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Messages a page.")] = DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the page before.")] = None,
) -> MessagesOut:
    page = inbox.list_messages(inbox.InboxStores.from_settings(), account_id, limit=limit, cursor=cursor)
    return MessagesOut.from_domain(page)
