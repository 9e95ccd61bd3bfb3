"""API.md's error shape: {"error": {"code": "UPPER_SNAKE", "message": "…", "details": [{"field", "problem"}]}}."""

from __future__ import annotations

import json
import re

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def error_shape_problems(status: int, body: bytes) -> list[str]:
    """What is wrong with a refusal's body (nothing: an empty list)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return [f"{status}: the body is not JSON: {body[:200]!r}"]
    if not isinstance(payload, dict) or set(payload) != {"error"} or not isinstance(payload["error"], dict):
        return [f"{status}: not {{\"error\": {{...}}}}: {payload!r}"[:300]]
    error = payload["error"]
    problems = []
    if set(error) != {"code", "message", "details"}:
        problems.append(f"{status}: the error has the keys {sorted(error)}")
    if not isinstance(error.get("code"), str) or not CODE.match(error["code"]):
        problems.append(f"{status}: the code {error.get('code')!r} is not UPPER_SNAKE")
    if not isinstance(error.get("message"), str) or not error["message"]:
        problems.append(f"{status}: the message {error.get('message')!r} is not a text")
    details = error.get("details")
    if not isinstance(details, list) or not all(
            isinstance(d, dict) and set(d) == {"field", "problem"} and all(isinstance(v, str) for v in d.values())
            for d in details):
        problems.append(f"{status}: details {details!r} are not a list of {{field, problem}}"[:300])
    return problems
