"""Buying packs (资源包), listing an account's packs, and turning a pack's auto-renewal (自动续费) on or off."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.packs import AutoRenewIn, PackOut, PacksOut, PurchaseIn, PurchaseOut
from functions.wiring.accounts import account_stores
from shared.accounts.models import PackStatus
from shared.services import accounts as service
from shared.services import renewals
from shared.web.fields import AccountId
from shared.web.openapi import answers

router = APIGatewayRouter()


@router.post(
    "/v1/accounts/<account_id>/packs",
    summary="Buy packs of one tier: voucher first, then cash, income and gift (idempotent by purchase_id)",
    responses=answers(
        PurchaseOut, 404, 409, status=201,
        description="Created (409 INSUFFICIENT_BALANCE, NO_PACKS_FOR_TAG, ACCOUNT_SUSPENDED, IDEMPOTENCY_KEY_REUSED)",
    ),
)
def buy_packs(account_id: AccountId, request: Annotated[PurchaseIn, Body()]) -> Response[PurchaseOut]:
    result = service.buy_packs(
        account_stores(), account_id,
        purchase_id=request.purchase_id, billing_tag=request.billing_tag, size=request.size,
        quantity=request.quantity, voucher_amount=request.voucher_amount,
    )
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=PurchaseOut.from_domain(result))


@router.get(
    "/v1/accounts/<account_id>/packs",
    summary="The account's packs, in the order deduction takes them",
    responses=answers(PacksOut, 404),
)
def list_packs(
    account_id: AccountId,
    status: Annotated[PackStatus | None, Query(description="Only packs in this status.")] = None,
) -> PacksOut:
    views = service.list_packs(account_stores(), account_id, status=status)
    return PacksOut(packs=[PackOut.from_domain(view) for view in views])


@router.patch(
    "/v1/accounts/<account_id>/packs/<pack_id>",
    summary="Turn a bought pack's auto-renewal (自动续费) on or off",
    description="With auto_renew on, the pack-lifecycle run that expires the pack buys one of the same tag and size "
                "from the balance (purchase_id renew:<pack_id>); a refused purchase is tried again daily for 7 days.",
    responses=answers(PackOut, 404, 409, description="The pack (409 NOT_RENEWABLE_ORIGIN, PACK_ENDED)"),
)
def patch_pack(
    account_id: AccountId,
    pack_id: Annotated[str, Path(min_length=1, max_length=128, description="The pack's id.")],
    request: Annotated[AutoRenewIn, Body()],
) -> PackOut:
    view = renewals.set_auto_renew(account_stores(), account_id, pack_id, auto_renew=request.auto_renew)
    return PackOut.from_domain(view)
