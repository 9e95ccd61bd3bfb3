"""One package per Lambda function; template.yaml names each handler `functions/<folder>/app.handler`.

In Lambda, importing a handler is the function's init phase, on every cold start's path. What it builds
(boto3's clients and service models, pydantic's validators, the price book) lives as long as the process,
so the collector's passes during the import free nothing, yet a full pass over what boto3 alone creates costs
tens of ms. The collector is therefore paused from here until the handler module calls `init_done()` as its
last statement, which freezes those objects out of every later collection (`gc.freeze`) and resumes it.
Outside Lambda (tests, the local stack) nothing changes.
"""

import gc
import os

_IN_LAMBDA = "AWS_LAMBDA_FUNCTION_NAME" in os.environ

if _IN_LAMBDA:
    gc.disable()


def init_done() -> None:
    if _IN_LAMBDA:
        gc.freeze()
        gc.enable()
