import gzip
import io
import zlib
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from apps.api.errors import error_response

API_PREFIX = "/api/"
FORM_TYPE = "application/x-www-form-urlencoded"


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def fields_problem(encoded: str | bytes, what: str) -> str | None:
    """What is wrong with URL-encoded fields (a query string, a form body), or None: each
    name and value must be UTF-8 text without NUL once percent-decoded. Django would replace
    bad bytes silently."""
    if isinstance(encoded, str):
        try:
            encoded = encoded.encode("latin-1")  # as WSGI hands the raw bytes over
        except UnicodeEncodeError:
            return f"The {what} is not valid UTF-8"
    for pair in encoded.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        try:
            name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return f"A name in the {what} is not valid UTF-8"
        try:
            value = unquote_to_bytes(raw_value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return f"{name!r} in the {what} is not valid UTF-8"
        if "\x00" in name or "\x00" in value:
            return f"{name!r} in the {what} contains a NUL character"
    return None


def path_problem(request: HttpRequest) -> str | None:
    """A NUL in the path (which no database text column can hold), or None."""
    if "\x00" in request.path_info:
        return "The path contains a NUL character"
    return None


def headers_problem(meta: dict) -> str | None:
    """A header value that is not UTF-8 text without NUL, or None."""
    for key, value in meta.items():
        if not key.startswith("HTTP_") or not isinstance(value, str):
            continue
        if value.isascii() and "\x00" not in value:
            continue
        name = key[5:].replace("_", "-").title()
        try:
            text = value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return f"The {name} header is not valid UTF-8"
        if "\x00" in text:
            return f"The {name} header contains a NUL character"
    return None


class ApiRequestMiddleware:
    """The request checks no view should have to make.

    Under /api, answered with the JSON error envelope: a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    (MAX_REQUEST_BYTES) is a 413; a query string or header value that is not UTF-8 text is a
    400 (the body's JSON is checked by apps.api.parsers). Gzip-encoded bodies are inflated
    (with the same cap): the rest of the chain gets a request made from the same environment
    with the inflated body, as if it had been sent so.

    For pages: a URL-encoded form or query string that is not UTF-8 text is a 400, and a
    form body over the limit a 413. Anywhere, a NUL in the path or a form field is a 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            refused = self._api_refused(request)
            if refused is not None:
                return refused
            encoding = request.META.get("HTTP_CONTENT_ENCODING", "").lower().strip()
            if encoding in ("gzip", "x-gzip", "deflate"):
                inflated = self._inflate(request, encoding)
                if isinstance(inflated, HttpResponse):
                    return inflated
                request = inflated
        else:
            refused = self._page_refused(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _api_refused(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = _content_length(request)
        if limit is not None and length > limit:
            return error_response(
                f"The request body is {length} bytes; at most {limit} are accepted "
                "(MAX_REQUEST_BYTES)",
                "too_large",
                413,
            )
        problem = path_problem(request)
        problem = problem or fields_problem(request.META.get("QUERY_STRING", ""), "query string")
        problem = problem or headers_problem(request.META)
        if problem:
            return error_response(problem, "invalid_text", 400)
        return None

    def _page_refused(self, request: HttpRequest) -> HttpResponse | None:
        problem = path_problem(request)
        problem = problem or fields_problem(request.META.get("QUERY_STRING", ""), "query string")
        content_type = request.META.get("CONTENT_TYPE", "")
        if not problem and content_type.startswith(FORM_TYPE) and _content_length(request):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and _content_length(request) > limit:
                return HttpResponse("The form is too large.", status=413, content_type="text/plain")
            problem = fields_problem(request.body, "form")
        elif not problem and content_type.startswith("multipart/form-data"):
            # Parsed as the view (and the CSRF check) would; bad bytes are replaced by then.
            problem = next(
                (
                    f"{key!r} in the form contains a NUL character"
                    for key, values in request.POST.lists()
                    if "\x00" in key or any("\x00" in value for value in values)
                ),
                None,
            )
        if problem:
            return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
        return None

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
