"""Connection URLs of a school server: recognise them, hide their password, and protect the wire.

Only libpq's URL form is recognised: ``postgresql://…`` or ``postgres://…`` (any case). libpq's
``key=value`` strings (``host=… dbname=…``) are not: ``--db`` and ``OUDER_TUI_DB`` also take file
paths, and a file may be called anything, while no file path starts with ``postgresql://``. Every
libpq setting can be written in a URL's query string (``?host=/var/run/postgresql&sslmode=verify-full``).

:func:`prepare_url` is what every connection of the app goes through: a server that is not on this PC
gets ``sslmode=require`` (TLS, issue 14 item 7) unless the URL, or the ``PGSSLMODE`` variable, says
otherwise. This module is text only: no psycopg, no network, no name look-ups (it reads ``PGHOST``
and ``PGSSLMODE`` as libpq would).
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import parse_qsl, quote, unquote

SCHEMES = ("postgresql://", "postgres://")
#: What a server that is not on this PC gets, unless the URL says otherwise.
REMOTE_SSLMODE = "require"
_LOCAL_NAMES = {"localhost", "localhost."}


def is_server_url(text: str | None) -> bool:
    """Whether ``text`` is a PostgreSQL connection URL (``postgresql://`` or ``postgres://``).

    A libpq ``key=value`` string is not: a file path may look like one.
    """
    return bool(text) and text.strip().lower().startswith(SCHEMES)  # type: ignore[union-attr]


class _Parts:
    """A URL cut into its pieces, exactly as written (nothing re-encoded), so it can be put back together."""

    def __init__(self, url: str) -> None:
        # Cut as libpq does (conninfo_uri_parse_options): the user part ends at the first "@" before
        # any "/", so a password may hold "?" or "#"; the hosts end at "/" or "?" (outside brackets).
        url = url.strip()
        scheme_end = url.index("://") + 3
        self.scheme = url[:scheme_end]
        rest = url[scheme_end:]
        end = next((i for i, char in enumerate(rest) if char in "@/"), len(rest))
        self.userinfo: str | None = None
        if end < len(rest) and rest[end] == "@":
            self.userinfo, rest = rest[:end], rest[end + 1:]
        depth, end = 0, len(rest)
        for i, char in enumerate(rest):
            depth += char == "["
            depth -= char == "]" and depth > 0
            if depth == 0 and char in "/?":
                end = i
                break
        self.hostlist, rest = rest[:end], rest[end:]
        self.query: str | None = None
        if "?" in rest:
            rest, self.query = rest.split("?", 1)
        self.path = rest

    def params(self) -> list[tuple[str, str]]:
        """The query string's settings, decoded."""
        return parse_qsl(self.query or "", keep_blank_values=True)

    def hosts(self) -> list[str]:
        """The hosts in the URL's authority (several for a fail-over list), decoded, without ports."""
        hosts = []
        for item in _split_hosts(self.hostlist):
            if item.startswith("["):
                hosts.append(unquote(item[1:item.find("]")] if "]" in item else item[1:]))
            else:
                hosts.append(unquote(item.rsplit(":", 1)[0] if ":" in item else item))
        return hosts or [""]

    def drop(self, key: str) -> None:
        """Leave the setting ``key`` out of the query string (the rest stays as written)."""
        if self.query is not None:
            kept = [item for item in self.query.split("&") if unquote(item.split("=", 1)[0]).strip().lower() != key]
            self.query = "&".join(kept) if kept else None

    def join(self) -> str:
        netloc = self.hostlist if self.userinfo is None else f"{self.userinfo}@{self.hostlist}"
        url = f"{self.scheme}{netloc}{self.path}"
        if self.query is not None:
            url += f"?{self.query}"
        return url


def _split_hosts(hostlist: str) -> list[str]:
    """``h1:5432,[::1]:5433`` -> ``["h1:5432", "[::1]:5433"]`` (a comma inside brackets does not split)."""
    items, depth, current = [], 0, ""
    for char in hostlist:
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [item for item in items if item]


def redact(url: str) -> str:
    """``url`` without its password (in the user part or as ``password=``), for messages and logs.

    Text that is not a server URL comes back as it is.
    """
    if not is_server_url(url):
        return url
    parts = _Parts(url)
    if parts.userinfo is not None and ":" in parts.userinfo:
        parts.userinfo = parts.userinfo.split(":", 1)[0]
    parts.drop("password")
    return parts.join()


def for_login(url: str, login: str) -> str:
    """``url`` for another login, without any password: what a new staff member points ``--db`` at."""
    parts = _Parts(redact(url))
    parts.userinfo = quote(login, safe="")
    parts.drop("user")
    return parts.join()


def user_of(url: str) -> str:
    """The login a URL names (``user`` in the query wins, as in libpq), or ``""``."""
    parts = _Parts(url)
    for key, value in parts.params():
        if key == "user":
            return value
    if parts.userinfo:
        return unquote(parts.userinfo.split(":", 1)[0])
    return ""


def hosts_of(url: str) -> list[str]:
    """Where a URL connects: ``hostaddr`` wins over ``host``, the query over the authority (as in libpq).

    An empty string stands for libpq's default: the local socket (``PGHOST`` when that is set).
    """
    parts = _Parts(url)
    params = dict(parts.params())
    for key in ("hostaddr", "host"):
        if params.get(key):
            return [h.strip() for h in params[key].split(",")]
    hosts = parts.hosts()
    if hosts == [""] and (env := os.environ.get("PGHOSTADDR") or os.environ.get("PGHOST")):
        return [h.strip() for h in env.split(",")]
    return hosts


def is_local_host(host: str) -> bool:
    """Whether ``host`` is this PC: empty (the default socket), a socket folder, localhost, 127.0.0.0/8 or ::1."""
    host = host.strip()
    if not host or host.startswith("/") or host.startswith("@"):  # a socket folder, an abstract socket (Linux)
        return True
    if len(host) > 2 and host[0].isalpha() and host[1] == ":" and host[2] in "/\\":  # a socket folder on Windows
        return True
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # fe80::1%eth0: the zone is not the address
    except ValueError:
        return False  # a name: the school server, or anything else that is not this PC
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def prepare_url(url: str) -> str:
    """``url`` as the app connects with it: ``sslmode=require`` added for a server that is not on this PC.

    Left as it is: a URL that says its own ``sslmode`` (also ``disable``: the IT partner chose it), one
    with ``sslrootcert=system`` (libpq then already insists on ``verify-full``), a connection when
    ``PGSSLMODE`` is set (the same choice, made in the environment), and a server on this PC (a socket,
    localhost, 127.0.0.0/8, ::1). With several hosts, one that is not on this PC is enough.
    """
    parts = _Parts(url)
    params = dict(parts.params())
    if "sslmode" in params or params.get("sslrootcert") == "system" or os.environ.get("PGSSLMODE"):
        return url.strip()
    if all(is_local_host(host) for host in hosts_of(url)):
        return url.strip()
    if parts.query:
        parts.query = parts.query.rstrip("&") + f"&sslmode={REMOTE_SSLMODE}"
    else:
        parts.query = f"sslmode={REMOTE_SSLMODE}"
    return parts.join()


def dbname_of(url: str) -> str:
    """The database a URL names (``dbname`` in the query wins; libpq's default is the user's name), or ``""``."""
    parts = _Parts(url)
    return dict(parts.params()).get("dbname") or unquote(parts.path.lstrip("/")) or user_of(url)


def describe(url: str) -> str:
    """A short Dutch description of where ``url`` connects, without password: ``databank X op server Y``."""
    dbname = dbname_of(url) or "?"
    hosts = list(dict.fromkeys("deze pc" if is_local_host(h) and not h[:1].isalnum() else h
                               for h in hosts_of(url)))
    where = ", ".join(hosts)
    return f"databank {dbname} op {where}"
