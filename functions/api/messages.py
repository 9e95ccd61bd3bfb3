"""The in-site messages (站内信) of an account, newest first."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.messages import MessagesOut
from functions.wiring.inbox import inbox_stores
from shared.services import inbox
from shared.web.fields import AccountId
from shared.web.openapi import answers

router = APIGatewayRouter()

DEFAULT_PAGE = 20
MAX_PAGE = 100


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
    page = inbox.list_messages(inbox_stores(), account_id, limit=limit, cursor=cursor)
    return MessagesOut.from_domain(page)
