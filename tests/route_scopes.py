"""The scope every route of template.yaml needs, as the tests expect it: `none` (no key), `account` (an account
key, for its own account) or `operator`. A route added to the template without an entry here fails
tests/unit/security/test_route_scope_table.py, and tests/e2e/test_route_scopes.py calls every route with
every kind of key."""

from __future__ import annotations

import re
from pathlib import Path

NONE, ACCOUNT, OPERATOR = "none", "account", "operator"

ROUTE_SCOPES: dict[tuple[str, str], str] = {
    ("GET", "/v1/catalog"): NONE,
    ("GET", "/v1/quote"): NONE,
    ("GET", "/v1/openapi.json"): NONE,
    ("GET", "/v1/docs"): NONE,
    ("GET", "/v1/accounts"): OPERATOR,
    ("POST", "/v1/accounts"): OPERATOR,
    ("GET", "/v1/accounts/{account_id}"): ACCOUNT,
    ("PATCH", "/v1/accounts/{account_id}"): ACCOUNT,
    ("POST", "/v1/accounts/{account_id}/recharges"): OPERATOR,
    ("POST", "/v1/accounts/{account_id}/eid-merchant"): OPERATOR,
    ("POST", "/v1/accounts/{account_id}/violations"): OPERATOR,
    ("POST", "/v1/accounts/{account_id}/keys"): OPERATOR,
    ("POST", "/v1/accounts/{account_id}/grants"): OPERATOR,
    ("GET", "/v1/accounts/{account_id}/entitlement"): ACCOUNT,
    ("POST", "/v1/calls"): OPERATOR,
    ("POST", "/v1/accounts/{account_id}/packs"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/packs"): ACCOUNT,
    ("PATCH", "/v1/accounts/{account_id}/packs/{pack_id}"): ACCOUNT,
    ("POST", "/v1/accounts/{account_id}/packs/{pack_id}/refund"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/bills"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/bills/resources"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/bills/details"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/usage"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/usage/daily"): ACCOUNT,  # not in API.md: the console's usage chart
    ("GET", "/v1/accounts/{account_id}/messages"): ACCOUNT,
    ("POST", "/v1/accounts/{account_id}/webhooks"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/webhooks"): ACCOUNT,
    ("DELETE", "/v1/accounts/{account_id}/webhooks/{webhook_id}"): ACCOUNT,
    ("POST", "/v1/accounts/{account_id}/webhooks/{webhook_id}/secret"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries"): ACCOUNT,
    ("POST", "/v1/accounts/{account_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): ACCOUNT,
    ("GET", "/v1/accounts/{account_id}/calls/{request_id}"): ACCOUNT,
    ("GET", "/v1/reports/revenue"): OPERATOR,
    ("GET", "/v1/reconciliation"): OPERATOR,
}

_ROUTE = re.compile(r"`(GET|POST|PATCH|PUT|DELETE) (/v1[^`?\s]*)")


def _marker(text: str) -> str | None:
    if "*(no key needed)*" in text:
        return NONE
    if "*(account)*" in text:
        return ACCOUNT
    if "*(operator" in text:
        return OPERATOR
    return None


def api_md_scopes(api_md: Path) -> dict[tuple[str, str], str]:
    """The routes API.md lists with the scope it gives them: a route's own marker, else its section's, else
    operator (an operator key may do everything; an account key only what is marked *(account)*)."""
    scopes = {}
    section = OPERATOR
    for line in api_md.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            if line.startswith("## Schedules"):
                break
            section = _marker(line) or OPERATOR
        for match in _ROUTE.finditer(line):
            scopes[(match.group(1), match.group(2))] = _marker(line) or section
    return scopes
