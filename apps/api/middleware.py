import gzip
import io
import zlib

from django.conf import settings

from apps.api.errors import error_response

API_PREFIX = "/api/"


class ApiRequestMiddleware:
    """Under /api: inflate gzip-encoded bodies (with a size cap)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            encoding = request.META.get("HTTP_CONTENT_ENCODING", "").lower().strip()
            if encoding in ("gzip", "x-gzip", "deflate"):
                failure = self._inflate(request, encoding)
                if failure is not None:
                    return failure
        return self.get_response(request)

    def _inflate(self, request, encoding: str):
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
        request._body = data
        request._stream = io.BytesIO(data)
        request._read_started = False
        request.META["CONTENT_LENGTH"] = str(len(data))
        del request.META["HTTP_CONTENT_ENCODING"]
        return None
