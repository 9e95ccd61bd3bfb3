"""The account's webhooks: register, list, delete, rotate the secret, and the deliveries with their retry."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.api.models.webhooks import (
    DELIVERY_ID_PATTERN,
    WEBHOOK_ID_PATTERN,
    AttemptQueuedOut,
    DeliveriesOut,
    WebhookIn,
    WebhookOut,
    WebhooksOut,
    WebhookWithSecretOut,
)
from functions.wiring.webhooks import webhook_stores
from shared.services import webhooks as service
from shared.web.fields import AccountId
from shared.web.openapi import answers, error_responses

router = APIGatewayRouter()

DEFAULT_PAGE = 20
MAX_PAGE = 100

WebhookId = Annotated[str, Path(pattern=WEBHOOK_ID_PATTERN, description="The webhook's id.")]
DeliveryId = Annotated[str, Path(pattern=DELIVERY_ID_PATTERN, description="The delivery's id.")]


@router.post(
    "/v1/accounts/<account_id>/webhooks",
    summary="Register a webhook; its secret is shown this once",
    responses=answers(WebhookWithSecretOut, 404, 409, status=201, description="Created (409 TOO_MANY_WEBHOOKS)"),
)
def register_webhook(account_id: AccountId, request: Annotated[WebhookIn, Body()]) -> Response[WebhookWithSecretOut]:
    event_types = None if request.event_types is None else [event_type.value for event_type in request.event_types]
    created = service.register(webhook_stores(), account_id, request.url, event_types)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON,
                    body=WebhookWithSecretOut.with_secret(created))


@router.get("/v1/accounts/<account_id>/webhooks", summary="The account's webhooks (no secrets)",
            responses=answers(WebhooksOut, 404))
def list_webhooks(account_id: AccountId) -> WebhooksOut:
    return WebhooksOut(webhooks=[WebhookOut.from_domain(webhook)
                                 for webhook in service.list_webhooks(webhook_stores(), account_id)])


@router.delete("/v1/accounts/<account_id>/webhooks/<webhook_id>", summary="Delete a webhook",
               responses={204: {"description": "Deleted"}, **error_responses(404)})
# No return annotation: the answer is a 204 without a body, which powertools would try to validate as a model.
def delete_webhook(account_id: AccountId, webhook_id: WebhookId):
    service.delete(webhook_stores(), account_id, webhook_id)
    return Response(status_code=204)


@router.post(
    "/v1/accounts/<account_id>/webhooks/<webhook_id>/secret",
    summary="Rotate the secret; deliveries carry both signatures for 24 hours",
    responses=answers(WebhookWithSecretOut, 404),
)
def rotate_webhook_secret(account_id: AccountId, webhook_id: WebhookId) -> WebhookWithSecretOut:
    return WebhookWithSecretOut.with_secret(service.rotate_secret(webhook_stores(), account_id, webhook_id))


@router.get(
    "/v1/accounts/<account_id>/webhooks/<webhook_id>/deliveries",
    summary="The webhook's deliveries, newest first",
    responses=answers(DeliveriesOut, 404),
)
def list_webhook_deliveries(
    account_id: AccountId,
    webhook_id: WebhookId,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Deliveries a page.")] = DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the page before.")] = None,
) -> DeliveriesOut:
    page = service.deliveries(webhook_stores(), account_id, webhook_id, limit=limit, cursor=cursor)
    return DeliveriesOut.from_domain(page)


@router.post(
    "/v1/accounts/<account_id>/webhooks/<webhook_id>/deliveries/<delivery_id>/retry",
    summary="One more attempt of a delivery now, whatever its status",
    responses=answers(AttemptQueuedOut, 404, status=202, description="Accepted: the attempt is queued"),
)
def retry_webhook_delivery(account_id: AccountId, webhook_id: WebhookId,
                           delivery_id: DeliveryId) -> Response[AttemptQueuedOut]:
    service.retry(webhook_stores(), account_id, webhook_id, delivery_id)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON,
                    body=AttemptQueuedOut(delivery_id=delivery_id))
