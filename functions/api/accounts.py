"""Accounts, their keys, recharges, violations, the E证通 free pack and operators' grants.

Each route parses, calls one service function of shared.services.accounts and maps its answer; every
refusal is an error the service raises. Scopes are checked by the API's authorizer before this runs.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.accounts import (
    AccountOut,
    AccountPageOut,
    AccountPatchIn,
    NewAccountIn,
    RechargeIn,
    ViolationIn,
)
from functions.api.models.keys import ApiKeyOut
from functions.api.models.packs import GrantIn, PackAnswer, PackOut
from functions.wiring.accounts import account_stores
from shared import clock
from shared.accounts.models import AccountStatus, Contacts
from shared.pricing import billing_date
from shared.services import accounts as service
from shared.web.fields import AccountId
from shared.web.openapi import answers

DEFAULT_PAGE = 50
MAX_PAGE = 500

router = APIGatewayRouter()


def today() -> date:
    """The billing date now, which an account's runway counts back from."""
    return billing_date(clock.now(), account_stores().zone)


def created(body: object) -> Response:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@router.get("/v1/accounts", summary="Accounts, oldest first, a page at a time", responses=answers(AccountPageOut))
def list_accounts(
    status: Annotated[AccountStatus | None, Query(description="Only accounts in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Accounts a page.")] = DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the page before.")] = None,
) -> AccountPageOut:
    page = service.list_accounts(account_stores(), status=status, limit=limit, cursor=cursor)
    return AccountPageOut.from_domain(page, today())


@router.post(
    "/v1/accounts",
    summary="Open an account with its free-quota packs",
    responses=answers(AccountOut, 409, status=201, description="Created (409 ACCOUNT_EXISTS)"),
)
def open_account(request: Annotated[NewAccountIn, Body()]) -> Response[AccountOut]:
    account = service.open_account(
        account_stores(),
        request.account_id,
        contacts=Contacts(email=request.contacts.email, phone=request.contacts.phone),
        locale=request.locale,
        activated_at=request.activated_at,
    )
    return created(AccountOut.from_domain(account, today()))


@router.get("/v1/accounts/<account_id>", summary="One account", responses=answers(AccountOut, 404))
def get_account(account_id: AccountId) -> AccountOut:
    return AccountOut.from_domain(service.get_account(account_stores(), account_id), today())


@router.patch(
    "/v1/accounts/<account_id>",
    summary="Change postpaid, contacts, locale, the daily report or the alerts",
    responses=answers(AccountOut, 404),
)
def patch_account(account_id: AccountId, request: Annotated[AccountPatchIn, Body()]) -> AccountOut:
    account = service.update_account(account_stores(), account_id, request.to_domain())
    return AccountOut.from_domain(account, today())


@router.post(
    "/v1/accounts/<account_id>/recharges",
    summary="Credit a wallet (idempotent by recharge_id)",
    responses=answers(AccountOut, 404, 409, description="The account after the recharge (409 IDEMPOTENCY_KEY_REUSED)"),
)
def recharge(account_id: AccountId, request: Annotated[RechargeIn, Body()]) -> AccountOut:
    account = service.recharge(
        account_stores(), account_id,
        recharge_id=request.recharge_id, wallet=request.wallet, amount=request.amount,
    )
    return AccountOut.from_domain(account, today())


@router.post(
    "/v1/accounts/<account_id>/eid-merchant",
    summary="Grant the E证通 free pack (once)",
    responses=answers(PackAnswer, 404, 409, status=201, description="Created (409 ALREADY_GRANTED)"),
)
def grant_eid_merchant_pack(account_id: AccountId) -> Response[PackAnswer]:
    view = service.grant_eid_merchant_pack(account_stores(), account_id)
    return created(PackAnswer(pack=PackOut.from_domain(view)))


@router.post(
    "/v1/accounts/<account_id>/violations",
    summary="Suspend an account for a violation, or lift that suspension",
    responses=answers(AccountOut, 404, 409, description="The account (409 NOT_SUSPENDED_FOR_VIOLATION)"),
)
def set_violation(account_id: AccountId, request: Annotated[ViolationIn, Body()]) -> AccountOut:
    account = service.set_violation(account_stores(), account_id, suspend=request.suspend)
    return AccountOut.from_domain(account, today())


@router.post(
    "/v1/accounts/<account_id>/keys",
    summary="A new account key, shown once",
    responses=answers(ApiKeyOut, 404, status=201, description="Created"),
)
def create_key(account_id: AccountId) -> Response[ApiKeyOut]:
    return created(ApiKeyOut(api_key=service.create_account_key(account_stores(), account_id)))


@router.post(
    "/v1/accounts/<account_id>/grants",
    summary="An operator's gift pack (活动赠送), idempotent by grant_id",
    responses=answers(PackAnswer, 404, 409, status=201,
                      description="Created (409 NO_PACKS_FOR_TAG, IDEMPOTENCY_KEY_REUSED)"),
)
def grant_pack(account_id: AccountId, request: Annotated[GrantIn, Body()]) -> Response[PackAnswer]:
    view = service.grant_pack(
        account_stores(), account_id,
        grant_id=request.grant_id, billing_tag=request.billing_tag, size=request.size, valid_days=request.valid_days,
    )
    return created(PackAnswer(pack=PackOut.from_domain(view)))
