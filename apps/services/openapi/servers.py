"""Servers: the service's base URL and each route's own servers, as absolute URLs where known.

Swagger 2.0 builds the base from `schemes`, `host` and `basePath`; OpenAPI 3 takes the first
server, with its variables filled by their defaults. Relative URLs are resolved against the
URL the spec came from.
"""

from urllib.parse import urljoin, urlsplit

from apps.services.openapi.refs import is_url
from apps.services.openapi.results import ImportWarning


def server_url(server: dict, spec_url: str) -> str:
    url = str(server.get("url") or "")
    variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
    for name, variable in variables.items():
        if isinstance(variable, dict):
            value = variable.get("default")
            if value is None and variable.get("enum"):
                value = variable["enum"][0]
            url = url.replace("{" + str(name) + "}", str(value if value is not None else ""))
    if spec_url and is_url(spec_url) and not is_url(url):
        url = urljoin(spec_url, url or "/")
    return url.rstrip("/")


def base_url(document: dict, spec_url: str, swagger: bool, warnings) -> str:
    origin = spec_url if is_url(spec_url) else ""
    if swagger:
        schemes = [str(s) for s in document.get("schemes") or [] if isinstance(s, str)]
        scheme = "https" if "https" in schemes else (schemes[0] if schemes else "")
        if origin:
            parts = urlsplit(origin)
            scheme = scheme or parts.scheme
            host = str(document.get("host") or parts.netloc)
        else:
            scheme = scheme or "https"
            host = str(document.get("host") or "")
        base_path = str(document.get("basePath") or "")
        if not host:
            warnings.append(
                ImportWarning("notice", "host", "The spec names no host; give a base URL")
            )
            return base_path.rstrip("/")
        return f"{scheme}://{host}{base_path}".rstrip("/")
    servers = [s for s in document.get("servers") or [] if isinstance(s, dict) and s.get("url")]
    if servers:
        url = server_url(servers[0], origin)
    else:
        url = urljoin(origin, "/").rstrip("/") if origin else ""
    if not is_url(url):
        warnings.append(
            ImportWarning(
                "notice",
                "servers",
                "The spec gives no absolute server URL; give a base URL for the service",
            )
        )
    return url
