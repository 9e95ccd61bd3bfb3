"""The answer of a new account key."""

from __future__ import annotations

from pydantic import Field

from shared.web.model import AnswerModel


class ApiKeyOut(AnswerModel):
    api_key: str = Field(description="Shown once: only its SHA-256 is stored.")
