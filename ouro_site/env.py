"""Typed readers for environment variables; a bad value stops start-up naming the variable."""

import os
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_file(name: str) -> str:
    """A path to an existing file, or "" when the variable is unset."""
    raw = os.environ.get(name, "").strip()
    if raw and not os.path.isfile(raw):
        raise ImproperlyConfigured(f"{name} must name a readable file, not {raw!r}")
    return raw


def env_url(name: str, default: str) -> str:
    raw = os.environ.get(name, default).strip()
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ImproperlyConfigured(f"{name} must be an absolute http(s) URL, not {raw!r}")
    return raw.rstrip("/")


def _postgres_options() -> dict:
    """Parameters bound by the server, and a statement run again and again (every run's
    look-ups and writes) prepared once per connection after its fifth use instead of planned
    each time. Behind a pooler in transaction mode (PgBouncer), turn both off."""
    server_side_binding = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
    options: dict = {"server_side_binding": server_side_binding}
    if server_side_binding and env_bool("DATABASE_PREPARED_STATEMENTS", True):
        options["prepare_threshold"] = 5
    return options


def database_from_url(name: str, url: str, data_dir: str) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry (sqlite:///path or postgres://...)."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(data_dir, "db.sqlite3"),
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as dj-database-url reads them
        path = unquote(parsed.path)[1:]
        entry = database_from_url(name, "", data_dir)
        entry["NAME"] = path or os.path.join(data_dir, "db.sqlite3")
        return entry
    if parsed.scheme in ("postgres", "postgresql"):
        if not parsed.path.strip("/"):
            raise ImproperlyConfigured(f"{name} must name a database, not {url!r}")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": _postgres_options(),
        }
    raise ImproperlyConfigured(
        f"{name} must start with sqlite:/// or postgres://, not {parsed.scheme or url!r}"
    )
