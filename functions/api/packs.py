"""Routes filled in by issue 4."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

router = APIGatewayRouter()
