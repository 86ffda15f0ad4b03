import gzip
import io
import zlib

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse

from apps.api.errors import error_response

API_PREFIX = "/api/"


class ApiRequestMiddleware:
    """Under /api: inflate gzip-encoded bodies (with a size cap). The rest of the chain gets a
    request made from the same environment with the inflated body, as if it had been sent so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            encoding = request.META.get("HTTP_CONTENT_ENCODING", "").lower().strip()
            if encoding in ("gzip", "x-gzip", "deflate"):
                inflated = self._inflate(request, encoding)
                if isinstance(inflated, HttpResponse):
                    return inflated
                request = inflated
        return self.get_response(request)

    def _inflate(self, request: HttpRequest, encoding: str) -> HttpRequest | HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = request.read()
        try:
            if encoding == "deflate":
                decompressor = zlib.decompressobj()
                data = decompressor.decompress(raw, limit + 1)
            else:
                with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
                    data = stream.read(limit + 1)
        except (OSError, EOFError, zlib.error):
            return error_response(
                f"The request body is not valid {encoding} data", "invalid_encoding", 400
            )
        if len(data) > limit:
            return error_response("The decompressed request body is too large", "too_large", 413)
        environ = {**request.META, "wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))}
        del environ["HTTP_CONTENT_ENCODING"]
        return WSGIRequest(environ)
