"""The authorizer's policy names the route with wildcards for its path parameters (functions/authorizer): safe
only because API Gateway never reuses a policy for another request. With caching on, account A's policy
for /v1/accounts/*/usage would let A read B's usage for the cache's lifetime."""

from __future__ import annotations

from infra.local.template import load_template
from tests.support import REPO_ROOT


def test_every_lambda_authorizer_of_the_template_is_called_for_every_request():
    resources = load_template(REPO_ROOT / "template.yaml")["Resources"]
    apis = [resource for resource in resources.values() if resource["Type"] == "AWS::Serverless::Api"]
    authorizers = [authorizer for api in apis
                   for authorizer in ((api["Properties"].get("Auth") or {}).get("Authorizers") or {}).values()]

    assert authorizers, "the API declares its Lambda authorizer"
    for authorizer in authorizers:
        assert authorizer["Identity"]["ReauthorizeEvery"] == 0
