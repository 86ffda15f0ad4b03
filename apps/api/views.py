"""The answers every API path shares: an unknown endpoint, a server error."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.api.errors import error_response


@csrf_exempt  # an unknown POST is a 404 for an API client, not a missing CSRF cookie
def not_found(request: HttpRequest, exception=None) -> JsonResponse:
    return error_response(f"No API endpoint at {request.path}", "not_found", 404)


def server_error(request: HttpRequest) -> JsonResponse:
    return error_response("Internal server error", "server_error", 500)
