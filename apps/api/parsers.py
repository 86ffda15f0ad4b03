"""The API's JSON parser: strict UTF-8, no lone surrogate or NUL in any string or key, finite
numbers and at most MAX_DEPTH levels of nesting, each refused with a 400 naming the value."""

from rest_framework.parsers import JSONParser as DrfJSONParser

from apps.api.errors import ApiError
from apps.core.safe_text import MAX_DEPTH, InputError, json_loads


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, reading through apps.core.safe_text.json_loads. JSON is UTF-8
    (RFC 8259): a charset parameter is not honoured."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            return json_loads(raw, max_depth=MAX_DEPTH)
        except InputError as exc:
            extra = {"path": exc.path} if exc.path else {}
            raise ApiError(exc.message, code=exc.code, **extra) from None
