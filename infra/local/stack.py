"""The whole system on one machine: the template's functions behind an HTTP server, its tables and
topics on the embedded emulator, its schedules on a clock that the /_local paths control."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.local import provision
from infra.local.aws import LOCAL_ACCOUNT_ID, LOCAL_REGION, EmbeddedAws
from infra.local.clock import ClockBackwards, LocalClock, Scheduler, Ticker, scheduled_jobs, scheduler_input
from infra.local.event_sources import EventSources
from infra.local.functions import LocalFunction
from infra.local.gateway import (
    HttpRequest,
    HttpResponse,
    RouteTable,
    api_error,
    authorizer_event,
    method_arn,
    method_not_allowed,
    policy_allows,
    proxy_event,
    proxy_response,
)
from infra.local.intrinsics import PhysicalResources
from infra.local.metrics import MetricsRecorder, capture, release
from infra.local.schedule_expressions import parse_iso_duration
from infra.local.static import StaticSite
from infra.local.template import ApiRoute, DueIndexSpec, ScheduleSpec, StackTemplate, TemplateError, load_template
from shared import clock as system_clock
from shared.auth.keys import key_hash
from shared.instants import format_instant, parse_instant
from shared.store.transactions import sortable_instant

logger = logging.getLogger(__name__)

# What the local stack sets in every function: no X-Ray daemon to trace to; metrics on, as in Lambda, whatever the
# shell says (POWERTOOLS_DEV turns them off): their EMF documents go to stdout and to GET /_local/metrics.
LOCAL_FUNCTION_ENVIRONMENT = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "false",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


@dataclass(frozen=True)
class LocalStackOptions:
    template_path: Path
    host: str = "127.0.0.1"
    port: int = 3000
    clock_start: datetime | None = None
    parameter_overrides: dict[str, str] | None = None
    operator_key: str | None = None
    verbose: bool = False
    # The ticker that fires schedules as the running clock passes them and drains the event sources in the
    # background; a test that moves the clock and drains the sources itself turns it off to stay deterministic.
    background: bool = True

    def parameters(self) -> dict[str, str]:
        # Webhooks reach this machine alone: nothing a test or a demo registers can send beyond it.
        parameters = {"WebhookTargets": "loopback", **(self.parameter_overrides or {})}
        if self.operator_key:
            parameters["OperatorKeyHash"] = key_hash(self.operator_key)
        return parameters


class LocalStack:
    def __init__(self, options: LocalStackOptions):
        self.options = options
        self.template = StackTemplate(options.template_path, load_template(options.template_path))
        self.clock = LocalClock(options.clock_start or datetime.now(UTC))
        self.aws = EmbeddedAws(self.clock.now)
        self.physical = PhysicalResources(region=LOCAL_REGION, account_id=LOCAL_ACCOUNT_ID, stack_name="billing-local")
        self.functions: dict[str, LocalFunction] = {}
        self.routes = RouteTable([])
        self.static_sites = [StaticSite(spec.url_path, spec.directory) for spec in self.template.static_sites()]
        self.scheduler: Scheduler | None = None
        self.event_sources = EventSources([])
        self.metrics = MetricsRecorder(self.clock.now)
        self._ticker: Ticker | None = None
        self._due_reader: Any = None  # the DynamoDB client that reads FireWhenDue indexes
        self._due_answer: tuple[tuple[Any, ...], datetime | None] | None = None  # its last answer, and to what
        self._http = None
        self.ready = False

    # -- start and stop ---------------------------------------------------------------------------

    def start(self) -> None:
        self.aws.start()
        os.environ.update(self.aws.client_environment())
        self.physical.parameters = self.template.parameter_values(self.options.parameters())
        jobs = scheduled_jobs(provision.provision(self.aws.client, self.template, self.physical))
        capture(self.metrics)  # before the handlers are imported: see infra/local/metrics.py
        self._load_functions()
        self.event_sources = EventSources.from_template(
            self.template.event_sources(), self.functions, self.physical, self.aws.client,
            writes=lambda: self.aws.writes,
        )
        system_clock.use_clock(self.clock)
        self.routes = RouteTable(self.template.api_routes())
        self.scheduler = Scheduler(self.clock, jobs, self._run_scheduled_job, self._next_due)
        from infra.local.server import LocalHttpServer

        self._http = LocalHttpServer(self.options.host, self.options.port, self.handle, self.options.verbose)
        self._http.start()
        if self.options.background:
            self._ticker = Ticker([self.scheduler.tick, lambda: self.event_sources.drain(force=True)])
            self._ticker.start()
        self.ready = True

    def _load_functions(self) -> None:
        """Every function sees the environment the template gives it (they share this process)."""
        environment = provision.function_environment(self.template, self.physical)
        os.environ.update({**environment, **LOCAL_FUNCTION_ENVIRONMENT})
        for spec in self.template.functions().values():
            function = LocalFunction(spec, self.physical.get_att(spec.logical_id, "Arn"))
            self.functions[spec.logical_id] = function
            function.load()

    def stop(self) -> None:
        self.ready = False
        if self._ticker is not None:
            self._ticker.stop()
        if self._http is not None:
            self._http.stop()
        release(self.metrics)
        self.aws.stop()

    @property
    def base_url(self) -> str:
        assert self._http is not None, "start() first"
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    # -- requests ---------------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            if request.path == "/_local" or request.path.startswith("/_local/"):
                return self._handle_local(request)
            site = next((site for site in self.static_sites if site.covers(request.path)), None)
            if site is not None:
                return site.serve(request)
            return self._handle_api(request)
        except Exception:
            logger.exception("local stack failed on %s %s", request.method, request.path)
            return api_error(500, "INTERNAL_ERROR", "The local stack failed; see its log.")

    def _handle_api(self, request: HttpRequest) -> HttpResponse:
        matched = self.routes.match(request.method, request.path)
        if matched is None:
            allowed = self.routes.allowed_methods(request.path)
            if allowed:
                return method_not_allowed(request.method, request.path, allowed)
            return api_error(404, "NOT_FOUND", f"No route {request.method} {request.path}.")
        route, path_parameters = matched
        authorizer_context = None
        if route.authorizer is not None:
            outcome = self._authorize(request, route, path_parameters)
            if isinstance(outcome, HttpResponse):
                return outcome
            authorizer_context = outcome
        event = proxy_event(request, route, path_parameters, authorizer_context)
        response = proxy_response(self.functions[route.function_id].invoke(event))
        self.event_sources.drain()
        return response

    def _authorize(self, request: HttpRequest, route: ApiRoute, path_parameters: dict[str, str]):
        """Run the API's Lambda authorizer: its context on success, else the gateway's own refusal."""
        declaration = (self.template.api_auth(route.api_id).get("Authorizers") or {}).get(route.authorizer)
        if declaration is None:
            raise TemplateError(f"authorizer {route.authorizer} is not declared on {route.api_id}")
        function_id = self.physical.resolve(declaration["FunctionArn"]).rsplit(":", 1)[-1]
        kind = declaration.get("FunctionPayloadType", "TOKEN")
        identity = declaration.get("Identity") or {}
        header = identity.get("Header") or (identity.get("Headers") or ["Authorization"])[0]
        # API Gateway refuses a request that lacks an identity source before calling the authorizer.
        if not any(k.lower() == header.lower() for k, _ in request.headers):
            return self._gateway_response(route, "UNAUTHORIZED", 401)
        event = authorizer_event(kind, header, request, route, path_parameters)
        try:
            policy = self.functions[function_id].invoke(event)
        except Exception as error:
            if str(error) == "Unauthorized":
                return self._gateway_response(route, "UNAUTHORIZED", 401)
            logger.exception("authorizer %s failed", function_id)
            return self._gateway_response(route, "AUTHORIZER_FAILURE", 500)
        if not policy_allows(policy, method_arn(request, route)):
            return self._gateway_response(route, "ACCESS_DENIED", 403)
        return {"principalId": policy.get("principalId"), **(policy.get("context") or {})}

    def _gateway_response(self, route: ApiRoute, response_type: str, default_status: int) -> HttpResponse:
        """API Gateway's answer when it refuses a request itself, shaped by the template's GatewayResponses."""
        declared = self.template.gateway_responses(route.api_id).get(response_type) or {}
        status = int(declared.get("StatusCode", default_status))
        template = ((declared.get("ResponseTemplates") or {}).get("application/json"))
        if template is None:
            messages = {401: "Unauthorized", 403: "User is not authorized to access this resource"}
            return HttpResponse.json(status, {"message": messages.get(status, "Internal server error")})
        return HttpResponse(status, [("Content-Type", "application/json")], str(template).encode())

    # -- /_local ----------------------------------------------------------------------------------

    def _handle_local(self, request: HttpRequest) -> HttpResponse:
        path = request.path.rstrip("/")
        if path.startswith("/_local/jobs/"):
            methods = {"POST": lambda _: self._run_job_now(path.removeprefix("/_local/jobs/"))}
        else:
            methods = self._local_paths().get(path)
        if methods is None:
            return api_error(404, "NOT_FOUND", f"No local route {request.method} {request.path}.")
        answer = methods.get(request.method)
        if answer is None:
            return method_not_allowed(request.method, request.path, sorted(methods))
        return answer(request)

    def _local_paths(self) -> dict[str, dict[str, Callable[[HttpRequest], HttpResponse]]]:
        return {
            "/_local/health": {"GET": lambda _: self._health()},
            "/_local/clock": {"GET": lambda _: HttpResponse.json(200, {"now": format_instant(self.clock.now())}),
                              "POST": self._move_clock},
            "/_local/jobs": {"GET": lambda _: HttpResponse.json(200, {
                "jobs": [self._describe(spec) for spec in self._schedule_specs()]})},
            "/_local/outbox": {"GET": lambda _: HttpResponse.json(200, {"messages": self.outbox()})},
            "/_local/metrics": {"GET": self._metrics},
        }

    def _health(self) -> HttpResponse:
        if not self.ready:
            return api_error(503, "STARTING", "The local stack is starting.")
        return HttpResponse.json(200, {"status": "ok", "now": format_instant(self.clock.now())})

    def _metrics(self, request: HttpRequest) -> HttpResponse:
        """What the functions emitted as CloudWatch metrics, oldest first; `?name=` (again for more) keeps those."""
        names = [value for key, value in request.query if key == "name"]
        return HttpResponse.json(200, {"metrics": self.metrics.values(names)})

    def _move_clock(self, request: HttpRequest) -> HttpResponse:
        try:
            body = json.loads(request.body or b"{}")
            if not isinstance(body, dict) or ("now" in body) == ("advance" in body):
                raise ValueError('give exactly one of "now" (RFC 3339) or "advance" (ISO 8601 duration)')
            fire = body.get("fire", True)
            if not isinstance(fire, bool):
                raise ValueError('"fire" must be true or false')
            if "now" in body:
                target = parse_instant(str(body["now"]))
            else:
                target = self.clock.now() + parse_iso_duration(str(body["advance"]))
        except ValueError as error:
            return api_error(400, "VALIDATION_ERROR", str(error))
        assert self.scheduler is not None
        try:
            runs = self.scheduler.move_to(target, fire=fire)
        except ClockBackwards as error:
            return api_error(409, "CLOCK_BACKWARDS", str(error))
        return HttpResponse.json(200, {
            "now": format_instant(self.clock.now()),
            "runs": [{"job": run.job, "at": format_instant(run.at), "ok": run.ok} for run in runs],
        })

    def _schedule_specs(self) -> list[ScheduleSpec]:
        return self.scheduler.jobs() if self.scheduler is not None else []

    @staticmethod
    def _describe(spec: ScheduleSpec) -> dict[str, Any]:
        described = {"job": spec.job, "function": spec.function_id, "schedule": spec.expression,
                     "timezone": spec.timezone}
        if spec.fire_when_due is not None:  # its expression is AWS's; the local clock fires it when something is due
            described["fires_when_due"] = spec.fire_when_due.index
        return described

    def _next_due(self, index: DueIndexSpec, after: datetime) -> datetime | None:
        """The earliest instant of a FireWhenDue index after `after` (its sort key holds sortable UTC instants). The
        scheduler asks after every job it runs; one that wrote nothing (most arrears checks) cannot have changed the
        index, so its answer stands without a query."""
        key = (index, after, self.aws.writes)
        if self._due_answer is not None and self._due_answer[0] == key:
            return self._due_answer[1]
        if self._due_reader is None:
            self._due_reader = self.aws.client("dynamodb")
        answer = self._due_reader.query(
            TableName=self.physical.resolve(index.table), IndexName=index.index, Limit=1,
            KeyConditionExpression="#partition = :partition AND #due > :after",
            ExpressionAttributeNames={"#partition": index.partition_key, "#due": index.sort_key},
            ExpressionAttributeValues={":partition": {"S": index.partition_value},
                                       ":after": {"S": sortable_instant(after)}},
        )
        items = answer.get("Items", [])
        due = datetime.fromisoformat(items[0][index.sort_key]["S"]) if items else None
        self._due_answer = (key, due)
        return due

    def _run_job_now(self, job: str) -> HttpResponse:
        spec = next((spec for spec in self._schedule_specs() if spec.job == job), None)
        if spec is None:
            return api_error(404, "NOT_FOUND", f"No job {job!r}; GET /_local/jobs lists them.")
        at = self.clock.now()
        ok = self._run_scheduled_job(spec, at)
        return HttpResponse.json(200, {"job": job, "at": format_instant(at), "ok": ok})

    def _run_scheduled_job(self, spec: ScheduleSpec, at: datetime) -> bool:
        try:
            self.functions[spec.function_id].invoke(scheduler_input(spec.payload, at, spec.job))
        except Exception:
            logger.exception("job %s at %s failed", spec.job, at.isoformat())
            return False
        finally:
            self.event_sources.drain()
        return True

    def outbox(self) -> list[dict[str, Any]]:
        """What the system sent to customers, oldest first: SMS to phone numbers and e-mail by SES (what goes to
        topics is the system's own events)."""
        messages = []
        for publication in list(self.aws.publications):
            if publication.phone_number:
                channel = "sms"
            elif publication.email_address:
                channel = "email"
            else:
                continue
            messages.append({
                "account_id": publication.attributes.get("account_id"),
                "channel": channel,
                "type": publication.attributes.get("notice_type"),
                "subject": publication.subject,
                "text": publication.message,
                "at": format_instant(publication.at),
            })
        return messages
