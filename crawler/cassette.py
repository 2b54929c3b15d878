"""Record and replay whole crawls in vcrpy's cassette format (YAML, ``version: 1``).

vcrpy patches http.client and friends, not Twisted, so it never sees Scrapy's downloads.
``CassetteMiddleware`` sits next to the downloader (priority 950: after HTTP compression
and redirects) and serves and records exchanges itself. It therefore keeps wire bytes: a gzip
body stays compressed with its ``Content-Encoding``, and each redirect hop is its own interaction.

The file is vcrpy's: ``version: 1``, ``interactions: [{request: {method, uri, body, headers},
response: {status: {code, message}, headers: {Name: [value]}, body: {string}}}]``; bodies that
are not UTF-8 (GBK pages, PDFs, gzip) are ``!!binary`` and come back byte for byte; vcrpy's own
loader reads what is written here, and what vcrpy writes is read here. So are its matchers: a
request is answered by the first interaction with the same method, the same URI (exact, an
empty path being ``/``) and the same body as vcrpy's ``body`` matcher compares bodies (form and
JSON bodies by their parsed content when both requests say so in their headers, else byte for
byte) — Hanweb's ``dataproxy.jsp`` POSTs to one URI differ only in their forms.

What is not vcrpy's is the cost. vcrpy's ``Cassette`` compares a request with every stored
interaction, all matchers each time, twice per request; here a request is looked up in an
index built once while the file is read, so replaying or recording n interactions is linear
in n. The file is read as a stream of YAML events (libyaml's parser when PyYAML has it), one
interaction at a time, and only what playback needs is kept: status, headers and body bytes
(no copy of the file, no parsed YAML tree). Interactions recorded during a crawl are written
to a recording file beside the cassette as they come (memory stays flat however long the
crawl) and the cassette is replaced only when the crawl closes, by a complete file renamed
over it: a crawl that dies while recording leaves the cassette as it was and what it had
recorded in ``NAME.yaml.<random>.recording`` (a cassette up to the last interaction written).

Settings
--------
``CASSETTE``              path of the cassette file; unset = middleware off.
``CASSETTE_RECORD_MODE``  vcrpy's modes: ``none`` (replay only; a request the cassette lacks
                          is an error), ``once`` (record only if the file does not exist yet),
                          ``new_episodes`` (replay what is there, record the rest), ``all``
                          (record everything again, keeping interactions not re-recorded).
``CASSETTE_ALLOW_PLAYBACK_REPEATS``  default on: a request is answered by its first matching
                          interaction however often it is asked. Off: each interaction is
                          played once, in order (a cassette that holds a URL twice answers
                          its first and second fetch differently), as vcrpy does.

Stats: ``cassette/loaded`` (interactions read), ``cassette/played``, ``cassette/miss``,
``cassette/recorded``, ``cassette/unplayed`` (loaded interactions the crawl never asked for).
"""

from __future__ import annotations

import asyncio
import functools
import http
import json
import logging
import os
import sys
import tempfile
from array import array
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple
from urllib.parse import parse_qs, urlparse

import yaml
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from archive.http import header_value, normalise_headers

logger = logging.getLogger(__name__)
# vcrpy logs every interaction, bodies included, at INFO
logging.getLogger("vcr").setLevel(logging.WARNING)

if TYPE_CHECKING:
    from vcr.request import Request as VcrRequest

# vcrpy's record modes (the values of vcr.record_mode.RecordMode, a str enum: a mode compares equal
# to its name), spelt out so that a crawl without a cassette need not import vcrpy
RECORD_MODES = ("all", "any", "new_episodes", "none", "once")


@functools.cache
def _vcr() -> SimpleNamespace:
    """vcrpy's parts this module uses, imported when a cassette is: importing anything of vcrpy
    imports its HTTP-library patchers (aiohttp among them), which every crawl without a cassette
    (a live one) would pay for (~0.1–0.3 s of CPU; Scrapy 2.19 imports aiohttp itself)."""
    from vcr.matchers import body
    from vcr.persisters.filesystem import CassetteNotFoundError
    from vcr.request import Request
    from vcr.serialize import deserialize, serialize
    from vcr.serializers import yamlserializer

    return SimpleNamespace(body_matcher=body, CassetteNotFoundError=CassetteNotFoundError, Request=Request,
                           deserialize=deserialize, serialize=serialize, yamlserializer=yamlserializer)


FORMAT_VERSION = 1
HEADER = b"version: 1\ninteractions:\n"


class CassetteMiss(IgnoreRequest):
    """A request that a replay-only cassette does not hold."""


class CassetteError(ValueError):
    """A cassette file that cannot be read or written as asked (one line, says which file)."""


# ----------------------------------------------------------------------------------------------
# The YAML: a safe loader and dumper, libyaml's where PyYAML has it
# ----------------------------------------------------------------------------------------------

LIBYAML = hasattr(yaml, "CSafeLoader") and hasattr(yaml, "CSafeDumper")


class _Loader(yaml.CSafeLoader if LIBYAML else yaml.SafeLoader):
    """Safe loading, plus the two harmless Python tags old vcrpy cassettes hold (str, tuple)."""


_Loader.add_constructor("tag:yaml.org,2002:python/str", lambda loader, node: loader.construct_scalar(node))
_Loader.add_constructor("tag:yaml.org,2002:python/unicode", lambda loader, node: loader.construct_scalar(node))
_Loader.add_constructor("tag:yaml.org,2002:python/tuple", lambda loader, node: tuple(loader.construct_sequence(node)))


class _Dumper(yaml.CSafeDumper if LIBYAML else yaml.SafeDumper):
    """Each interaction is dumped on its own and the pieces are joined into one document, so an
    anchor must never be emitted (two pieces would both define ``&id001``)."""

    def ignore_aliases(self, data):
        return True


DUMP_OPTIONS = {"allow_unicode": True, "sort_keys": False, "width": 1 << 20}


def dump_interaction(interaction: dict) -> bytes:
    """One interaction as the YAML of one item of the ``interactions`` sequence (``- request: …``)."""
    return yaml.dump([interaction], Dumper=_Dumper, **DUMP_OPTIONS).encode("utf-8")


def readable(body: bytes | None) -> str | bytes | None:
    """A body as vcrpy writes it: text when it is UTF-8 (readable in the file), else bytes (``!!binary``)."""
    if body is None or isinstance(body, str):
        return body
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        return bytes(body)
    # PyYAML's pure-Python emitter folds U+0085 (NEL) inside quoted text: keep such a body as bytes
    return bytes(body) if not LIBYAML and "\x85" in text else text


class ReadableYamlSerializer:
    """vcrpy's YAML loader; dumping keeps Chinese readable (``allow_unicode``)."""

    @staticmethod
    def deserialize(cassette_string: str):
        return _vcr().yamlserializer.deserialize(cassette_string)

    @staticmethod
    def serialize(cassette_dict) -> str:
        return yaml.dump(cassette_dict, Dumper=_Dumper, **DUMP_OPTIONS)


class Utf8FilePersister:
    """vcrpy's filesystem persister, but never dependent on the machine's locale (whole
    cassettes at once: for building small cassettes, not for crawls)."""

    @classmethod
    def load_cassette(cls, cassette_path, serializer):
        path = Path(cassette_path)
        if not path.is_file():
            raise _vcr().CassetteNotFoundError()
        data = path.read_bytes().decode("utf-8")
        if not data.strip():
            raise _vcr().CassetteNotFoundError()
        return _vcr().deserialize(data, serializer)

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer):
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(_vcr().serialize(cassette_dict, serializer).encode("utf-8"))
        tmp.replace(path)  # atomic: a crash never leaves half a cassette


# ----------------------------------------------------------------------------------------------
# Reading a cassette as a stream of interactions
# ----------------------------------------------------------------------------------------------

_PLAIN_STR = "tag:yaml.org,2002:str"


class _EventReader:
    """Builds Python values from the parser's events, one interaction at a time: nothing of the
    document is composed beyond the interaction being read (anchors excepted)."""

    def __init__(self, loader):
        self.loader = loader
        self.anchors: dict = {}

    def value(self):
        loader = self.loader
        event = loader.get_event()
        cls = type(event)
        if cls is ScalarEvent:
            tag = event.tag
            if (tag is None or tag == "!") and event.style:  # quoted or block: a string, no resolving
                result = event.value
            else:
                if tag is None or tag == "!":
                    tag = loader.resolve(ScalarNode, event.value, event.implicit)
                if tag == _PLAIN_STR:
                    result = event.value
                else:
                    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
                    result = loader.construct_document(node)
        elif cls is MappingStartEvent:
            if event.tag not in (None, "!", "tag:yaml.org,2002:map"):
                result = loader.construct_document(self._node(event))
            else:
                result = {}
                while not loader.check_event(MappingEndEvent):
                    key_event = loader.peek_event()
                    if type(key_event) is ScalarEvent and key_event.value == "<<" and key_event.tag is None \
                            and not key_event.style:
                        loader.get_event()
                        merged = self.value()  # a merge key: the mapping(s) it names, under our own keys
                        for part in merged if isinstance(merged, list) else [merged]:
                            for k, v in part.items():
                                result.setdefault(k, v)
                        continue
                    key = self.value()
                    try:
                        result[key] = self.value()
                    except TypeError as exc:  # an unhashable key
                        raise yaml.constructor.ConstructorError(None, None, f"unhashable key {key!r}",
                                                                key_event.start_mark) from exc
                loader.get_event()
        elif cls is SequenceStartEvent:
            if event.tag not in (None, "!", "tag:yaml.org,2002:seq"):
                result = loader.construct_document(self._node(event))
            else:
                result = []
                while not loader.check_event(SequenceEndEvent):
                    result.append(self.value())
                loader.get_event()
        elif cls is AliasEvent:
            if event.anchor not in self.anchors:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                  event.start_mark)
            return self.anchors[event.anchor]
        else:
            raise yaml.composer.ComposerError(None, None, f"unexpected {cls.__name__}", event.start_mark)
        if event.anchor is not None:
            self.anchors[event.anchor] = result
        return result

    def _node(self, start):
        """A tagged collection (``!!omap``, ``!!python/tuple`` …) composed as nodes for the constructor."""
        loader = self.loader
        tag = start.tag
        if type(start) is MappingStartEvent:
            node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
            while not loader.check_event(MappingEndEvent):
                node.value.append((self._any_node(), self._any_node()))
        else:
            node = SequenceNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
            while not loader.check_event(SequenceEndEvent):
                node.value.append(self._any_node())
        node.end_mark = loader.get_event().end_mark
        return node

    def _any_node(self):
        loader = self.loader
        event = loader.peek_event()
        if type(event) in (MappingStartEvent, SequenceStartEvent):
            loader.get_event()
            tag = event.tag
            if tag is None or tag == "!":
                kind = MappingNode if type(event) is MappingStartEvent else SequenceNode
                tag = loader.resolve(kind, None, event.implicit)
                event = type(event)(event.anchor, tag, event.implicit, event.start_mark, event.end_mark,
                                    flow_style=event.flow_style)
            return self._node(event)
        if type(event) is ScalarEvent:
            loader.get_event()
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            return ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        raise yaml.composer.ComposerError(None, None, "aliases inside tagged collections are not supported",
                                          event.start_mark)


_TOP_PROBLEM = {True: "a list at the top, as vcrpy wrote before 1.0 (re-record it)",
                False: "no 'interactions' mapping at the top"}


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's error in one line: what, and where."""
    if isinstance(exc, yaml.reader.ReaderError):
        return f"{exc.reason} at character {exc.position}"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or type(exc).__name__
    return " ".join(str(problem).split()) + where


def not_a_cassette(path, what: str, mark=None) -> CassetteError:
    where = f" (line {mark.line + 1})" if mark is not None else ""
    return CassetteError(f"cassette {path} is not a vcrpy cassette: {what}{where}")


class CassetteReader:
    """The interactions of a cassette file, read one after the other::

        reader = CassetteReader("cassettes/guangzhou.yaml")
        for interaction in reader:        # {"request": {...}, "response": {...}} as in the file
            ...
        reader.version, reader.extra      # after the loop: the version and any other top-level keys

    A file that is not a vcrpy cassette raises ``CassetteError`` naming the file and the line.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.version = None
        self.extra: dict = {}  # top-level keys other than version and interactions (vcrpy's metadata)
        self.count = 0
        self.document = False  # the file held a YAML document (an empty file holds none)

    def __iter__(self) -> Iterator[dict]:
        try:
            with open(self.path, "rb") as stream:
                yield from self._read(_Loader(stream))
        except yaml.YAMLError as exc:
            raise CassetteError(f"cassette {self.path} is not readable YAML: {_yaml_problem(exc)}") from exc
        except UnicodeDecodeError as exc:
            raise CassetteError(f"cassette {self.path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
        except RecursionError as exc:
            raise CassetteError(f"cassette {self.path} nests too deeply to be a cassette") from exc

    def _fail(self, what: str, mark=None) -> CassetteError:
        return not_a_cassette(self.path, what, mark)

    def _read(self, loader) -> Iterator[dict]:
        reader = _EventReader(loader)
        loader.get_event()  # StreamStart
        if loader.check_event(StreamEndEvent):
            return  # an empty file: no interactions
        start = loader.get_event()  # DocumentStart
        self.document = True
        if not loader.check_event(MappingStartEvent):
            raise self._fail(_TOP_PROBLEM[type(loader.peek_event()) is SequenceStartEvent], loader.peek_event().start_mark)
        loader.get_event()
        seen = False
        while not loader.check_event(MappingEndEvent):
            key_event = loader.peek_event()
            key = reader.value()
            if key == "interactions":
                if seen:
                    raise self._fail("'interactions' given twice", key_event.start_mark)
                seen = True
                if not loader.check_event(SequenceStartEvent):
                    value = reader.value()
                    if value is None or value == []:
                        continue
                    raise self._fail("'interactions' is not a list", key_event.start_mark)
                loader.get_event()
                while not loader.check_event(SequenceEndEvent):
                    mark = loader.peek_event().start_mark
                    item = reader.value()
                    yield self._checked(item, mark)
                    self.count += 1
                loader.get_event()
            elif key == "version":
                self.version = reader.value()
            else:
                self.extra[key] = reader.value()
        loader.get_event()  # MappingEnd
        loader.get_event()  # DocumentEnd
        if not loader.check_event(StreamEndEvent):
            raise self._fail("more than one YAML document", loader.peek_event().start_mark)
        if not seen:
            raise self._fail("no 'interactions'", start.start_mark)
        if self.version not in (None, FORMAT_VERSION):
            raise CassetteError(f"cassette {self.path} has version {self.version!r}; this reads version {FORMAT_VERSION}")

    def _checked(self, item, mark) -> dict:
        if not isinstance(item, dict) or not isinstance(item.get("request"), dict) \
                or not isinstance(item.get("response"), dict):
            raise self._fail(f"interaction {self.count + 1} has no request and response", mark)
        request = item["request"]
        if not isinstance(request.get("method"), str) or not isinstance(request.get("uri"), str):
            raise self._fail(f"interaction {self.count + 1} has no method or uri", mark)
        status = item["response"].get("status")
        try:
            int(status["code"])
        except (TypeError, KeyError, ValueError):
            raise self._fail(f"interaction {self.count + 1} has no status code", mark) from None
        return item


# ----------------------------------------------------------------------------------------------
# Matching: vcrpy's method + uri + body matchers as keys of an index
# ----------------------------------------------------------------------------------------------

def uri_key(uri: str) -> str:
    """The URI as vcrpy's ``uri`` matcher compares it: exact, except that an empty path is ``/``."""
    parsed = urlparse(uri)
    if parsed.path:
        return uri
    authority = f"{parsed.scheme}://{parsed.netloc}"
    if not uri.startswith(authority):
        return uri
    return authority + "/" + uri[len(authority):]


# vcrpy's body matcher parses a body before comparing when both requests' headers say what it is;
# the header tests it makes, in its order
_CHUNKED, _FORM, _JSON, _XMLRPC = "chunked", "form", "json", "xmlrpc"


def _body_kinds(header: Callable[[str], str]) -> tuple[str, ...]:
    kinds = []
    content_type = header("Content-Type").lower()
    if "chunked" in header("Transfer-Encoding").lower():
        kinds.append(_CHUNKED)
    if "application/x-www-form-urlencoded" in content_type:
        kinds.append(_FORM)
    if "application/json" in content_type:
        kinds.append(_JSON)
    if "text/xml" in content_type and "xmlrpc" in header("User-Agent").lower():
        kinds.append(_XMLRPC)
    return tuple(kinds)


def _frozen(value):
    """A hashable stand-in equal exactly when the values are equal (dicts, lists, tuples, scalars)."""
    if isinstance(value, dict):
        return (dict, frozenset((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return (list, tuple(_frozen(v) for v in value))
    if isinstance(value, tuple):
        return (tuple, tuple(_frozen(v) for v in value))
    hash(value)  # TypeError for anything else unhashable
    return value


class RequestKey(NamedTuple):
    """Where a request is filed. ``raw``: method, URI and the body's bytes; ``parsed``: method, URI,
    the kind of body and its parsed content (form or JSON), when the headers name one. Two
    requests match (vcrpy's method + uri + body) exactly when one of the keys is equal. ``odd``:
    a body kind this index does not parse (chunked, XML-RPC): compared with vcrpy's own matcher."""

    raw: tuple
    parsed: tuple | None
    odd: bool


def request_key(method: str, uri: str, body: bytes | None, header: Callable[[str], str]) -> RequestKey:
    where = (sys.intern(method), uri_key(uri))
    raw = where if body is None else (*where, body)
    kinds = _body_kinds(header)
    if not kinds:
        return RequestKey(raw, None, False)
    if len(kinds) > 1 or kinds[0] in (_CHUNKED, _XMLRPC):
        return RequestKey(raw, None, True)
    try:
        if kinds[0] == _FORM:
            content = None if body is None else parse_qs(body.decode("ascii"))
        else:
            content = json.loads(body) if body else None
        parsed = (*where, kinds[0], _frozen(content))
    except ValueError:  # not what the headers say: vcrpy compares the bytes
        return RequestKey(raw, None, False)
    except (TypeError, RecursionError):
        return RequestKey(raw, None, True)
    return RequestKey(raw, parsed, False)


def _first_value(headers) -> Callable[[str], str]:
    """Header lookup (case-insensitive, first value, as text, "" when absent) over any headers."""
    return lambda name: header_value(headers, name) or ""


def _body_bytes(body) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"request body of type {type(body).__name__}")


# a response's headers are held as one string (a tuple per header and its values cost ~3x more):
# names and values joined by these two characters, which no header has
_VALUE, _HEADER = "\x00", "\x01"


class Recorded(NamedTuple):
    """What playback needs of a recorded response (and nothing else is held)."""

    status: int
    message: str
    packed_headers: str | tuple  # see ``headers``; a tuple of them when a value holds a separator
    body: bytes

    @property
    def headers(self) -> tuple:
        """``((name, (value, …)), …)`` in the file's order."""
        if isinstance(self.packed_headers, tuple):
            return self.packed_headers
        if not self.packed_headers:
            return ()
        return tuple((parts[0], tuple(parts[1:])) for parts in
                     (header.split(_VALUE) for header in self.packed_headers.split(_HEADER)))


def recorded_from(response: dict) -> Recorded:
    status = response.get("status") or {}
    headers = []
    for name, values in (response.get("headers") or {}).items():
        values = values if isinstance(values, list) else [values]
        headers.append((str(name), tuple(str(v) for v in values if v is not None)))
    packed = _HEADER.join(_VALUE.join((name, *values)) for name, values in headers)
    if (headers and not packed) or packed.count(_HEADER) != max(0, len(headers) - 1) or \
            packed.count(_VALUE) != sum(len(values) for _, values in headers):
        packed = tuple(headers)  # a separator inside a name or value: kept as it is
    body = (response.get("body") or {}).get("string") if isinstance(response.get("body"), dict) else None
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Recorded(int(status.get("code")), sys.intern(str(status.get("message") or "")), packed,
                    bytes(body or b""))


class Index:
    """Interactions filed by ``RequestKey``: lookups in constant time, vcrpy's answers.

    ``find`` gives the first interaction (in file order) that matches, skipping the played ones
    unless ``repeats``; ``matching`` gives all of them."""

    def __init__(self):
        self._files: dict = {}  # raw or parsed key → interaction number, or a list of them in order
        self._odd: dict = {}  # (method, uri) → [(number, VcrRequest)] for bodies of the odd kinds

    def add(self, number: int, key: RequestKey, request: VcrRequest | None = None) -> None:
        for k in (key.raw, key.parsed):
            if k is None:
                continue
            held = self._files.get(k)
            if held is None:
                self._files[k] = number
            elif isinstance(held, list):
                held.append(number)
            else:
                self._files[k] = [held, number]
        if key.odd:
            self._odd.setdefault(key.raw[:2], []).append((number, request))

    def _candidates(self, key: RequestKey, request: Callable[[], VcrRequest]) -> Iterator[list[int] | tuple]:
        for k in (key.raw, key.parsed):
            if k is not None and k in self._files:
                held = self._files[k]
                yield held if isinstance(held, list) else (held,)
        odd = self._odd.get(key.raw[:2])
        if odd and key.odd:
            incoming, matches = request(), _vcr().body_matcher
            found = []
            for number, stored in odd:
                try:
                    matches(incoming, stored)
                except Exception:  # noqa: BLE001 - vcrpy says no by raising (AssertionError, or a parse error)
                    continue
                found.append(number)
            yield found

    def find(self, key: RequestKey, request: Callable[[], VcrRequest], skip: Callable[[int], bool] | None = None) -> int | None:
        best = None
        for numbers in self._candidates(key, request):
            for n in numbers:
                if skip is None or not skip(n):
                    if best is None or n < best:
                        best = n
                    break
        return best

    def matching(self, key: RequestKey, request: Callable[[], VcrRequest]) -> set[int]:
        found: set[int] = set()
        for numbers in self._candidates(key, request):
            found.update(numbers)
        return found


# ----------------------------------------------------------------------------------------------
# A cassette: loaded once, played from the index, recorded as a stream
# ----------------------------------------------------------------------------------------------

def check_cassette(path: str, record_mode: str = "none") -> None:
    """Raise ValueError / FileNotFoundError when a cassette cannot be used as asked (cheap: the
    file's start only; ``Cassette.load`` reads the rest and raises ``CassetteError``)."""
    if record_mode not in RECORD_MODES:
        raise ValueError(f"CASSETTE_RECORD_MODE must be one of {sorted(RECORD_MODES)}, not {record_mode!r}")
    file = Path(path)
    if record_mode == "none" and not file.is_file():
        raise FileNotFoundError(f"cassette not found: {path} (record mode 'none' only replays an existing cassette)")
    if file.exists() and not file.is_file():
        raise CassetteError(f"cassette {path} is not a file")
    if file.is_file():
        _check_start(file)


def _check_start(path: Path) -> None:
    """The file begins as a cassette does (a mapping whose keys lead to ``interactions``)."""
    try:
        with open(path, "rb") as stream:
            loader = _Loader(stream)
            try:
                for _ in range(3):  # StreamStart, DocumentStart, the top node's start
                    if loader.check_event(StreamEndEvent):
                        return  # empty: no interactions
                    event = loader.get_event()
            finally:
                loader.dispose()
    except yaml.YAMLError as exc:
        raise CassetteError(f"cassette {path} is not readable YAML: {_yaml_problem(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise CassetteError(f"cassette {path} is not UTF-8 text") from exc
    if not isinstance(event, MappingStartEvent):
        raise not_a_cassette(path, _TOP_PROBLEM[isinstance(event, SequenceStartEvent)], event.start_mark)


def _file_identity(path: Path):
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class Cassette:
    """A cassette file opened for a crawl::

        cassette = Cassette.load("x.yaml", "new_episodes")
        recorded = cassette.play("GET", url, None, headers)     # a Recorded, or None
        cassette.record(request_dict, response_dict)             # when not write_protected
        cassette.close()                                         # writes the file if anything was recorded
    """

    def __init__(self, path: str | os.PathLike, record_mode: str = "none", allow_playback_repeats: bool = True):
        if record_mode not in RECORD_MODES:
            raise ValueError(f"CASSETTE_RECORD_MODE must be one of {sorted(RECORD_MODES)}, not {record_mode!r}")
        self.path = Path(path)
        self.record_mode = record_mode  # vcrpy's RecordMode is a str enum: its values are these
        self.allow_playback_repeats = allow_playback_repeats
        self.index = Index()
        self._stored: list = []  # per loaded interaction: Recorded, or None when not kept ('all' never plays)
        self._spans = array("q")  # per interaction recorded now: offset and length in the recording file
        self._played = bytearray()  # per interaction: played at least once
        self._dropped: set[int] = set()  # interactions a re-recording replaced ('all')
        self.loaded = 0  # interactions read from the file
        self.recorded = 0
        self.rewound = False  # vcrpy's word: the file existed and was read
        self._identity = None
        self._extra: dict = {}
        self._recording = None  # (path, raw file) while recording
        self._recording_at = 0
        self.failed: str | None = None  # why recording stopped (a write failed): the cassette is left as it was
        self.closed = False

    @classmethod
    def load(cls, path, record_mode: str = "none", allow_playback_repeats: bool = True) -> "Cassette":
        cassette = cls(path, record_mode, allow_playback_repeats)
        cassette._load()
        return cassette

    # --- reading -----------------------------------------------------------------------------
    def _load(self) -> None:
        if not self.path.is_file():
            if self.record_mode == "none":
                raise FileNotFoundError(f"cassette not found: {self.path}")
            return
        self._identity = _file_identity(self.path)
        keep = self.record_mode != "all"  # 'all' never plays: keys only
        reader = CassetteReader(self.path)
        for item in reader:
            request = item["request"]
            number = len(self._stored)
            key, vcr_request = self._key_of_stored(request)
            self.index.add(number, key, vcr_request)
            self._stored.append(recorded_from(item["response"]) if keep else None)
        self._played = bytearray(len(self._stored))
        self._extra = reader.extra
        self.loaded = len(self._stored)
        self.rewound = reader.document

    def _key_of_stored(self, request: dict) -> tuple[RequestKey, VcrRequest | None]:
        try:
            body = _body_bytes(request.get("body"))
        except TypeError as exc:
            raise CassetteError(f"cassette {self.path}: the request of {request['uri']} has a {exc}") from exc
        headers = request.get("headers") or {}
        key = request_key(request["method"], request["uri"], body, _first_value(headers))
        vcr_request = _vcr().Request(request["method"], request["uri"], body, headers) if key.odd else None
        return key, vcr_request

    def __len__(self) -> int:
        return self.loaded + self.recorded

    @property
    def write_protected(self) -> bool:
        return (self.rewound and self.record_mode == "once") or self.record_mode == "none"

    @property
    def playable(self) -> bool:
        return self.record_mode != "all" and (self.rewound or self.allow_playback_repeats)

    # --- playing -------------------------------------------------------------------------------
    def find(self, method: str, uri: str, body: bytes | None, headers=None) -> int | None:
        """The number of the interaction that answers this request now, or None."""
        key = request_key(method, uri, body, _first_value(headers))
        return self.index.find(key, lambda: _vcr().Request(method, uri, body, normalise_headers(headers)), self._skip)

    def _skip(self, number: int) -> bool:
        return number in self._dropped or (not self.allow_playback_repeats and self._played[number])

    def play(self, method: str, uri: str, body: bytes | None, headers=None) -> Recorded | None:
        """The recorded response for this request (and it counts as played), or None."""
        if not self.playable:
            return None
        number = self.find(method, uri, body, headers)
        if number is None:
            return None
        self._played[number] = 1
        return self.response(number)

    def response(self, number: int) -> Recorded:
        if number < self.loaded:
            stored = self._stored[number]
            if stored is None:
                raise LookupError(f"interaction {number} was not kept (record mode all)")
            return stored
        offset, length = self._span(number)  # recorded during this crawl: read back from the recording file
        data = os.pread(self._recording[1].fileno(), length, offset)
        return recorded_from(yaml.load(data, Loader=_Loader)[0]["response"])

    def miss_reason(self, method: str, uri: str, body: bytes | None, headers=None) -> str:
        """Why this request is not answered, as the end of a sentence that starts with it."""
        key = request_key(method, uri, body, _first_value(headers))
        held = self.index.matching(key, lambda: _vcr().Request(method, uri, body, normalise_headers(headers)))
        held -= self._dropped
        if held and not self.allow_playback_repeats:
            return (f"was answered already by all {len(held)} of its recorded responses in {self.path} "
                    "(CASSETTE_ALLOW_PLAYBACK_REPEATS is off)")
        return f"is not in {self.path}"

    @property
    def unplayed(self) -> int:
        return self.loaded - sum(self._played[: self.loaded])

    # --- recording -----------------------------------------------------------------------------
    def record(self, request: dict, response: dict) -> None:
        """Add an exchange (vcrpy's dicts: ``request`` {method, uri, body, headers}, ``response``
        {status, headers, body: {string}}); written to the recording file at once."""
        if self.write_protected:
            raise CassetteError(f"cassette {self.path} is write-protected (record mode {self.record_mode})")
        if self.closed:
            raise CassetteError(f"cassette {self.path} is closed")
        if self.failed:
            raise CassetteError(f"cassette {self.path}: recording stopped ({self.failed})")
        body = _body_bytes(request.get("body"))
        item = {"request": {"method": request["method"], "uri": request["uri"], "body": readable(body),
                            "headers": request.get("headers") or {}},
                "response": {**response, "body": {**response["body"], "string": readable(response["body"]["string"])}}}
        data = dump_interaction(item)
        key, vcr_request = self._key_of_stored(item["request"])
        if self.record_mode == "all":
            # what this replaces: loaded interactions it matches; and, as playback would only ever
            # serve the first of several, earlier recordings of it unless each is played once
            replaced = self.index.matching(key, lambda: vcr_request or _vcr().Request(
                request["method"], request["uri"], body, request.get("headers") or {}))
            if not self.allow_playback_repeats:
                replaced = {n for n in replaced if n < self.loaded}
            self._dropped.update(replaced)
        offset = self._write(data)
        self.index.add(len(self), key, vcr_request)
        self._spans.extend((offset, len(data)))
        self._played.append(0)
        self.recorded += 1

    def _write(self, data: bytes) -> int:
        if self._recording is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".recording", dir=self.path.parent)
            os.fchmod(fd, _new_file_mode())
            raw = open(fd, "wb", buffering=0)
            _write_all(raw, HEADER)
            self._recording = (Path(name), raw)
            self._recording_at = len(HEADER)
            logger.info("Recording into %s (becomes %s when the crawl closes)", name, self.path)
        offset = self._recording_at
        raw = self._recording[1]
        try:
            _write_all(raw, data)
        except OSError as exc:  # disk full, I/O error: keep what was written whole, record no more
            try:
                os.ftruncate(raw.fileno(), offset)
            except OSError:
                pass
            self.failed = f"{type(exc).__name__}: {exc}"
            raise CassetteError(f"cassette {self.path}: recording failed ({self.failed}); the cassette is left "
                                f"as it was, what was recorded before is in {self._recording[0]}") from exc
        self._recording_at += len(data)
        return offset

    def _span(self, number: int) -> tuple[int, int]:
        at = 2 * (number - self.loaded)
        return self._spans[at], self._spans[at + 1]

    @property
    def recording_path(self) -> Path | None:
        return self._recording[0] if self._recording else None

    # --- closing -------------------------------------------------------------------------------
    def close(self) -> bool:
        """Write the cassette if anything was recorded (True), else leave it as it is (False).

        The new file is complete before it replaces the old one (renamed over it); if anything
        fails the old file is untouched and the recording file is kept, and the error says where."""
        if self.closed:
            return False
        self.closed = True
        if self._recording is None:
            return False
        recording, raw = self._recording
        if self.failed:
            raw.close()
            raise CassetteError(f"cassette {self.path} left as it was: recording failed ({self.failed}); "
                                f"what was recorded before is in {recording}")
        try:
            raw.close()
            if _file_identity(self.path) != self._identity:  # another process wrote it meanwhile
                raise CassetteError("the cassette file changed during the crawl")
            if self.loaded == 0 and not self._dropped and not self._extra:
                _finish(recording, self.path)  # a new cassette: the recording is the file
            else:
                self._merge(recording)
                recording.unlink()
        except Exception as exc:
            raise CassetteError(f"cassette {self.path} not written ({exc}); what was recorded is in {recording}") from exc
        return True

    def discard(self) -> None:
        """Drop what was recorded (the cassette stays as it was)."""
        self.closed = True
        if self._recording is not None:
            self._recording[1].close()
            self._recording[0].unlink(missing_ok=True)

    def _merge(self, recording: Path) -> None:
        """Old interactions (those not re-recorded) then the new ones, into a file renamed over the cassette."""
        fd, name = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        tmp = Path(name)
        try:
            with open(fd, "wb") as out:
                out.write(HEADER)
                if self.loaded:
                    n = 0
                    for n, item in enumerate(CassetteReader(self.path), start=1):
                        if n - 1 not in self._dropped:
                            out.write(dump_interaction(item))
                    if n != self.loaded:
                        raise CassetteError("the cassette file changed during the crawl")
                with open(recording, "rb") as rec:
                    for number in range(self.loaded, len(self)):
                        offset, length = self._span(number)
                        if number not in self._dropped:
                            rec.seek(offset)
                            out.write(rec.read(length))
                if self._extra:
                    out.write(yaml.dump(self._extra, Dumper=_Dumper, **DUMP_OPTIONS).encode("utf-8"))
            mode = self.path.stat().st_mode & 0o7777 if self.path.exists() else _new_file_mode()
            os.chmod(tmp, mode)
            _finish(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _write_all(raw, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = raw.write(view)
        view = view[written:]


def _finish(source: Path, target: Path) -> None:
    """Make ``source`` durable and rename it over ``target`` (atomic on one filesystem)."""
    with open(source, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(source, target)
    try:
        dir_fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)



def load_cassette(path: str, record_mode: str = "none", allow_playback_repeats: bool = True) -> Cassette:
    check_cassette(path, record_mode)
    return Cassette.load(path, record_mode, allow_playback_repeats)


# ----------------------------------------------------------------------------------------------
# Scrapy
# ----------------------------------------------------------------------------------------------

def _header_bytes(value: str) -> bytes:
    """A header value as it came off the wire: recorded headers are stored as Latin-1 text (each
    byte one character), so they go back byte for byte; text beyond Latin-1 (a constructed
    cassette's Chinese file name) is sent as UTF-8."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def to_scrapy_response(request, recorded: Recorded):
    headers = Headers()
    for name, values in recorded.headers:
        for value in values:
            headers.appendlist(name, _header_bytes(value))
    cls = responsetypes.from_args(headers=headers, url=request.url)
    return cls(url=request.url, status=recorded.status, headers=headers, body=recorded.body,
               request=request, flags=["cassette"])


def from_scrapy_response(response) -> dict:
    try:
        message = http.HTTPStatus(response.status).phrase
    except ValueError:
        message = ""
    return {
        "status": {"code": response.status, "message": message},
        "headers": normalise_headers(response.headers),
        "body": {"string": response.body},
    }


class CassetteMiddleware:
    """Downloader middleware serving and recording requests from/to a vcrpy cassette."""

    def __init__(self, crawler, path: str, record_mode: str, allow_playback_repeats: bool = True):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.record_mode = record_mode
        self.error: str | None = None
        try:
            self.cassette = load_cassette(path, record_mode, allow_playback_repeats)
        except (CassetteError, OSError) as exc:
            # a file that is not a cassette (or not readable): one line, no request answered, the
            # crawl stops at its first request and fails; the file is never written
            known = isinstance(exc, (CassetteError, FileNotFoundError))
            self.error = str(exc) if known else f"cassette {path} cannot be read: {exc}"
            logger.error("%s", self.error)
            self.stats.set_value("archive/failed", "cassette not found" if isinstance(exc, FileNotFoundError)
                                 else "cassette unreadable")
            return
        self.stats.set_value("cassette/loaded", self.cassette.loaded)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        logger.info("Cassette %s: %d interactions, record mode %s", path, len(self.cassette), record_mode)

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("CASSETTE")
        if not path:
            raise NotConfigured
        return cls(crawler, path, crawler.settings.get("CASSETTE_RECORD_MODE", "none"),
                   crawler.settings.getbool("CASSETTE_ALLOW_PLAYBACK_REPEATS", True))

    def process_request(self, request, spider=None):
        if self.error is not None:
            if not self.stats.get_value("cassette/refused"):
                self._stop_crawl("cassette-unreadable")
            self.stats.inc_value("cassette/refused")
            raise IgnoreRequest(self.error)
        body = request.body or None
        recorded = self.cassette.play(request.method, request.url, body, request.headers)
        if recorded is not None:
            self.stats.inc_value("cassette/played")
            return to_scrapy_response(request, recorded)
        if self.cassette.write_protected:
            why = self.cassette.miss_reason(request.method, request.url, body, request.headers)
            self.stats.inc_value("cassette/miss")
            self.stats.set_value("archive/failed", "cassette miss")
            logger.error(
                "Cassette miss: %s %s %s (record mode %s). Record it with "
                "-s CASSETTE_RECORD_MODE=new_episodes on a machine that can reach the site.",
                request.method, request.url, why, self.record_mode,
            )
            raise CassetteMiss(f"not in cassette: {request.method} {request.url}")
        return None  # goes to the network; recorded in process_response

    def process_response(self, request, response, spider=None):
        if "cassette" in response.flags or self.error is not None:  # served by us, not the network
            return response
        if self.cassette.write_protected or self.cassette.closed or self.cassette.failed:
            return response
        try:
            self.cassette.record(
                {"method": request.method, "uri": request.url, "body": request.body or None,
                 "headers": normalise_headers(request.headers)},
                from_scrapy_response(response),
            )
        except CassetteError as exc:
            self._recording_failed(exc)
            return response
        self.stats.inc_value("cassette/recorded")
        return response

    def _recording_failed(self, exc: CassetteError) -> None:
        """A write to the recording failed: stop the crawl (what it fetches from now on could not be
        recorded), say so once; the cassette is left as it was."""
        self.stats.set_value("archive/failed", "cassette recording failed")
        logger.error("%s: stopping the crawl", exc)
        self._stop_crawl("cassette-failed")

    def _stop_crawl(self, reason: str) -> None:
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no crawl running: the middleware used on its own
            return
        asyncio.ensure_future(engine.close_spider_async(reason=reason))

    def spider_closed(self, spider, reason):
        if self.cassette.playable and self.cassette.loaded:
            self.stats.set_value("cassette/unplayed", self.cassette.unplayed)
        try:
            written = self.cassette.close()
        except CassetteError as exc:
            logger.error("%s", exc)
            if not self.stats.get_value("archive/failed"):
                self.stats.set_value("archive/failed", "cassette not written")
            return
        if written:
            logger.info("Cassette %s saved: %d interactions recorded", self.path, self.cassette.recorded)
