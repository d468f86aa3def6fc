"""A Logseq graph's settings (`logseq/config.edn`) and which of its files are pages at all.

Why a module of its own: the settings change what a file is called and whether it is a page, so
they are read once per run (by `ontosync.pipeline.logseq_graph`) and travel to the workers inside
`ParseOptions` as a small frozen value. The EDN is read with `edn_format` (a real EDN reader, not
regular expressions). A `config.edn` that cannot be read is a warning with its line and Logseq's
defaults apply (or, where the database kept them, the settings of its last good version:
pipeline/logseq_graph.py): a broken settings file must never stop a sync.

Rules (README, "A Logseq graph on disk"):

* Without `config.edn`, Logseq's defaults: pages in `pages/`, journals in `journals/`, journal
  titles `MMM do, yyyy`, file names in the `:triple-lowbar`
  format (what Logseq writes into every new graph's config.edn since 0.8.9).
* With `config.edn`, `:file/name-format` absent (or no keyword: `triple-lowbar`) means the legacy
  format: Logseq itself treats a graph whose config lacks the key as legacy (and offers to convert
  it). A key given twice in one map or set makes the file unreadable, as Logseq's EDN reader
  (cljs tools.reader) refuses it (`_KeyScan`).
* Logseq's own copies are never pages, with or without a config: `logseq/bak/` (backups of pages
  it rewrote), `logseq/.recycle/` (deleted pages), `logseq/version-files/` and `.trash/`; nor are
  files in the config's `:hidden` folders, nor (Logseq's `ignored-path?`) hidden files and
  folders (a name starting with `.`) and `node_modules/` below the graph root (without a
  config.edn, whose folder is the root, only a hidden file name counts). They are `skipped`
  with the reason, so they count in the report and a database that once held them loses their
  facts.
* `:ignored-page-references-keywords #{:author}`: the values of those property keys hold no page
  refs in Logseq (`logseq.graph-parser.text/parse-property`), so they give no edge or relation.
* `:property/separated-by-commas #{:has-part}`: in those keys' values, the plain text between
  commas names pages too (`has-part:: Wheel, Axle` links `Wheel` and `Axle`), as in Logseq.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from types import MappingProxyType

from ontosync.parsing.facts import ParseWarning

CONFIG_PATH = "logseq/config.edn"
MAX_CONFIG_BYTES = 1 << 20  # a real config.edn is a few kB

# Logseq's internal folders (relative to the graph root) and why each is not a page.
INTERNAL_FOLDERS = {
    "logseq/bak/": "Logseq backup copy (logseq/bak/)",
    "logseq/.recycle/": "Logseq recycle bin (logseq/.recycle/)",
    "logseq/version-files/": "Logseq version file (logseq/version-files/)",
    ".trash/": "Logseq trash (.trash/)",
}


@dataclass(frozen=True)
class LogseqConfig:
    """The settings that change what is a page and what it is called (Logseq's defaults)."""

    name_format: str = "triple-lowbar"  # or "legacy"
    pages_directory: str = "pages"
    journals_directory: str = "journals"
    journal_title_format: str = "MMM do, yyyy"
    hidden: tuple[str, ...] = ()  # path prefixes relative to the graph root, no leading "/"
    # Property keys (lower-case) whose values hold no page refs (:ignored-page-references-keywords).
    ignored_ref_keys: tuple[str, ...] = ()
    # Property keys (lower-case) whose plain comma-separated text is page refs too
    # (:property/separated-by-commas).
    comma_ref_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogseqGraph:
    """Where the graph is in the source (`root`: "" or "folder/") and its settings.

    `found` says whether a config.edn was read; without one, the root is not known either and a
    journal is any page in a folder named like the default journals directory.
    """

    root: str = ""
    config: LogseqConfig = LogseqConfig()
    found: bool = False

    def relative(self, path: str) -> str | None:
        """`path` relative to the graph root, or None when the file is outside the graph."""
        if not path.startswith(self.root):
            return None
        return path[len(self.root):]


DEFAULT_GRAPH = LogseqGraph()


def skip_reason(path: str, graph: LogseqGraph | None, page: bool = True) -> str | None:
    """Why the file at `path` is not read (None: read it). Logseq's internal folders hold only
    Logseq's copies, whatever their type; `:hidden` hides Logseq pages (`page`), not the other
    ontology files kept in the same repository."""
    graph = graph or DEFAULT_GRAPH
    rel = graph.relative(path) if graph.found else None
    for folder, reason in INTERNAL_FOLDERS.items():
        if (rel is not None and rel.startswith(folder)) or (
            rel is None and (path.startswith(folder) or "/" + folder in path)):
            return reason + ", not a page"
    if page:  # without a config.edn the graph root is unknown: only the file's own name counts
        ignored = _ignored_by_logseq(rel if rel is not None else path.rsplit("/", 1)[-1])
        if ignored is not None:
            return ignored
    if rel is not None and page:  # Logseq's `hidden?`: a plain prefix, `archive` hides `archived/` too
        for hidden in graph.config.hidden:
            if rel.startswith(hidden):
                return f"hidden by logseq/config.edn (:hidden {'/' + hidden!r})"
    return None


def oversized_config(path: str) -> tuple[LogseqConfig, list[ParseWarning]]:
    """A config.edn over MAX_CONFIG_BYTES: not read (a real one is a few kB); Logseq's defaults."""
    return LogseqConfig(), [_warning(path, f"larger than {MAX_CONFIG_BYTES} bytes", None)]


def _ignored_by_logseq(rel: str) -> str | None:
    """Logseq's own `ignored-path?`: it reads no file under a name starting with `.` (a hidden
    file or folder: `.obsidian/`, `._Page.md` from macOS, `.Page (conflicted copy).md`; `..x`
    is no such name) nor under `node_modules/`."""
    for part in rel.split("/"):
        if part == "node_modules":
            return "in node_modules (Logseq ignores it), not a page"
        if len(part) > 1 and part[0] == "." and part[1] != ".":
            return f"hidden file or folder {part!r} (Logseq ignores names starting with '.'), not a page"
    return None


def parse_config(data: bytes, path: str) -> tuple[LogseqConfig, list[ParseWarning]]:
    """Read config.edn bytes; on any problem, Logseq's defaults and a warning with the line."""
    if len(data) > MAX_CONFIG_BYTES:
        return oversized_config(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return LogseqConfig(), [_warning(path, "not UTF-8", line)]
    # Clojure's reader takes `\r` as whitespace (a config saved on Windows); edn_format refuses it.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        import edn_format

        value = edn_format.loads(text)
    except RecursionError:
        return LogseqConfig(), [_warning(path, "nested too deeply", 1)]
    except Exception as exc:  # edn_format raises EDNDecodeError, and TypeError on unhashable keys
        return LogseqConfig(), [_warning(path, _edn_message(exc), _error_line(text, exc))]
    if not hasattr(value, "items"):
        return LogseqConfig(), [_warning(path, "the file does not hold a map", 1)]
    twice = _KeyScan(text).duplicate()
    if twice is not None:  # Logseq's EDN reader refuses the file; edn_format kept the last value
        key, line = twice
        return LogseqConfig(), [_warning(path, f"cannot be read as EDN: duplicate key {key}", line)]
    return _from_map(value, text, path)


def _from_map(value, text: str, path: str) -> tuple[LogseqConfig, list[ParseWarning]]:
    import edn_format

    settings = {getattr(k, "name", str(k)): v for k, v in value.items()}
    # edn_format keeps a keyword's namespace in its name: "file/name-format".
    warnings: list[ParseWarning] = []
    kwargs: dict = {}
    fmt = settings.get("file/name-format")
    # only the keyword: Logseq's `(case fmt :triple-lowbar ...)` takes the symbol `triple-lowbar` as legacy
    fmt_name = fmt.name if isinstance(fmt, edn_format.Keyword) else None
    kwargs["name_format"] = "triple-lowbar" if fmt_name == "triple-lowbar" else "legacy"
    if fmt is not None and fmt_name not in ("triple-lowbar", "legacy"):
        warnings.append(_warning(path, f":file/name-format {fmt!s} is not :triple-lowbar or :legacy; legacy applies",
                                 _key_line(text, ":file/name-format")))
    for key, attr in (("pages-directory", "pages_directory"), ("journals-directory", "journals_directory"),
                      ("journal/page-title-format", "journal_title_format")):
        v = settings.get(key)
        if v is None:
            continue
        if isinstance(v, str) and v.strip().strip("/"):
            kwargs[attr] = v.strip().strip("/") if attr.endswith("directory") else v
        else:
            warnings.append(_warning(path, f":{key} is not a non-empty string; the default applies",
                                     _key_line(text, ":" + key)))
    hidden = settings.get("hidden")
    if hidden is not None:
        if _is_sequence(hidden) and all(isinstance(h, str) for h in hidden):
            # a trailing `/` is kept: it makes the pattern match inside a folder only (skip_reason)
            kwargs["hidden"] = tuple(sorted({h.strip().lstrip("/") for h in hidden if h.strip().strip("/")}))
        else:
            warnings.append(_warning(path, ":hidden is not a vector of strings; ignored", _key_line(text, ":hidden")))
    for key, attr in (("ignored-page-references-keywords", "ignored_ref_keys"),
                      ("property/separated-by-commas", "comma_ref_keys")):
        keys = _key_names(settings.get(key))
        if keys is None:
            warnings.append(_warning(path, f":{key} is not a set of keywords; ignored", _key_line(text, ":" + key)))
        elif keys:
            kwargs[attr] = keys
    return LogseqConfig(**kwargs), warnings


def _key_names(value) -> tuple[str, ...] | None:
    """A set of property keys (`#{:author :website}`; strings accepted too) as sorted lower-case
    names: () when absent, None when it is no such set."""
    if value is None:
        return ()
    if not _is_sequence(value):
        return None
    names = [getattr(v, "name", v) for v in value]
    if not all(isinstance(n, str) for n in names):
        return None
    return tuple(sorted({n.strip().lstrip(":").lower() for n in names if n.strip().lstrip(":")}))


def _is_sequence(value) -> bool:
    """An EDN vector, list or set (edn_format has its own immutable types for them)."""
    return not isinstance(value, (str, bytes)) and not hasattr(value, "items") and hasattr(value, "__iter__")


def _warning(path: str, what: str, line: int | None) -> ParseWarning:
    """A config problem; `what` says what applies instead unless the whole file was refused."""
    if "applies" not in what and "ignored" not in what:
        what += DEFAULTS_APPLY
    return ParseWarning("logseq-config", f"{path}: {what}", line)


DEFAULTS_APPLY = "; Logseq's defaults apply"


def refused(warnings: list[ParseWarning]) -> bool:
    """Whether parse_config refused the whole file (not UTF-8, not EDN, not a map, too large),
    rather than one key of it: the graph's settings are then not known from this version."""
    return len(warnings) == 1 and warnings[0].message.endswith(DEFAULTS_APPLY)


def kept_instead(warning: ParseWarning) -> ParseWarning:
    """The refusal's warning, saying the settings of the file's last good version apply."""
    return warning._replace(message=warning.message[:-len(DEFAULTS_APPLY)] + "; the settings of its last good "
                            "version apply")


def settings_record(path: str, config: LogseqConfig) -> str:
    """`config` as the database keeps it (the last good settings of the config.edn at `path`)."""
    import json

    return json.dumps({"path": path, "config": asdict(config)}, sort_keys=True)


def settings_from_record(record: str | None, path: str) -> LogseqConfig | None:
    """The settings a record keeps for the config.edn at `path` (None: none kept, another file's,
    or a record this version does not read)."""
    import json

    try:
        value = json.loads(record or "null")
        if not isinstance(value, dict) or value.get("path") != path:
            return None
        known = {f.name for f in fields(LogseqConfig)}  # an earlier version's record may hold a setting since dropped
        return LogseqConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in value["config"].items()
                               if k in known})
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _edn_message(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    text = re.sub(r"LexToken\((\w+),('.*?'|\".*?\"|[^,]*),\d+,\d+\)", r"unexpected \2", text)
    return "cannot be read as EDN: " + re.sub(r"\s+", " ", text)[:120]


def _error_line(text: str, exc: Exception) -> int:
    """The 1-based line of an EDN error: an unclosed or unmatched bracket's line when there is
    one (edn_format reports those where it noticed them, often the end of the file), else the
    lexer position edn_format gives, else 1 (the top-level map)."""
    line = _unbalanced_line(text)
    if line is not None:
        return line
    for arg in exc.args:
        pos = getattr(arg, "lexpos", None)
        if isinstance(pos, int):
            return text.count("\n", 0, pos) + 1
    m = re.search(r"lexpos (\d+)", str(exc))
    if m:
        return text.count("\n", 0, int(m.group(1))) + 1
    return 1


_PAIRS = {")": "(", "]": "[", "}": "{"}
_ATOM_END = set(" \t\r\n,;()[]{}\"")


def _unbalanced_line(text: str) -> int | None:
    """Line of the first structural EDN problem: a closer with no opener or of the wrong kind, a
    map with an odd number of forms (the line of its last form: the key left without a value), or
    the innermost bracket left open. None when there is none. Strings, `;` comments and character
    literals are skipped."""
    scan = _BracketScan(text)
    while scan.i < scan.n:
        problem = scan.step()
        if problem is not None:
            return problem
    return scan.stack[-1][1] if scan.stack else None


class _BracketScan:
    """One character class at a time (see `_unbalanced_line`); each handler moves `i` past what it read."""

    def __init__(self, text: str) -> None:
        self.text, self.n, self.i, self.line = text, len(text), 0, 1
        self.stack: list[list] = []  # [opener, line, forms inside, line of the last form]

    def step(self) -> int | None:
        c = self.text[self.i]
        if c in " \t\r,\n":
            self.line += c == "\n"
            self.i += 1
            return None
        handler = {";": self._comment, '"': self._string, "#": self._hash}.get(c)
        if handler is None:
            handler = self._open if c in "([{" else self._close if c in ")]}" else self._atom
        return handler()

    def _comment(self) -> None:
        j = self.text.find("\n", self.i)
        self.i = self.n if j < 0 else j

    def _open(self) -> None:
        _count(self.stack, self.line)
        self.stack.append([self.text[self.i], self.line, 0, self.line])
        self.i += 1

    def _close(self) -> int | None:
        if not self.stack:
            return self.line
        opener, at, forms, last = self.stack.pop()
        if _PAIRS[self.text[self.i]] != (opener if opener != "#" else "{"):
            return at
        if opener == "{" and forms % 2:
            return last  # the key left without a value
        self.i += 1
        return None

    def _string(self) -> None:
        _count(self.stack, self.line)
        text, i = self.text, self.i + 1
        while i < self.n and text[i] != '"':
            self.line += text[i] == "\n"
            i += 2 if text[i] == "\\" else 1
        self.i = i + 1

    def _hash(self) -> None:
        nxt = self.text[self.i + 1] if self.i + 1 < self.n else ""
        if nxt == "{":  # a set: any number of forms
            _count(self.stack, self.line)
            self.stack.append(["#", self.line, 0, self.line])
            self.i += 2
        elif nxt in ('_', '"'):  # #"regex": a string; #_ discard: the next form counts
            self.i += 1 if nxt == '"' else 2
        else:  # a tag (#inst "..."): a prefix of the next form, not a form itself
            self._skip_atom()

    def _atom(self) -> None:
        _count(self.stack, self.line)
        self.i += 2 if self.text[self.i] == "\\" else 1
        self._skip_atom()

    def _skip_atom(self) -> None:
        while self.i < self.n and self.text[self.i] not in _ATOM_END:
            self.i += 1


def _count(stack: list[list], line: int) -> None:
    if stack:
        stack[-1][2] += 1
        stack[-1][3] = line


class _KeyScan:
    """Finds a map key (or set element) given twice, which cljs tools.reader, Logseq's EDN reader,
    refuses ("Map literal contains duplicate key") where edn_format keeps the last value: one pass
    over edn_format's own tokens. `#_` drops the next form, `#tag` and `#:ns` prefix it, `^meta`
    is a form before it; a collection is a key no other equals (only atoms are compared)."""

    _OPEN = MappingProxyType({"MAP_START": "map", "SET_START": "set", "VECTOR_START": "", "LIST_START": ""})
    _CLOSE = frozenset(("MAP_OR_SET_END", "VECTOR_END", "LIST_END"))
    _PREFIX = frozenset(("DISCARD_TAG", "TAG", "MAP_NAMESPACE_TAG", "CARET"))

    def __init__(self, text: str) -> None:
        self.text = text
        self.frames: list[tuple[str, list]] = [("", [])]  # (kind, the forms read in it)
        self.prefixes: list[list[str]] = [[]]  # per frame: the prefixes waiting for their form
        self.found: tuple[str, int] | None = None

    def duplicate(self) -> tuple[str, int] | None:
        """(the key as written, its line) of the first key given twice in one map or set, else None."""
        from edn_format.edn_lex import lex

        for tok in lex(self.text):
            kind = tok.type
            if kind in self._PREFIX:
                self.prefixes[-1].append(kind)
            elif kind in self._OPEN:
                self.frames.append((self._OPEN[kind], []))
                self.prefixes.append([])
            elif kind in self._CLOSE:
                self.frames.pop()
                self.prefixes.pop()
                self._form((kind, object()), tok.lexpos)
            elif kind != "WHITESPACE":  # (type, value): `true` is no `1`, nor `1.0` a `1`, as in Clojure
                self._form((kind, tok.value), tok.lexpos)
            if self.found is not None:
                return self.found
        return None

    def _form(self, value, pos: int) -> None:
        """One form read whole: dropped by a `#_` (or taken as a `^meta`), else one of its frame's."""
        waiting = self.prefixes[-1]
        while waiting:
            prefix = waiting.pop()
            if prefix in ("DISCARD_TAG", "CARET"):
                return
        kind, forms = self.frames[-1]
        keys = forms[::2] if kind == "map" else forms if kind == "set" else []
        if kind and (kind == "set" or len(forms) % 2 == 0) and value in keys:
            self.found = (str(value[1]), self.text.count("\n", 0, pos) + 1)
        forms.append(value)


def _key_line(text: str, key: str) -> int | None:
    pos = text.find(key)
    return None if pos < 0 else text.count("\n", 0, pos) + 1
