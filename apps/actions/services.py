"""Running a route: `route_run` records and dispatches an action, `run_action` calls the upstream.

Every surface (run form, API, SDK, MCP, tasks) goes through these two functions. The Action
row is the source of truth; its status changes only through `action_transition`, a conditional
UPDATE (with a paid run's charge settled in its transaction), so a terminal status never changes
and two workers can never both run one action.
"""

import base64
import contextlib
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from apps.accounts.models import Organization
from apps.accounts.services import personal_org
from apps.actions.liveness import worker_claim_fields, worker_holding
from apps.actions.models import ACTIVE_STATUSES, Action, ActionAsset, ActionLog, Status
from apps.actions.outputs import output_assets_store
from apps.actions.selectors import action_by_id, route_run_loaded
from apps.actions.task_backend import queue_runs_inline
from apps.actions.transitions import action_transition
from apps.actions.webhooks import webhook_token_new, webhook_url
from apps.assets.io import (
    InputAssetError,
    input_assets_inject,
    input_assets_resolve,
)
from apps.assets.models import File
from apps.assets.selectors import asset_can_view, asset_for_viewer
from apps.assets.services import file_read
from apps.billing.services import run_price, usage_reserve
from apps.routes.models import ExecutionMode, Route
from apps.routes.schema_form import FormInputError, body_encoding, inputs_validate
from apps.routes.selectors import route_spec_context
from apps.services.models import AuthMethod, Service
from apps.services.outbound import OutboundError, outbound_request
from apps.services.request_body import (
    BodyEncodeError,
    WireFile,
    body_encode,
    file_ref,
    file_refs,
    media_kind,
)
from apps.services.upstream import (
    UpstreamSlot,
    upstream_policy,
    upstream_slot,
    upstream_slot_or_busy,
)

log = logging.getLogger(__name__)

REDACTED = "[redacted]"
# Images up to this size are kept (base64) so the action page can show them inline.
INLINE_IMAGE_BYTES = 2 * 1024 * 1024
TEXT_KEEP_CHARS = 100_000
BODYLESS_METHODS = ("GET", "HEAD", "DELETE", "OPTIONS")
# A queued run whose service has all its calls in flight is handed to the queue again this
# much later (seconds), still queued.
BUSY_REQUEUE_SECONDS = 1

_SYNC_RUNNER: ThreadPoolExecutor | None = None
_SYNC_RUNNER_LOCK = threading.Lock()


def route_inputs_validate(*, route: Route, inputs: dict) -> dict:
    """The inputs checked and coerced against the route's schemas, or FormInputError."""
    components, version = route_spec_context(route)
    return inputs_validate(
        parameters=route.parameters,
        request_body=route.request_body,
        inputs=inputs,
        components=components,
        openapi_version=version,
    )


def _inputs_checked_with_assets(*, route: Route, inputs: dict, resolved: list) -> dict:
    """The inputs checked as the upstream will get them: the declared input assets injected
    into the body (a body the caller left out included); kept without them, since they are
    injected again, freshly signed, when the run is sent."""
    if not resolved or not isinstance(inputs.get("body") or {}, dict):
        return route_inputs_validate(route=route, inputs=inputs)
    body = input_assets_inject(body=inputs.get("body"), resolved=resolved)
    clean = route_inputs_validate(route=route, inputs={**inputs, "body": body})
    if isinstance(clean["body"], dict):
        injected = {item.name for item in resolved}
        rest = {key: value for key, value in clean["body"].items() if key not in injected}
        clean["body"] = rest if rest or inputs.get("body") is not None else None
    return clean


def _sends_files(media_type: str | None) -> bool:
    return bool(media_type) and media_kind(media_type) in ("multipart", "file")


def body_files_check(*, user, inputs: dict) -> dict[str, File]:
    """The file assets a multipart or single-file body refers to ({"assetId": ...}), each one
    the user may see; FormInputError naming the field otherwise."""
    if not _sends_files(inputs.get("content_type")):
        return {}
    files, errors = {}, {}
    for path, ref in file_refs(inputs.get("body")):
        file = asset_for_viewer(user=user, asset_id=ref, model=File) if _is_uuid(ref) else None
        if file is None:
            errors[path] = "No file with that id that you may use"
        else:
            files[ref] = file
    if errors:
        raise FormInputError(errors)
    return files


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def route_run(
    *,
    route: Route,
    user,
    inputs: dict,
    org: Organization | None = None,
    source: str = "api",
    prefer_async: bool = False,
    currency: str | None = None,
) -> Action:
    """Check, record and dispatch one run of a route.

    `inputs` = {"body", "query", "parameters", "headers", "input_assets": {name: asset id}}.
    Raises PermissionDenied, FormInputError with per-field errors, PricingError,
    PaymentRequired or (a run made now whose service has all its calls in flight here)
    UpstreamBusy; then nothing is recorded, charged or sent upstream. A paid run holds its
    price from here until it ends. Async routes and `prefer_async` go through the task queue;
    otherwise the run happens now, waiting at most `route.sync_timeout_seconds`.
    """
    if not asset_can_view(user=user, asset=route):
        raise PermissionDenied("You may not run this route")
    price = run_price(route=route, user=user, currency=currency)
    requested = {
        name: str(ref.get("assetId") if isinstance(ref, dict) else ref)
        for name, ref in (inputs.get("input_assets") or {}).items()
        if ref
    }
    try:
        resolved = input_assets_resolve(route=route, user=user, requested=requested)
    except InputAssetError as exc:
        raise FormInputError({f"input_assets.{exc.name}": exc.message}) from None
    clean = _inputs_checked_with_assets(route=route, inputs=inputs, resolved=resolved)
    body_files_check(user=user, inputs=clean)

    org = org or personal_org()
    action = Action(
        route=route,
        user=user,
        org=org,
        team=org.default_team,
        source=source,
        metadata={**clean, "input_assets": requested},
        paid=price is not None,
    )
    queued = prefer_async or route.execution_mode == ExecutionMode.ASYNC
    webhook_token = None
    slot = UpstreamSlot()
    if not queued:
        # A place among the service's calls in flight, taken before anything is recorded: over
        # the limit the run is refused (429) with nothing recorded or held.
        slot = upstream_slot_or_busy(route.service_id)
        # Run here and now: no worker can pick it up, so it is recorded already claimed, with
        # its callback capability, in the one write (instead of an insert and a claim).
        webhook_token, action.webhook_token_hash = webhook_token_new()
        action.status, action.started_at = Status.IN_PROGRESS, action.created_at
    try:
        # One statement needs no transaction: on SQLite the write lock is then held only while
        # the row is written, not while Python runs between BEGIN and COMMIT.
        with transaction.atomic() if resolved or price else contextlib.nullcontext():
            action.save(force_insert=True)
            if price is not None:
                usage_reserve(action=action, route=route, price=price)
            if resolved:
                ActionAsset.objects.bulk_create(
                    ActionAsset(
                        action=action,
                        asset=item.asset,
                        role=ActionAsset.Role.INPUT,
                        name=item.name,
                        is_primary=item.is_primary,
                    )
                    for item in resolved
                )
    except BaseException:
        slot.release()
        raise
    if queued:
        action_enqueue(action=action)
        action.refresh_from_db()  # an eager queue (tests, TASKS_EAGER) has already run it
        action.route, action.user = route, user
        return action
    finished = action_run_bounded(
        action=action,
        route=route,
        webhook_token=webhook_token,
        wait_seconds=route.sync_timeout_seconds or 60,
        slot=slot,
    )
    # Still running (the pool's thread has that object): show a fresh copy as it is now.
    action = finished or action_by_id(action.pk)
    if not resolved and not route.output_assets:
        # It has no asset links: spare the serializers the query for them.
        action.asset_links = []
    action.route, action.user = route, user  # spare the serializers two look-ups
    return action


QUEUE_REFUSED = (
    "The task queue could not take this run, so it never started (anything held for it was "
    "released); try again in a moment, or ask an administrator to check the queue"
)


def action_enqueue(*, action: Action) -> None:
    """Hand the action to the task queue once the row is committed (workers must see it).

    A queue that refuses it (Redis down, a full disk) ends the run at once as an error, which
    releases its charge, instead of leaving it queued until the reaper gives up on it.
    """
    from apps.actions.tasks import run_action_task

    action_id = str(action.pk)

    def hand_over() -> None:
        try:
            run_action_task.enqueue(action_id=action_id)
        except Exception:
            log.exception("The task queue refused action %s", action_id)
            action_fail(action=action, message=QUEUE_REFUSED)

    transaction.on_commit(hand_over)


def _sync_runner() -> ThreadPoolExecutor:
    """The threads that run sync actions for web requests; they keep their DB connections."""
    global _SYNC_RUNNER
    with _SYNC_RUNNER_LOCK:
        if _SYNC_RUNNER is None:
            _SYNC_RUNNER = ThreadPoolExecutor(
                max_workers=settings.SYNC_RUN_THREADS, thread_name_prefix="sync-run"
            )
        return _SYNC_RUNNER


def action_run_bounded(
    *,
    action: Action,
    route: Route,
    webhook_token: str,
    wait_seconds: float,
    slot: UpstreamSlot | None = None,
) -> Action | None:
    """Run a claimed action now, but answer after `wait_seconds` at most.

    The run happens on a pooled thread and the caller waits for it with a timeout. A run still
    going after that keeps going in the background (the pool's threads are joined at a
    graceful shutdown) and the caller answers with the action as it is then (202, poll for the
    rest). An action left behind by a killed process is ended by the reaper. Inside an open
    transaction another connection could not see the new row yet, so the run happens inline.

    `route` is the action's route with its service, as the run loaded it; `slot`, the run's
    place among its service's calls, is released when the run ends.
    Returns the action as the run left it, or None when the wait ran out first.
    """
    slot = slot or UpstreamSlot()
    if connection.in_atomic_block:
        with slot:
            _run_claimed(action, webhook_token, route=route)
        return action
    try:
        future = _sync_runner().submit(_run_on_pool, action, webhook_token, route, slot)
    except BaseException:
        slot.release()
        raise
    try:
        future.result(timeout=wait_seconds)
    except FutureTimeout:
        return None
    return action


def _run_on_pool(action: Action, webhook_token: str, route: Route, slot: UpstreamSlot) -> None:
    # Like a request: drop a connection that is broken or past CONN_MAX_AGE, before and after.
    close_old_connections()
    try:
        with slot:
            _run_claimed(action, webhook_token, route=route)
    finally:
        close_old_connections()


def run_action(action: Action | Any) -> None:
    """Claim a queued action and call the upstream. Always ends terminal or in-progress.

    Takes the action or its id (a queued task); another worker's claim or a cancel wins. In a
    worker process the claim records the worker, whose heartbeats then show the run is held
    until the upstream answers (apps.actions.liveness).
    """
    if not isinstance(action, Action):
        action_id = action
        action = action_by_id(action_id)
        if action is None:
            log.warning("run_action: no action %s", action_id)
            return
    route = route_run_loaded(action.route_id)  # with its service; None once archived
    slot = _queued_slot(action, route)
    if slot is None:
        return  # the service has all its calls in flight: it waits in the queue
    with slot:
        _claim_and_run(action, route)


def _queued_slot(action: Action, route: Route | None) -> UpstreamSlot | None:
    """A queued run's place among its service's calls in flight in this process
    (UPSTREAM_MAX_CONCURRENCY_PER_SERVICE), or None when all are taken. The run is then not
    claimed: it stays queued and is handed to the queue again a moment later, so one slow
    upstream holds no more worker threads than its limit. A queue that runs work inline
    (TASKS_EAGER) has no later: there the caller waits for a place, as long as a call may take.
    """
    if route is None or action.status != Status.QUEUED:
        return UpstreamSlot()  # nothing to call, or not this worker's to run: the claim says
    if not queue_runs_inline():
        slot = upstream_slot(route.service_id)
        if slot is None:
            _enqueue_again(action)
        return slot
    slot = upstream_slot(route.service_id, wait=settings.UPSTREAM_TOTAL_TIMEOUT)
    if slot is None:
        action_fail(
            action=action,
            message="This service's upstream stayed busy with other runs "
            "(UPSTREAM_MAX_CONCURRENCY_PER_SERVICE) for as long as a call may take",
        )
    return slot


def _enqueue_again(action: Action) -> None:
    from apps.actions.tasks import run_action_task

    later = timezone.now() + timedelta(seconds=BUSY_REQUEUE_SECONDS)
    try:
        run_action_task.using(run_after=later).enqueue(action_id=str(action.pk))
    except Exception:
        log.exception("The task queue refused action %s", action.pk)
        action_fail(action=action, message=QUEUE_REFUSED)


def _claim_and_run(action: Action, route: Route | None) -> None:
    # Every run gets a callback capability: an upstream may answer 202 even on a sync route.
    token, token_hash = webhook_token_new()
    if not action_transition(
        action=action,
        to=Status.IN_PROGRESS,
        expected=(Status.QUEUED,),
        started_at=timezone.now(),
        webhook_token_hash=token_hash,
        **worker_claim_fields(),
    ):
        return  # another worker has it, or it was canceled
    with worker_holding(action.pk):
        _run_claimed(action, token, route=route)


def _run_claimed(action: Action, webhook_token: str, *, route: Route | None = None) -> None:
    """Call the upstream for an action this caller holds in progress; never raises.

    `route`: the action's route with its service, when the caller has it loaded."""
    try:
        _call_upstream(action, webhook_token=webhook_token, route=route)
    except Exception:
        log.exception("Unexpected error while running action %s", action.pk)
        action_fail(
            action=action,
            message="An internal error stopped this run before it finished; "
            "the administrators can find the details in the server log",
        )


def external_error(message: str, upstream_status: int | None = None) -> dict:
    """The action response of a failed run, as the official clients read it (CONTRACT §5)."""
    error = {
        "type": "external_service_error",
        "code": "external_service_error",
        "message": message,
        "status": 500,
    }
    if upstream_status is not None:
        error["upstreamStatus"] = upstream_status
    return {"statusCode": 500, "error": error}


def action_fail(
    *, action: Action, message: str, upstream_status: int | None = None, **fields
) -> bool:
    changed = action_transition(
        action=action,
        to=Status.ERROR,
        expected=ACTIVE_STATUSES,
        response=external_error(message, upstream_status),
        error_message=message,
        **fields,
    )
    if changed:
        action.log_system(message, level=ActionLog.Level.ERROR)
    return changed


def upstream_url(*, service: Service, path: str, values: dict) -> str:
    """Base URL + path, each `{name}` replaced by its percent-encoded value."""
    for name, value in values.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        path = path.replace("{" + name + "}", quote(text, safe=""))
    return service.base_url.rstrip("/") + "/" + path.lstrip("/")


def _wire(value: Any) -> Any:
    """Query and header values as text, booleans the way JSON writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value if isinstance(value, str) else str(value)


def _authenticate(service: Service, headers: dict, query: dict) -> tuple[list[str], list[str]]:
    """Add the service's credential at the last moment.

    Returns the header/query names that carry it and the secret strings as sent, so both
    can be kept out of everything stored.
    """
    method = service.auth_method
    if method == AuthMethod.NONE or not service.credential_encrypted:
        return [], []
    secret = service.credential()
    if method == AuthMethod.API_KEY_HEADER:
        name = service.auth_param_name or "X-API-Key"
        headers[name] = secret
        return [name], [secret]
    if method == AuthMethod.API_KEY_QUERY:
        name = service.auth_param_name or "api_key"
        query[name] = secret
        return [name], [secret]
    sent = secret
    if method == AuthMethod.BEARER:
        headers["Authorization"] = f"Bearer {secret}"
    elif method == AuthMethod.BASIC:
        sent = base64.b64encode(secret.encode()).decode()
        headers["Authorization"] = f"Basic {sent}"
    elif method == AuthMethod.OURO:
        headers["Authorization"] = f"Basic {secret}"
    return ["Authorization"], [secret, sent]


def _scrub(value: Any, secrets: list[str]) -> Any:
    """The value with any secret replaced, for upstreams that echo what they received."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            if secret:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    return value


def _redact(values: dict, secret_names: list[str]) -> dict:
    lowered = {n.lower() for n in secret_names} | {"ouro-webhook-token", "authorization"}
    return {k: (REDACTED if k.lower() in lowered else v) for k, v in values.items()}


def _wire_files(user, inputs: dict) -> dict[str, WireFile]:
    """The bytes of the files the body refers to, read now (access is checked again)."""
    files = body_files_check(user=user, inputs=inputs)
    return {
        ref: WireFile(
            name=file.file_name, content_type=file.content_type, content=file_read(file=file)
        )
        for ref, file in files.items()
    }


def _as_recorded(body: Any, files: dict[str, WireFile]) -> Any:
    """The body as the action records it: each file as its id, name, type and size."""
    if not files:
        return body
    ref = file_ref(body)
    if ref is not None and ref in files:
        file = files[ref]
        return {
            "assetId": ref,
            "filename": file.name,
            "contentType": file.content_type,
            "size": len(file.content),
        }
    if isinstance(body, dict):
        return {k: _as_recorded(v, files) for k, v in body.items()}
    if isinstance(body, list):
        return [_as_recorded(v, files) for v in body]
    return body


def _call_upstream(action: Action, *, webhook_token: str, route: Route | None = None) -> None:
    # The route and service as `route_run` loaded them, or read now (one query; None once the
    # route is archived).
    route = route or route_run_loaded(action.route_id)
    if route is None:
        action_fail(action=action, message="The route was archived before this run started")
        return
    service = route.service
    inputs = action.metadata or {}
    resolved = []
    if inputs.get("input_assets"):
        # Resolved again now: signed file URLs are short-lived, and access may have changed.
        try:
            resolved = input_assets_resolve(
                route=route, user=action.user, requested=inputs["input_assets"]
            )
        except InputAssetError as exc:
            action_fail(action=action, message=f"Input asset {exc.name}: {exc.message}")
            return

    method = route.method.upper()
    url = upstream_url(service=service, path=route.path, values=inputs.get("parameters") or {})
    query = {k: _wire(v) for k, v in (inputs.get("query") or {}).items()}
    headers = {k: _wire(v) for k, v in (inputs.get("headers") or {}).items()}
    headers.update(
        {
            "ouro-action-id": str(action.pk),
            "ouro-route-id": str(route.pk),
            "ouro-user-id": str(action.user_id),
            "ouro-route-org-id": str(route.org_id),
            "ouro-route-team-id": str(route.team_id),
        }
    )
    headers["ouro-webhook-url"] = webhook_url(action)
    headers["ouro-webhook-token"] = webhook_token
    body = input_assets_inject(body=inputs.get("body"), resolved=resolved)
    send_body = body is not None or method not in BODYLESS_METHODS
    media_type = inputs.get("content_type") if send_body else None
    try:
        files = _wire_files(action.user, inputs) if _sends_files(media_type) else {}
        data = None
        if media_type:
            encoded = body_encode(
                media_type=media_type,
                # A JSON body left out is sent as {} (as ever); other kinds as empty.
                body={} if body is None and media_kind(media_type) == "json" else body,
                encoding=body_encoding(route.request_body, media_type),
                files=files,
            )
            data = encoded.content
            headers["Content-Type"] = encoded.content_type
    except (FormInputError, BodyEncodeError) as exc:
        action_fail(action=action, message=f"The request body could not be sent: {exc}")
        return
    secret_names, secrets = _authenticate(service, headers, query)

    snapshot = {
        "method": method,
        "url": url,
        "query": _redact(query, secret_names),
        "headers": _redact(headers, secret_names),
        "body": _as_recorded(body, files),
    }
    if media_type:
        snapshot["content_type"] = media_type
    if route.execution_mode == ExecutionMode.ASYNC:
        # The upstream may call back before it answers: the request must be on record first.
        Action.objects.filter(pk=action.pk).update(request=snapshot)

    sent_at = timezone.now()
    try:
        answer = outbound_request(
            method,
            url,
            policy=upstream_policy(),
            headers=headers,
            params=query or None,
            json=None if data is not None or not send_body else (body if body is not None else {}),
            data=data,
            total_timeout=route.total_timeout_seconds,
            total_timeout_name="the route's total timeout",
        )
    except OutboundError as exc:
        _lifecycle_record(action, [_sent_line(method, url, sent_at)])
        action_fail(action=action, message=exc.message, request=snapshot)
        return

    now = timezone.now()
    status = answer.status
    lines = [_sent_line(method, url, sent_at), _answered_line(answer, sent_at, now, route)]
    # The outcome, timings and the request as sent are written in one conditional UPDATE.
    recorded = {"request": snapshot, "ack_at": now, "upstream_status_code": status}
    if not 200 <= status < 300 or status == 202 or route.execution_mode == ExecutionMode.ASYNC:
        _lifecycle_record(action, lines)
    if not 200 <= status < 300:
        message = _scrub(_failure_message(answer), secrets)
        action_fail(action=action, message=message, upstream_status=status, **recorded)
        return
    if status == 202 or route.execution_mode == ExecutionMode.ASYNC:
        # Acknowledged: the result arrives later through the webhook. No worker holds the run
        # any longer (its heartbeat is cleared): the quiet window is its deadline now.
        action_transition(
            action=action,
            to=Status.IN_PROGRESS,
            expected=(Status.IN_PROGRESS,),
            last_heartbeat_at=now,
            worker_seen_at=None,
            **recorded,
        )
        return
    try:
        payload = response_payload(answer)
    except ValueError as exc:
        _lifecycle_record(action, lines)
        action_fail(action=action, message=str(exc), upstream_status=status, **recorded)
        return
    action.route = route
    stored = output_assets_store(action=action, response=_scrub(payload, secrets))
    # Written before the run shows as ended: whoever sees it finished finds its log complete.
    _lifecycle_record(action, [*lines, _saved_line(route, stored, answer)])
    action_transition(
        action=action,
        to=Status.SUCCESS,
        expected=(Status.IN_PROGRESS,),
        response=stored,
        **recorded,
    )


def _sent_line(method: str, url: str, at) -> ActionLog:
    return ActionLog(
        level=ActionLog.Level.INFO,
        message=f"Request sent: {method} {url}",
        metadata={"event": "request_sent", "method": method, "url": url},
        created_at=at,
    )


def _answered_line(answer, sent_at, at, route: Route) -> ActionLog:
    elapsed_ms = round((at - sent_at).total_seconds() * 1000)
    message = f"The upstream answered {answer.status} in {elapsed_ms} ms"
    if answer.status == 202 or (
        200 <= answer.status < 300 and route.execution_mode == ExecutionMode.ASYNC
    ):
        message += "; the result comes later through the run's webhook"
    return ActionLog(
        level=ActionLog.Level.INFO if 200 <= answer.status < 300 else ActionLog.Level.WARNING,
        message=message,
        metadata={
            "event": "upstream_answered",
            "status": answer.status,
            "elapsed_ms": elapsed_ms,
            "bytes": len(answer.content or b""),
        },
        created_at=at,
    )


def _saved_line(route: Route, stored: Any, answer) -> ActionLog:
    declared = route.output_assets or {}
    saved = {}
    if isinstance(stored, dict):
        saved = {
            name: stored[name]["asset_type"]
            for name in declared
            if isinstance(stored.get(name), dict) and stored[name].get("id")
        }
    if saved:
        named = ", ".join(f"{name!r} ({kind})" for name, kind in saved.items())
        message = f"Outputs saved: {named}"
    else:
        kind = (answer.headers.get("Content-Type") or "no content type").split(";")[0]
        message = f"Response saved: {len(answer.content or b'')} bytes of {kind}"
    return ActionLog(
        level=ActionLog.Level.INFO,
        message=message,
        metadata={
            "event": "outputs_saved",
            "outputs": {name: str(stored[name]["id"]) for name in saved},
        },
    )


def _lifecycle_record(action: Action, lines: list[ActionLog]) -> None:
    """The platform's own lines of a run it called (request sent, the upstream's answer and
    how long it took, what was saved), written in one statement with the times they happened."""
    for line in lines:
        line.action_id = action.pk
        line.origin = "system"
    ActionLog.objects.bulk_create(lines)


def response_payload(answer) -> Any:
    """The upstream's 2xx body as stored data: JSON, an image summary, or text.

    Raises ValueError (with a message a person can act on) for a body that cannot be read.
    """
    content_type = (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if not answer.content:
        return None
    if "json" in content_type or not content_type:
        try:
            return answer.json()
        except ValueError:
            if content_type:
                raise ValueError(
                    f"The upstream said its answer was JSON ({content_type}) but it could not be "
                    "decoded; check what the service returns for this request"
                ) from None
    if content_type.startswith("image/"):
        summary = {"contentType": content_type, "size": len(answer.content)}
        if len(answer.content) <= INLINE_IMAGE_BYTES:
            summary["base64"] = base64.b64encode(answer.content).decode()
        return summary
    try:
        text = answer.content.decode(
            requests.utils.get_encoding_from_headers(answer.headers) or "utf-8"
        )
    except (UnicodeDecodeError, LookupError):
        raise ValueError(
            f"The upstream answered with {len(answer.content)} bytes of {content_type or 'data'} "
            "that are neither JSON, text nor an image"
        ) from None
    return text[:TEXT_KEEP_CHARS]


def _failure_message(answer) -> str:
    detail = ""
    try:
        data = answer.json()
        if isinstance(data, dict):
            detail = data.get("detail") or data.get("message") or data.get("error") or ""
            if isinstance(detail, dict):
                detail = detail.get("message") or ""
    except ValueError:
        detail = answer.content[:300].decode(errors="replace").strip()
    detail = str(detail)[:300]
    message = f"The upstream answered {answer.status}"
    if answer.status in (401, 403):
        message += "; check the service's credentials"
    elif answer.status == 404:
        message += "; check the service's base URL and the route's path"
    elif 400 <= answer.status < 500:
        message += "; it did not accept the request"
    return f"{message}: {detail}" if detail else message
