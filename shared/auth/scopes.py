"""The one table of who may call which route (API.md): an operator key may call everything; an account
key only the routes marked *(account)*, and only for its own account. Public routes are declared
without an authorizer in template.yaml."""

from __future__ import annotations

from collections.abc import Mapping

from shared.auth.keys import KeyGrant, Scope

ACCOUNT_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/v1/accounts/{account_id}"),
        ("PATCH", "/v1/accounts/{account_id}"),
        ("GET", "/v1/accounts/{account_id}/entitlement"),
        ("POST", "/v1/accounts/{account_id}/packs"),
        ("GET", "/v1/accounts/{account_id}/packs"),
        ("PATCH", "/v1/accounts/{account_id}/packs/{pack_id}"),
        ("POST", "/v1/accounts/{account_id}/packs/{pack_id}/refund"),
        ("GET", "/v1/accounts/{account_id}/bills"),
        ("GET", "/v1/accounts/{account_id}/bills/resources"),
        ("GET", "/v1/accounts/{account_id}/bills/details"),
        ("GET", "/v1/accounts/{account_id}/usage"),
        ("GET", "/v1/accounts/{account_id}/usage/daily"),
        ("GET", "/v1/accounts/{account_id}/messages"),
        ("GET", "/v1/accounts/{account_id}/calls/{request_id}"),
        ("POST", "/v1/accounts/{account_id}/webhooks"),
        ("GET", "/v1/accounts/{account_id}/webhooks"),
        ("DELETE", "/v1/accounts/{account_id}/webhooks/{webhook_id}"),
        ("POST", "/v1/accounts/{account_id}/webhooks/{webhook_id}/secret"),
        ("GET", "/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries"),
        ("POST", "/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"),
    }
)


def may_call(grant: KeyGrant, method: str, resource: str, path_parameters: Mapping[str, str]) -> bool:
    if grant.scope is Scope.OPERATOR:
        return True
    return (method.upper(), resource) in ACCOUNT_ROUTES and path_parameters.get("account_id") == grant.account_id
