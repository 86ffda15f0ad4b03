"""The answers every API path shares (an unknown endpoint, a server error) and the API
reference page."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.errors import error_response


@csrf_exempt  # an unknown POST is a 404 for an API client, not a missing CSRF cookie
def not_found(request: HttpRequest, exception=None) -> JsonResponse:
    return error_response(f"No API endpoint at {request.path}", "not_found", 404)


def server_error(request: HttpRequest) -> JsonResponse:
    return error_response("Internal server error", "server_error", 500)


class DocsView(APIView):
    """The API reference page: Swagger UI (served from /static and started by
    static/js/api-docs.js, as the CSP allows no inline script) reading /api/schema."""

    authentication_classes = [SessionAuthentication]  # the page shows who is logged in
    permission_classes = [AllowAny]
    renderer_classes = [TemplateHTMLRenderer]

    @extend_schema(responses={(200, "text/html"): OpenApiTypes.STR})
    def get(self, request: Request) -> Response:
        return Response(template_name="api/docs.html")


# The site's policy, with Swagger UI's icons (data: images in its stylesheet) allowed here.
docs = csp_override({**settings.SECURE_CSP, "img-src": [*settings.SECURE_CSP["img-src"], "data:"]})(
    DocsView.as_view()
)


class SchemaView(SpectacularAPIView):
    """This document: OpenAPI 3.1 as JSON (`?format=yaml` for YAML)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]
