"""The API's Lambda authorizer (REQUEST): the bearer key's scope decides, by shared/auth/scopes.py,
whether this route may be called. 401 without a known key, 403 when the key may not call the route."""

from __future__ import annotations

import os
import re

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    DENY_ALL_RESPONSE,
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import init_done
from functions.wiring import open_clients
from functions.wiring.keys import api_keys
from shared.auth.keys import KeyGrant, Scope, bearer_key, key_hash
from shared.auth.scopes import may_call

logger = Logger()
open_clients()


def _grant_for(api_key: str) -> KeyGrant | None:
    hashed = key_hash(api_key)
    operator_hash = os.environ.get("OPERATOR_KEY_HASH")
    if operator_hash and hashed == operator_hash:
        return KeyGrant(scope=Scope.OPERATOR, account_id=None)
    return api_keys().find(hashed)


@event_source(data_class=APIGatewayAuthorizerRequestEvent)
@logger.inject_lambda_context
def handler(event: APIGatewayAuthorizerRequestEvent, context: LambdaContext) -> dict:
    api_key = bearer_key(event.headers.get("Authorization") or event.headers.get("authorization"))
    grant = _grant_for(api_key) if api_key else None
    if grant is None:
        raise Exception("Unauthorized")  # API Gateway's documented signal for 401
    arn = event.parsed_arn
    policy = APIGatewayAuthorizerResponse(
        principal_id=grant.account_id or "operator",
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context={"scope": grant.scope.value, "account_id": grant.account_id or ""},
    )
    if may_call(grant, event.http_method, event.resource, event.path_parameters or {}):
        # The policy serves this one request (ReauthorizeEvery: 0) and may_call has judged its path parameters,
        # so it names the route with wildcards for them: a concrete path may hold characters (%, ~, @, ...)
        # that a policy's resource may not, and powertools raises on those (a 500 for a malformed id).
        policy.allow_route(http_method=event.http_method, resource=re.sub(r"\{[^}]+\}", "*", event.resource))
    else:
        logger.info("route refused for key scope", extra={"scope": grant.scope.value, "resource": event.resource})
        return {**DENY_ALL_RESPONSE, "principalId": policy.principal_id}
    return policy.asdict()


init_done()
