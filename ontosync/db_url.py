"""What `--db` names: a SQLite path, or a PostgreSQL URL (`postgresql://user:pw@host:port/name?...`).

Below every layer (it imports nothing of ontosync), because the CLI, the settings, the console and
the Action all need the same three answers: is this PostgreSQL, what is it with the password
masked (a URL is never printed, stored or reported with its password), and which schema of the
server holds this source's rows.

One server holds many sources, each in its own schema: `?schema=NAME` in the URL names it, else it
is derived from the source (GITHUB_REPOSITORY, `github:OWNER/REPO`, or the folder's name).
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

SCHEMES = ("postgresql://", "postgres://")
# user:password@ in any URL-like text (also inside a driver's error message or a repr). The password
# runs to the `@` before the host: quotes and spaces included (a stop at `'` left
# `postgresql://u:pa'ss@host` unmasked, and libpq connects with that password), and a `@` or `/`
# the user did not percent-encode too (`u:Sec@Ret9@host` printed `u:***@Ret9@host`, `u:Sec/Ret9@host`
# the whole password): the host's `@` is the one followed by no other `@` before a space, a quote,
# the query or the line's end, and the password never runs into another URL. The user may hold an
# unencoded `@` too (Azure's `ontosync@myserver`: the whole password was printed).
_SECRET = re.compile(r"(?i)\b(postgres(?:ql)?(?:\+\w+)?://[^:/\s'\"]*):((?:(?!postgres(?:ql)?://)[^\r\n])*?)@"
                     r"(?=[^@\s'\"?#]*(?:[\s'\"?#]|$))")
# First, the run of the URL up to its last `@` (or `%40`: split_schema re-encodes what Python takes for
# the query) before a space or the line's end. Why: a password holding an `@` and after it a `?`, `#`
# or a quote (`Sec@ret?9x`) was cut at its first `@`, its tail printed (`***@ret?9x%40127.0.0.1...`).
# It may hide a database name's or a query's head; _SECRET then takes a password holding a space.
# A `%40` ends it only after a `?` (split_schema's re-encoding is the query's): `h:9/my%40db`, the
# database `my@db`, was shown `h:***@db`, its port and database hidden and `db` read as its host.
_SECRET_TO_LAST_AT = re.compile(r"(?i)\b(postgres(?:ql)?(?:\+\w+)?://[^:/\s'\"]*):(?:(?:(?!postgres(?:ql)?://)\S)*?@|"
                                r"(?:(?!postgres(?:ql)?://)[^\s?])*\?(?:(?!postgres(?:ql)?://)\S)*?%40)"
                                r"(?=(?:(?!@|%40)\S)*(?:\s|$))")
# libpq read such a URL its own way and quotes the pieces it could not use: the password's tail as the
# host (`"Ret9@127.0.0.1"`: what runs to its last `@`) or as a query parameter's name (`"9x@127..."`),
# or its head as the port (`invalid integer value "Sec" for connection option "port"`)
_SPLIT_HOST = re.compile(r'((?:host name|URI query parameter:) ")[^"\r\n]*@')
_SPLIT_PORT = re.compile(r'(invalid integer value )"[^"\r\n]*"( for connection option "port")')
# a bare value ends before a `:` that ends the word (`password=pw: ...`, a message's colon, was eaten)
# A quote inside a bare value is the value's (`?password=Qw'er9x` showed `password=***'er9x`)
_PASSWORD_PARAM = re.compile(r"(?i)\b((?:ssl)?password\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s&]+?(?=:?(?:[\s&]|$)))")
# A `password=` of a URL's query (after its host and path: `u:a&password=b@h` is a password's text),
# masked first: its `@` or `%40` was taken for the end of a password running from the port's `:`
# (`u@h:9/db?password=Zq%40x9` was shown `u@h:***@x9`, the password's tail)
_QUERY_PASSWORD = re.compile(r"(?i)\b(postgres(?:ql)?(?:\+\w+)?://(?:[^/\s]*@)?(?:\[[^\]\s/]*\]|[^@/?#\s:]*)(?::\d*)?"
                             r"(?:/[^?#\s]*)?\?(?:[^\s#]*?&)?(?:ssl)?password=)[^\s&#]*?(?=:?(?:[\s&#]|$))")
# libpq quotes the text it failed to percent-decode, whichever part of the URL (the password too)
_PERCENT_TOKEN = re.compile(r"(?i)(percent-encoded (?:token|value): )\"[^\"\r\n]*\"")
MAX_SCHEMA = 63  # PostgreSQL's identifier limit (NAMEDATALEN - 1)


class BadDatabaseUrl(ValueError):
    """A PostgreSQL URL Python's parser refuses (an unclosed `[` of an IPv6 host): a usage error."""


def _split(url: str):
    try:
        return urlsplit(url)
    except ValueError as exc:
        raise BadDatabaseUrl(f"not a valid PostgreSQL URL: {mask(url)} ({exc})") from None


def is_postgres_url(db: str | None) -> bool:
    return bool(db) and db.lower().startswith(SCHEMES)


# Any URL's scheme (`postgresql+psycopg2://`, `sqlite:///`), blanks before it allowed; the user info of one
_URL = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.\-]*://")
# to the last `@` before the path: `u:Sec@ret?9x@h/db` was shown `***@ret?9x@h/db` (its first `@`)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s]*@")
# The libpq parameters a key=value connection string (`host=h password=pw dbname=d`) is told by
_CONNINFO_KEYS = ("host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode")
_CONNINFO = re.compile(rf"(?i)(?:^|\s)(?:{'|'.join(_CONNINFO_KEYS)})\s*=")


def is_url(text: str) -> bool:
    """Whether `text` starts as a URL of any scheme (blanks before it allowed): no file's path."""
    return bool(_URL.match(text))


def hide_userinfo(text: str) -> str:
    """`text` with the user info of every URL in it (any scheme) shown as `***`: a clone URL with
    its token (sources/names.hide_credentials), a `--db` of a scheme ontosync does not take."""
    return _USERINFO.sub(r"\1***@", text)


def not_a_path(db: str) -> str | None:
    """Why a `--db` that is no PostgreSQL URL is no SQLite path either (None: it may be one).

    Why: taken for a path, SQLAlchemy's `postgresql+psycopg2://u:PW@host/db` (or a URL pasted with
    a blank before it) was refused with its password in the clear, by a message naming the folders
    it made of it; libpq's `host=h password=PW dbname=d` became a SQLite file named with the password,
    synced, exit 0."""
    if is_postgres_url(db):
        return None
    if is_postgres_url(db.strip()):
        return "a PostgreSQL URL with blanks around it: remove them"
    if _URL.match(db):
        return "a URL, not a path: ontosync takes a SQLite file's path or a postgresql:// URL (no +driver)"
    if _CONNINFO.search(db):
        return "a key=value connection string, not a path: give the PostgreSQL database as a postgresql:// URL"
    return None


def shown_db(db: str) -> str:
    """`--db` as an error line may name it: `mask`, and the user info of a URL of any other scheme
    (or of a PostgreSQL URL holding an unencoded `@`) hidden to the value's last `@`
    (`postgresql+psycopg2://***@host/db`). Why the last: `' postgresql://u:Sec@ret?9x@h/db'` showed
    `***@ret?9x@h/db`, and a password holding a blank (`Sec@re t9`) ends no word where it ends."""
    found = _URL.match(db)
    if found and "@" in db and (not is_postgres_url(db) or unencoded_at(db)):
        return mask(f"{found.group(0)}***@{db.rpartition('@')[2]}")
    return mask(db)


# What libpq takes in a URL's query (and ontosync's `schema`): another name after an `@` is a piece of
# a password (`u:Sec@ret9x/?a=b@host`: libpq said `invalid URI query parameter: "a"`)
_LIBPQ_PARAMS = frozenset(_CONNINFO_KEYS) | frozenset(re.findall(r"\w+", """require_auth channel_binding
    connect_timeout client_encoding options application_name fallback_application_name keepalives keepalives_idle
    keepalives_interval keepalives_count tcp_user_timeout replication gssencmode requiressl ssl sslnegotiation
    sslcompression sslcert sslkey sslkeylogfile sslpassword sslcertmode sslrootcert sslcrl sslcrldir sslsni
    requirepeer ssl_min_protocol_version ssl_max_protocol_version krbsrvname gsslib gssdelegation
    target_session_attrs load_balance_hosts min_protocol_version max_protocol_version scram_client_key
    scram_server_key oauth_issuer oauth_client_id oauth_client_secret oauth_scope schema"""))


def _libpq_userinfo(url: str) -> tuple[str, str] | None:
    """(the user info as libpq reads it, the text after its `@`), or None without one: libpq ends the
    user info at the first `@`, unless a `/` comes before it."""
    rest = url.split("://", 1)[1] if "://" in url else url
    head = re.match(r"[^@/]*@", rest)
    return (head.group(0)[:-1], rest[head.end():]) if head else None


def unencoded_at(db: str) -> str | None:
    """Why a PostgreSQL URL is refused for an `@` of its user name or password not percent-encoded
    (None: it is not; any other `--db`). Why: libpq ends the password at its first `@`, so such a URL
    never connects, and the rest of the password became the host, the port or a query parameter's name
    that libpq quoted in its error, which no mask could know. An `@` in the database name or in a value
    of a parameter libpq takes stays allowed. A `?` there too: libpq takes it, but not split_schema."""
    parts = _libpq_userinfo(db) if is_postgres_url(db) else None
    if parts is None:
        return unencoded_slash(db)
    userinfo, after = parts
    names = {part.partition("=")[0] for part in after.partition("?")[2].split("&") if part}
    if "@" not in re.match(r"[^/?]*", after).group(0) and ("@" not in after or names <= _LIBPQ_PARAMS):
        # a `?` libpq keeps in the password begins the query for urlsplit (split_schema): `u:Sec?x@h/db`
        # reached libpq as `u:Sec?x%40h%2Fdb=`, "invalid URI query parameter", though libpq takes it
        return None if "?" not in userinfo else (
            "its user name or password holds an unencoded question mark, where the URL's query would begin: "
            "percent-encode each question mark in them as %3F")
    # no `@` in the words: `mask` takes the text from the URL's `:` to such an `@` for a password
    return ("its user name or password holds an unencoded at sign, where libpq ends them (it reads the rest "
            "as the host): percent-encode each at sign in them as %40")


def unencoded_slash(db: str) -> str | None:
    """Why a PostgreSQL URL is refused for a `/` of its user name or password not percent-encoded
    (None: it is not). Why: libpq ends the host at the first `/`, so `u:99999/Ret9@h/db` was host `u`,
    port `99999` (quoted in its error: `invalid port number: "99999"`, the password's head) and
    database `Ret9@h/db`. Told by an `@` after a `/` of a URL whose host part holds none, outside
    a value of a parameter libpq takes: a database name's `@` is written `%40` then. But a database
    name's `@` after a host and valid port (`postgresql://h:5432/my@db`, libpq's database `my@db`)
    is taken when no `/` follows it (no host and database a password's tail would be followed by):
    it was refused saying the user name or password, which the URL has not, holds a slash."""
    rest = db.split("://", 1)[1] if is_postgres_url(db) else ""
    host = re.match(r"[^/?#]*", rest).group(0)
    after = rest[len(host):]
    if not host or not after or "@" in host:
        return None
    path, _, query = after.partition("?")
    names = {part.partition("=")[0] for part in query.split("&") if part}
    if "@" not in path and ("@" not in query or names <= _LIBPQ_PARAMS):
        return None
    port = re.fullmatch(r"(?:\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?", host)
    if "@" in path and "/" not in path.rpartition("@")[2] and port and int(port.group(1) or 1) in range(1, 65536) \
            and ("@" not in query or names <= _LIBPQ_PARAMS):
        return None
    return ("an at sign follows the slash that ends its host: percent-encode each slash of its user name or "
            "password as %2F (libpq ends the host at it, reading the rest as the port and the database), "
            "each at sign of its database's name as %40")


# The query parameters whose value ontosync itself reads (the schema; `options`, host, port and
# dbname: store/pg/database.py, pipeline/checkpoint.py): given twice, ontosync and libpq could read two
_READ_PARAMS = ("schema", "options", "host", "port", "dbname")


def misread_query(db: str) -> str | None:
    """Why a PostgreSQL URL's parameters would be misread (None: they would not). Why: `?schema=a&schema=b`
    synced into `a` silently, and `postgresql://h/db&schema=x` (no `?`) failed with libpq's
    `database "db&schema=x" does not exist`."""
    rest = db.split("://", 1)[1] if is_postgres_url(db) else ""
    path, mark, query = rest.partition("?")
    names = [part.partition("=")[0] for part in query.partition("#")[0].split("&") if part]
    twice = next((name for name in _READ_PARAMS if names.count(name) > 1), None)
    if twice:
        return f"its parameter {twice} is given twice (which one is meant?): give it once"
    missed = re.search(r"&(\w+)=", path.partition("/")[2])  # in the database's name, not a password
    if not mark and missed and missed.group(1) in _LIBPQ_PARAMS:
        return (f"its parameters follow an & with no ? before them, so libpq reads &{missed.group(1)}=... as part "
                "of the database's name: begin the parameters with ? (postgresql://HOST/DB?schema=NAME&...)")
    return None


def url_problem(db: str) -> str | None:
    """Why a PostgreSQL URL is refused before connecting (None: it is not): unencoded_at or misread_query."""
    return unencoded_at(db) or misread_query(db)


def folder_name(db: str) -> str | None:
    """Why a SQLite `--db` path names no file (None: it may): one ending in `/` (or `/.`) is a
    folder's. `--db o.db/` said "database not found" of the file `ls` shows, and `sync` spoke of
    a checkpoint `o.db/.checkpoint.json` instead of the database."""
    if is_postgres_url(db) or not db.rstrip().endswith(("/", "/.", "/..")):
        return None
    return "ends in /, so it names a folder, not a database file"


def mask(text: str) -> str:
    """`text` with every PostgreSQL password in it replaced by `***` (URLs, `password=...`, and the
    text libpq quotes when it cannot percent-decode it)."""
    if not text:
        return text
    text = _QUERY_PASSWORD.sub(r"\1***", _PERCENT_TOKEN.sub(r'\1"***"', text))
    text = _SPLIT_PORT.sub(r'\1"***"\2', _SPLIT_HOST.sub(r"\1***@", text))
    return _PASSWORD_PARAM.sub(r"\1***", _SECRET.sub(r"\1:***@", _SECRET_TO_LAST_AT.sub(r"\1:***@", text)))


def password(url: str) -> str | None:
    """The URL's password as urlsplit reads it, to its first `@` (None when it has none)."""
    try:
        return urlsplit(url).password
    except ValueError:  # still masked in the log: the text between `user:` and `@`
        found = _SECRET.match(url)
        return found.group(2) or None if found else None


def passwords(url: str) -> list[str]:
    """The URL's password as each reader could take it, for `::add-mask::` in the Action: `password`,
    and for an `@` not percent-encoded the whole one, to the URL's last `@`. Why: `u:Sec@re t9@host`
    was masked as `Sec` only, and libpq's error quoted `re t9`. Each also percent-decoded, and a
    `?password=`'s: GitHub masked `Se%20cret` only, and the query's password not at all."""
    userinfo = _libpq_userinfo(url) if is_postgres_url(url) else None
    # as libpq reads it: `u:ab#c9x@h` is the password `ab#c9x`, which urlsplit took for a fragment's
    found = [password(url), userinfo[0].partition(":")[2] if userinfo else None]
    if unencoded_at(url):
        found.append(url.split("://", 1)[1].rpartition("@")[0].partition(":")[2])
    # `?password=` (and `sslpassword=`, the client key's), which libpq takes as the user info's
    query = url.partition("?")[2].partition("#")[0]
    found += [value for name, _, value in (part.partition("=") for part in query.split("&"))
              if name in ("password", "sslpassword")]
    # and each as libpq reads it, percent-decoded: `Se%20cret` is the password `Se cret`
    found += [unquote(secret) for secret in found if secret]
    return [secret for secret in dict.fromkeys(found) if secret]


def split_schema(url: str) -> tuple[str, str | None]:
    """(the URL for the driver, the `schema` query parameter or None): libpq rejects unknown parameters.

    A blank `?schema=` is as if absent (every command reads it here): it was schema `s_` for the
    read commands while a sync named the schema after the source, so status missed the sync's rows."""
    parts = _split(url)
    # `+` is itself for libpq, not a form's space: `?password=Se+cret` was handed on as `Se%20cret`
    query = parse_qsl(parts.query.replace("+", "%2B"), keep_blank_values=True)
    schema = next((v.replace("+", " ") for k, v in query if k == "schema"), None)  # ours: a form's `+`
    schema = schema if schema and schema.strip() else None
    # %20 for a space, never `+`: libpq decodes only %XX, and `options=-c+x%3Dy` names a setting "+x"
    rest = urlencode([(k, v) for k, v in query if k != "schema"], quote_via=quote)
    # libpq takes both spellings; one form for the driver. Always with its `//`: urlunsplit drops it
    # when the host part is empty, and `postgresql:///db?host=/run/postgresql` (a Unix socket) or
    # `postgresql://?service=prod` became `postgresql:/db?...`, which libpq does not read as a URL:
    # it connected to its defaults (socket /var/run/postgresql, port 5432), not to the server named.
    tail = (f"?{rest}" if rest else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return f"postgresql://{parts.netloc}{parts.path}{tail}", schema


def sanitize(name: str) -> str:
    """A PostgreSQL identifier from any name: lower case letters, digits and `_`, at most 63 bytes.

    Names that would be cut get a short hash, so two long names stay apart; names that start
    badly or are PostgreSQL's own schemas (`pg_...`, `information_schema`) get `s_` in front.
    """
    clean = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    if not clean or clean[0].isdigit() or clean.startswith("pg_") or clean == "information_schema":
        clean = f"s_{clean}"
    if len(clean) > MAX_SCHEMA:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        clean = f"{clean[:MAX_SCHEMA - 9]}_{digest}"
    return clean


def lossy(name: str) -> bool:
    """Whether sanitize drops letters or digits of `name` (those outside ASCII): `?schema=日本` and
    `?schema=中国` are both schema `s_`, so unlike two spellings of one ASCII name they are two
    sources that would share (and delete) one schema's rows (store/pg/owner.py claims it)."""
    return any(ch.isalnum() and not ch.isascii() for ch in name)


def default_source_name(source: str, checkout: str | None = None) -> str:
    """The source's name: `OWNER/REPO` for github:, else (in CI) the `origin` of the checkout holding
    the folder (`checkout`, which the caller reads: sources/git_head.checkout_origin) when it is
    another repository than GITHUB_REPOSITORY, else GITHUB_REPOSITORY, else the folder's name.
    Why the checkout: two checkouts of two repositories in one job were both named after the
    workflow and shared one schema, each sync deleting the other's rows; a folder of the workflow's
    own repository keeps GITHUB_REPOSITORY's name, as before."""
    if source.startswith("github:"):
        return source[len("github:"):].split("@", 1)[0]
    repo = os.environ.get("GITHUB_REPOSITORY")
    if repo:
        return checkout if checkout and checkout.lower() != repo.lower() else repo
    return os.path.basename(os.path.abspath(source)) or "default"


class SourceOwner(NamedTuple):
    """Who owns the schema derived from a source's name (store/pg/owner.py; a folder's:
    sources/folder_owner.py): `name` recorded, `legacy` what an older ontosync recorded for the
    source (default_source_name: the folder's name as typed, not its link's target's), `folder`
    the local folder's real path (None for github:)."""

    name: str
    legacy: str
    folder: str | None = None


def schema_for(url: str, source: str, checkout: str | None = None) -> str:
    """The schema that holds `source`'s rows on the server `url` names (`checkout`: default_source_name)."""
    _, explicit = split_schema(url)
    if explicit:
        return sanitize(explicit)
    derived = sanitize(default_source_name(source, checkout))
    return f"s_{derived}" if derived == "public" else derived  # not the database's shared default schema


def checkpoint_name(url: str, source: str, checkout: str | None = None) -> str:
    """The default checkpoint file for a PostgreSQL database: named by the schema, never by the URL."""
    return f"ontosync-{schema_for(url, source, checkout)}.checkpoint.json"
