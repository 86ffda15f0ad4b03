"""JSON errors for everything under /api: `{"data": null, "error": {message, code, status}}`."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised by API views for an error with a status and a stable code."""

    def __init__(self, message: str, *, status: int = 400, code: str = "bad_request", **extra):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.extra = extra


def error_body(message: str, code: str, status: int, **extra) -> dict:
    return {"data": None, "error": {"message": message, "code": code, "status": status, **extra}}


def error_response(message: str, code: str, status: int, **extra) -> JsonResponse:
    return JsonResponse(error_body(message, code, status, **extra), status=status)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(v) for v in detail)
    return str(detail)


def exception_handler(exc, context) -> Response | None:
    if isinstance(exc, ApiError):
        return Response(
            error_body(exc.message, exc.code, exc.status, **exc.extra), status=exc.status
        )
    if isinstance(exc, Http404):
        return Response(error_body(str(exc) or "Not found", "not_found", 404), status=404)
    if isinstance(exc, PermissionDenied):
        message = str(exc) or "You do not have permission to do this"
        return Response(error_body(message, "permission_denied", 403), status=403)
    if isinstance(exc, drf.APIException):
        status = exc.status_code
        if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
            status = 401
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
        if isinstance(exc, drf.ParseError):
            code = "invalid_json"
        headers = {}
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        return Response(
            error_body(_flatten(exc.detail), code, status), status=status, headers=headers
        )
    log.exception("Unhandled error in API view", exc_info=exc)
    return Response(error_body("Internal server error", "server_error", 500), status=500)
