"""Helpers the integration and end-to-end tests share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
EVENTS_DIR = Path(__file__).resolve().parent / "events"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    def __init__(self, base_url: str, headers: dict[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self.headers = headers or {}

    def with_key(self, api_key: str) -> HttpClient:
        return HttpClient(self.base_url, {**self.headers, "Authorization": f"Bearer {api_key}"})

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={**self.headers, **(headers or {})})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers.items()), error.read())

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.request("POST", path, body=body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.request("PATCH", path, body=body, **kwargs)


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))


class StackProcess:
    """`python -m infra.local` in a child process, as `make run` starts it; stopped on exit."""

    def __init__(self, environment: dict[str, str]):
        env = {**os.environ, "BILLING_LOCAL_PORT": "0", **environment}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self.base_url = self._wait_until_ready()

    def _wait_until_ready(self) -> str:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.output.append(line)
            if line.startswith("Local stack ready on "):
                return line.split()[4]
        raise RuntimeError("the local stack exited before it was ready:\n" + "".join(self.output))

    def __enter__(self) -> HttpClient:
        # Keep reading what the stack prints (its functions' metric documents, its log), so that a full pipe never
        # blocks it; subclasses may read their own lines before this.
        threading.Thread(target=self._keep_reading, name="stack-output", daemon=True).start()
        return HttpClient(self.base_url)

    def _keep_reading(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.output.append(line)

    def __exit__(self, *_: Any) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
