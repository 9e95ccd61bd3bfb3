"""A Swagger UI page with powertools' bundled assets inlined, so it works with no internet access."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger_ui_assets
from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

_ASSETS = Path(swagger_ui_assets.__file__).parent


@cache
def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def swagger_page(document_json: str) -> str:
    # "</" would end the inline <script> early if a description contained "</script>".
    spec = document_json.replace("</", "<\\/")
    return generate_swagger_html(
        spec,
        _asset("swagger-ui-bundle.min.js"),
        _asset("swagger-ui.min.css"),
        swagger_base_url="",
        oauth2_config=None,
    )
