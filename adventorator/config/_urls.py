"""Database and service URLs: normalise and check them at load time, mask them for display.

``normalise_database_url`` turns every malformed DATABASE_URL into one
ConfigError line naming the variable, at settings load, instead of a driver
traceback at first connect. No message quotes a password or a query value.

``mask_url`` hides every credential-bearing part of a URL for ``adv config
show``: the password (also with an empty user name), the whole user info of a
non-database URL (``https://KEY@host`` carries an API key there), and query
values whose names look like credentials (``?password=``, ``?api_key=``).
"""

from __future__ import annotations

import re

from adventorator.errors import ConfigError
from adventorator.text import clean_line

ACCEPTED_URL_SCHEMES = (
    "postgresql+asyncpg://",
    "postgresql://",
    "postgres://",
    "sqlite+aiosqlite:///",
    "sqlite:///",
)
# What SQLAlchemy's asyncpg dialect passes through from the query string to
# asyncpg.connect() as text; anything else is a TypeError at first connect.
ASYNCPG_QUERY_KEYS = frozenset(
    {
        "host",
        "port",
        "user",
        "password",
        "passfile",
        "service",
        "servicefile",
        "database",
        "ssl",
        "direct_tls",
        "target_session_attrs",
        "krbsrvname",
        "gsslib",
        "prepared_statement_cache_size",
    }
)
# Query parameter names whose values are credentials (or may be): masked.
# Over the whole URL: a value runs to the next "&" or "#", so a raw "@" in it stays hidden.
_SECRET_PARAM = re.compile(
    r"([?&;][^=&#?]*(?:pass|pwd|secret|token|key|auth|sig|credential|session)[^=&#?]*=)[^&#]*",
    re.IGNORECASE,
)
_MASK = "***"


def normalise_database_url(
    url: str, *, variable: str = "DATABASE_URL", check_query: bool = True
) -> str:
    """Map accepted spellings onto the async drivers and check the URL, or raise ConfigError.

    ``check_query=False`` for a URL handed to asyncpg as a DSN (the LISTEN
    connection), whose parser takes libpq's parameters (``sslmode``) itself.
    """
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("postgresql+asyncpg://"):
        check_postgres_url(url, variable=variable, check_query=check_query)
        return url
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    if url.startswith("sqlite+aiosqlite:///"):
        return url
    # Name only the scheme: the rest of a malformed URL may hold a password.
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", url)
    found = f"scheme {scheme.group(0)!r}" if scheme and "://" in url else "no scheme"
    raise ConfigError(
        f"{variable} has an unsupported or missing scheme ({found}); "
        f"accepted: {', '.join(ACCEPTED_URL_SCHEMES)}"
    )


def check_postgres_url(url: str, *, variable: str, check_query: bool = True) -> None:
    """Raise ConfigError when SQLAlchemy or asyncpg would fail on ``url`` at connect time."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    host_part = _authority(url).rpartition("@")[2]
    bracketed = "[" in host_part or "]" in host_part
    if bracketed and not re.fullmatch(r"\[[0-9A-Fa-f:.%\w]+\](:[^:]*)?", host_part):
        raise ConfigError(f"{variable} has a malformed IPv6 host: write it as [::1] or [::1]:5432")
    try:
        parsed = make_url(url)
    except (ValueError, ArgumentError):
        # SQLAlchemy's own message quotes the text it could not parse.
        raise ConfigError(
            f"{variable} has an invalid port: give a number from 1 to 65535 after the host"
        ) from None
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise ConfigError(f"{variable} has port {parsed.port}: give a number from 1 to 65535")
    if parsed.host is not None and "@" in parsed.host:
        raise ConfigError(f"{variable} has a raw '@' in its user info: write it as %40")
    if not parsed.host and "host" not in parsed.query:
        raise ConfigError(
            f"{variable} has no host: give one (postgresql://user@host/db), "
            "or a socket directory as ?host=/var/run/postgresql"
        )
    if not check_query:
        return
    unknown = sorted(key for key in parsed.query if key not in ASYNCPG_QUERY_KEYS)
    if unknown:
        hint = "; for TLS use ?ssl=require" if "sslmode" in unknown else ""
        names = ", ".join(repr(clean_line(key)[:40]) for key in unknown)
        raise ConfigError(
            f"{variable} has query parameters the asyncpg driver does not take: {names}{hint}"
        )


def _authority(url: str) -> str:
    """The text between ``://`` and the path, user info included (up to the last ``@``)."""
    rest = url.partition("://")[2]
    at = rest.rfind("@")
    cut = re.search(r"[/?#]", rest[at + 1 :])
    return rest[: at + 1 + cut.start()] if cut else rest


def mask_url(url: str, *, hide_user: bool | None = None) -> str:
    """``url`` with every credential-bearing part replaced by ``***``.

    ``hide_user`` (default: unless the scheme is a database's) masks the whole
    user info, since ``https://KEY@host`` puts a key in the user name. The
    user info runs to the last ``@``, so a raw ``@`` in a password stays hidden;
    then every credential-like ``name=value`` in the query is masked.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if hide_user is None:
        hide_user = not scheme.lower().startswith(("postgres", "sqlite"))
    userinfo, at, tail = rest.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        if hide_user:
            userinfo = _MASK
        elif colon:
            userinfo = f"{user}:{_MASK}"
        rest = f"{userinfo}@{tail}"
    return _SECRET_PARAM.sub(rf"\g<1>{_MASK}", f"{scheme}{sep}{rest}")
