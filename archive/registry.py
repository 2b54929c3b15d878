"""The registry: every annual-report column the archive knows, as data (a UTF-8 CSV file).

One row per annual-report column (政府信息公开年报 column of one agency's portal)::

    id               short name, [a-z][a-z0-9_-]*; the portal's spider is called so (scrapy crawl ID)
    agency           the agency whose column it is (广州市人民政府)
    region_code      行政区划代码 of its region, 6 digits (440100)
    region           the region's name (广州市)
    level            province, city, county, township or department
    parent           id of the row of the agency above it (a district's city), or empty
    homepage         the agency's portal homepage
    column           URL of the column: where its walk starts (a gkmlpt column names its category:
                     …/gkmlpt/index#<id>)
    alternates       other URLs of the same column (an older column still in use), space-separated;
                     a column crawl of one of them stores its reports under this row
    platform         the CMS family (crawler/platforms/<platform>.py): nfcms, trs, hanweb, hunan, gkmlpt,
                     generic
    sections         sub-columns: key=label pairs separated by ";" (sbj=市本级;bm=市政府部门)
    default_section  the section of reports listed directly in the column
    hosts            every host (host:port if not the default) the portal answers on, space-separated;
                     the first is canonical (empty: the column's host)
    containers       main-text selectors tried before the platform's, separated by ";"
    scheme           the canonical scheme, http or https (empty: the column's)
    status           active (crawled), candidate (promoted from a discovery, crawled, to be reviewed),
                     retired (no longer crawled; its stored reports keep their portal)
    notes            free text

``read(path)`` parses a registry and ``check(registry)`` lists its problems (each with the line it is
on); ``load(path)`` does both and refuses a registry with problems. ``path`` None means the registry in
use: ``$ARCHIVE_REGISTRY``, else the one shipped in the package (``crawler/registry.csv``).
Nothing here knows Scrapy: the crawler builds its portals from these rows (``crawler.portals``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_VAR = "ARCHIVE_REGISTRY"
SHIPPED = "crawler/registry.csv (shipped)"

FIELDS = ("id", "agency", "region_code", "region", "level", "parent", "homepage", "column", "alternates",
          "platform", "sections", "default_section", "hosts", "containers", "scheme", "status", "notes")
REQUIRED = ("id", "agency", "region_code", "level", "column", "platform", "status")
# the CMS families the crawler has a module for (crawler/platforms/<name>.py; a test keeps them in step)
PLATFORMS = ("nfcms", "trs", "hanweb", "hunan", "gkmlpt", "generic")
LEVELS = ("province", "city", "county", "township", "department")
GOVERNMENT_LEVELS = ("province", "city", "county", "township")
STATUSES = ("active", "candidate", "retired")
RESERVED_IDS = ("column", "discover", "portals")  # the crawler's own spiders
# the first two digits of a 行政区划代码: the 34 provincial-level divisions (GB/T 2260)
PROVINCES = frozenset((11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                       50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82))

_ID = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?")


class RegistryError(Exception):
    """A registry that cannot be read (missing, not UTF-8, not a CSV with id and column), or that
    has problems where a valid one is needed."""


@dataclass(frozen=True)
class Problem:
    line: int  # the line of the file the row starts on (1: the header)
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Row:
    line: int
    id: str
    agency: str
    region_code: str
    region: str
    level: str
    parent: str
    homepage: str
    column: str
    alternates: tuple[str, ...]
    platform: str
    sections: dict[str, str]
    default_section: str
    hosts: tuple[str, ...]
    containers: tuple[str, ...]
    scheme: str
    status: str
    notes: str
    raw: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # the cells as written

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, *self.alternates)

    @property
    def is_government(self) -> bool:
        return self.level in GOVERNMENT_LEVELS


@dataclass
class Registry:
    source: str  # a path, or SHIPPED
    fields: tuple[str, ...]  # the header as written
    rows: list[Row]
    problems: list[Problem]  # found while reading (malformed cells, header); check() adds the rest

    def by_id(self) -> dict[str, Row]:
        return {r.id: r for r in self.rows}


# --- where the registry is -----------------------------------------------------------------------
def source_of(path: str | os.PathLike | None = None) -> str:
    """The registry a command uses: ``path``, else ``$ARCHIVE_REGISTRY``, else the shipped one."""
    if path:
        return os.fspath(path)
    return os.environ.get(ENV_VAR) or SHIPPED


def shipped_bytes() -> bytes:
    """The registry in the package (also inside a zipped egg)."""
    return resources.files("crawler").joinpath("registry.csv").read_bytes()


def shipped_path() -> Path | None:
    """The shipped registry as a file, when the package is a folder (a checkout, an installed wheel)."""
    target = resources.files("crawler").joinpath("registry.csv")
    return Path(os.fspath(target)) if isinstance(target, Path) else None


def _read_bytes(source: str) -> bytes:
    if source == SHIPPED:
        return shipped_bytes()
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise RegistryError(f"no registry file at {source}") from None
    except IsADirectoryError:
        raise RegistryError(f"{source} is a directory, not a registry file") from None
    except OSError as exc:
        raise RegistryError(f"cannot read the registry {source}: {exc.strerror or exc}") from None


# --- reading -------------------------------------------------------------------------------------
def read(path: str | os.PathLike | None = None) -> Registry:
    source = source_of(path)
    return parse(_read_bytes(source), source)


def parse(data: bytes, source: str = "<registry>") -> Registry:
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{source} is not UTF-8 (byte {exc.start}); save it as CSV UTF-8") from None
    if "\x00" in text:
        raise RegistryError(f"{source} is not a CSV text file (it holds NUL bytes)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise RegistryError(f"{source} is not a readable CSV file: {exc}") from None
    if not header or not any(h.strip() for h in header):
        raise RegistryError(f"{source} is empty: a registry starts with a header line ({', '.join(REQUIRED)} …)")
    names = tuple(h.strip() for h in header)
    if "id" not in names or "column" not in names:
        raise RegistryError(f"{source} is not a registry: its header has no "
                            f"{' and no '.join(n for n in ('id', 'column') if n not in names)} column")
    problems = [Problem(1, f"the header lacks the column {n}") for n in REQUIRED if n not in names]
    problems += [Problem(1, f"unknown column {n!r} in the header (known: {', '.join(FIELDS)})")
                 for n in names if n not in FIELDS]
    problems += [Problem(1, f"the column {n} appears twice in the header") for n in sorted(set(names))
                 if names.count(n) > 1]
    rows: list[Row] = []
    line = 2
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RegistryError(f"{source}, line {reader.line_num}: not readable as CSV: {exc}") from None
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if len(cells) > len(names):
            problems.append(Problem(start, f"{len(cells)} cells for {len(names)} columns"))
        raw = {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}
        row, row_problems = _row(raw, start)
        rows.append(row)
        problems += row_problems
    return Registry(source, names, rows, problems)


def _split(value: str, sep: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value.split(sep) if sep else value.split()) if p.strip())


def _row(raw: dict[str, str], line: int) -> tuple[Row, list[Problem]]:
    problems: list[Problem] = []
    sections: dict[str, str] = {}
    for part in _split(raw.get("sections", ""), ";"):
        key, eq, label = part.partition("=")
        if not eq or not key.strip() or not label.strip():
            problems.append(Problem(line, f"section {part!r} is not key=label"))
            continue
        if key.strip() in sections:
            problems.append(Problem(line, f"section {key.strip()!r} is given twice"))
        sections[key.strip()] = label.strip()
    column = raw.get("column", "")
    hosts = tuple(h.lower() for h in _split(raw.get("hosts", ""), None))
    scheme = raw.get("scheme", "").lower()
    if column and not hosts and _is_url(column):
        hosts = (_netloc(column),)
    if column and not scheme and _is_url(column):
        scheme = urlsplit(column).scheme.lower()
    row = Row(line=line, id=raw.get("id", ""), agency=raw.get("agency", ""), region_code=raw.get("region_code", ""),
              region=raw.get("region", ""), level=raw.get("level", "").lower(), parent=raw.get("parent", ""),
              homepage=raw.get("homepage", ""), column=column, alternates=_split(raw.get("alternates", ""), None),
              platform=raw.get("platform", "").lower(), sections=sections,
              default_section=raw.get("default_section", ""), hosts=hosts,
              containers=_split(raw.get("containers", ""), ";"), scheme=scheme,
              status=raw.get("status", "").lower(), notes=raw.get("notes", ""), raw=raw)
    return row, problems


# --- URLs ----------------------------------------------------------------------------------------
def _is_url(value: str) -> bool:
    return url_problem(value) is None


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.rsplit("@", 1)[-1].lower()


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a usable http(s) URL, or None."""
    if not value:
        return "empty"
    if any(c.isspace() for c in value):
        return "it holds a space"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 — raises on a malformed port
    except ValueError as exc:
        return f"malformed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not http(s) ({parts.scheme or 'no scheme'})"
    if not parts.hostname or not _HOST.fullmatch(_netloc(value)):
        return "no valid host"
    return None


def column_key(url: str) -> str:
    """One spelling per column, for finding duplicates: no scheme (http and https are one column),
    host lower-case, ``index.html`` and a trailing slash dropped; a gkmlpt category keeps its id."""
    parts = urlsplit(url.strip())
    path = re.sub(r"/index\.s?html?$", "/", parts.path or "/")
    path = path.rstrip("/") or "/"
    fragment = parts.fragment if "/gkmlpt/" in path + "/" and parts.fragment.isdigit() else ""
    key = f"{_netloc(url)}{path}"
    if parts.query and "/gkmlpt/" not in path + "/":
        key += "?" + parts.query
    return key + (f"#{fragment}" if fragment else "")


def column_folder(url: str) -> str:
    """The folder below which a column's pages and reports live: the column URL's folder (a gkmlpt
    column: the site's /gkmlpt/)."""
    parts = urlsplit(url)
    if "/gkmlpt/" in parts.path:
        return urlunsplit((parts.scheme, parts.netloc, "/gkmlpt/", "", ""))
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path or "/", "", ""))


def _inside(url: str, other: str) -> bool:
    """Is the column ``url`` inside the column ``other`` (same host, below its folder)?"""
    a, b = urlsplit(column_folder(url)), urlsplit(column_folder(other))
    if _netloc(url) != _netloc(other):
        return False
    if "/gkmlpt/" in urlsplit(url).path and "/gkmlpt/" in urlsplit(other).path:
        return False  # two categories of one catalogue are two columns
    return a.path.startswith(b.path)


def gkmlpt_category(url: str) -> str | None:
    """The category a gkmlpt URL names: ``/gkmlpt/index#2801`` or ``/gkmlpt/api/all/2801?…``."""
    parts = urlsplit(url)
    m = re.search(r"/gkmlpt/api/all/(\d+)", parts.path)
    if m:
        return m.group(1)
    return parts.fragment if parts.fragment.isdigit() else None


# --- checking ------------------------------------------------------------------------------------
def region_level(code: str) -> str:
    """The level a 6-digit code names: province (XX0000), city (XXXX00) or county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def region_problem(code: str) -> str | None:
    if not re.fullmatch(r"\d{6}", code):
        return f"region code {code!r} is not 6 digits (行政区划代码, e.g. 440100)"
    if int(code[:2]) not in PROVINCES:
        return f"region code {code} does not start with a province's code ({code[:2]} is none)"
    return None


def check(registry: Registry, platforms: tuple[str, ...] = PLATFORMS) -> list[Problem]:
    """Every problem of the registry, by line: what reading found, then each row's own, then those
    between rows (duplicate ids and columns, unknown parents, a column inside another)."""
    problems = list(registry.problems)
    ids: dict[str, Row] = {}
    for row in registry.rows:
        problems += _row_problems(row, platforms)
        if row.id in ids:
            problems.append(Problem(row.line, f"duplicate id {row.id!r} (also on line {ids[row.id].line})"))
        else:
            ids[row.id] = row
    problems += _parent_problems(registry.rows, ids)
    problems += _column_problems(registry.rows)
    return sorted(problems, key=lambda p: p.line)


def _row_problems(row: Row, platforms: tuple[str, ...]) -> list[Problem]:
    out: list[str] = []
    for name in REQUIRED:
        if name in row.raw and not row.raw[name]:
            out.append(f"{name} is empty")
    if row.id and not _ID.fullmatch(row.id):
        out.append(f"id {row.id!r} must be lower-case letters, digits, - or _, starting with a letter")
    elif row.id in RESERVED_IDS:
        out.append(f"id {row.id!r} is the name of one of the crawler's own spiders")
    if row.region_code and (why := region_problem(row.region_code)):
        out.append(why)
    if row.level and row.level not in LEVELS:
        out.append(f"unknown level {row.level!r} (known: {', '.join(LEVELS)})")
    elif row.level in ("province", "city", "county") and row.region_code and not region_problem(row.region_code):
        named = region_level(row.region_code)
        if named != row.level:
            out.append(f"level {row.level} does not fit region code {row.region_code}, a {named}'s code")
    if row.platform and row.platform not in platforms:
        out.append(f"unknown platform {row.platform!r} (known: {', '.join(platforms)})")
    if row.status and row.status not in STATUSES:
        out.append(f"unknown status {row.status!r} (known: {', '.join(STATUSES)})")
    for name, url in (("column", row.column), ("homepage", row.homepage),
                      *(("alternate", a) for a in row.alternates)):
        if url and (why := url_problem(url)):
            out.append(f"{name} URL {url!r}: {why}")
    if row.scheme and row.scheme not in ("http", "https"):
        out.append(f"scheme {row.scheme!r} is not http or https")
    for host in row.hosts:
        if not _HOST.fullmatch(host):
            out.append(f"host {host!r} is not a host name (host or host:port)")
    for url in row.columns:
        if url and _is_url(url) and row.hosts and _netloc(url) not in row.hosts and \
                (urlsplit(url).hostname or "") not in row.hosts:
            out.append(f"{url} is on {_netloc(url)}, which hosts does not list ({' '.join(row.hosts)})")
    if row.platform == "gkmlpt" and row.column and _is_url(row.column) and not gkmlpt_category(row.column):
        out.append("a gkmlpt column names its category: …/gkmlpt/index#<id>")
    if row.parent and row.parent == row.id:
        out.append("a row cannot be its own parent")
    return [Problem(row.line, m) for m in out]


def _parent_problems(rows: list[Row], ids: dict[str, Row]) -> list[Problem]:
    out = []
    for row in rows:
        if not row.parent or row.parent == row.id:
            continue
        parent = ids.get(row.parent)
        if parent is None:
            out.append(Problem(row.line, f"unknown parent {row.parent!r} (no row has that id)"))
            continue
        seen, up, cycle = {row.id}, parent, False
        while up is not None:
            if up.id in seen:
                cycle = True
                break
            seen.add(up.id)
            up = ids.get(up.parent) if up.parent and up.parent != up.id else None
        if cycle:
            out.append(Problem(row.line, f"its parents go round in a cycle ({row.parent!r} …)"))
            continue
        if region_problem(row.region_code) or region_problem(parent.region_code):
            continue
        # a government lies within its parent government's region; a department in its government's
        if parent.level == "province" and row.region_code[:2] != parent.region_code[:2] or \
                parent.level == "city" and row.region_code[:4] != parent.region_code[:4] or \
                parent.level in ("county", "township") and row.region_code != parent.region_code:
            out.append(Problem(row.line, f"region code {row.region_code} is not within its parent "
                                         f"{parent.id}'s region {parent.region_code}"))
    return out


def _column_problems(rows: list[Row]) -> list[Problem]:
    out = []
    seen: dict[str, tuple[Row, str]] = {}
    usable = [(row, url) for row in rows for url in row.columns if url and _is_url(url)]
    for row, url in usable:
        key = column_key(url)
        if key in seen:
            other, _ = seen[key]
            where = "the same row" if other is row else f"line {other.line} ({other.id})"
            out.append(Problem(row.line, f"duplicate column {url} (also on {where})"))
        else:
            seen[key] = (row, url)
    for row, url in usable:
        for other, other_url in usable:
            if other is not row and column_key(url) != column_key(other_url) and _inside(url, other_url):
                out.append(Problem(row.line, f"column {url} lies inside {other.id}'s column {other_url} "
                                             f"(line {other.line}): its reports would belong to both"))
                break
    return out


def load(path: str | os.PathLike | None = None, platforms: tuple[str, ...] = PLATFORMS) -> Registry:
    """A registry without problems, or RegistryError saying the first of them."""
    registry = read(path)
    problems = check(registry, platforms)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RegistryError(f"the registry {registry.source} has problems: {problems[0]}{more}; "
                            f"see: archive registry check {'' if registry.source == SHIPPED else registry.source}".rstrip())
    return registry


# --- writing -------------------------------------------------------------------------------------
def append_rows(path: str | os.PathLike, new_rows: list[dict[str, str]], platforms: tuple[str, ...] = PLATFORMS
                ) -> Registry:
    """Add rows (dicts of field → cell) to the registry file at ``path`` (created with the full
    header if missing): its bytes are kept as they are and the rows written after them; the result
    must pass ``check`` before it replaces the file (written beside it, then renamed), so a failed
    add leaves the file as it was. Returns the new registry."""
    path = Path(path)
    if path.exists():
        old = _read_bytes(os.fspath(path))
        registry = parse(old, os.fspath(path))
        fields = registry.fields
    else:
        old, fields = b"", FIELDS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    if not old:
        writer.writerow(fields)
    elif not old.endswith((b"\n", b"\r")):
        buffer.write("\n")
    for row in new_rows:
        unknown = set(row) - set(fields)
        if unknown - {"notes"}:
            raise RegistryError(f"{path} has no column for {', '.join(sorted(unknown))}; add it to the header first")
        writer.writerow([row.get(name, "") for name in fields])
    data = old + buffer.getvalue().encode("utf-8")
    result = parse(data, os.fspath(path))
    problems = check(result, platforms)
    if problems:
        raise RegistryError(f"not added: the registry would have problems: {problems[0]}"
                            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return result


# --- rows from discoveries ---------------------------------------------------------------------------
_SITE_SUFFIX = re.compile(r"(门户网站|门户网|官方网站|网站|(?<=政府)网)$")
_PUBLIC_SUFFIXES = (("gov", "cn"), ("com", "cn"), ("org", "cn"), ("net", "cn"), ("cn",), ("com",), ("org",), ("net",))


def proposed_id(url: str, taken: set[str]) -> str:
    """A registry id from a column's host: www.gz.gov.cn → gz, rsj.gz.gov.cn → rsj-gz (made unique)."""
    parts = urlsplit(url)
    labels = (parts.hostname or "site").lower().split(".")
    if labels and labels[0] == "www":
        labels = labels[1:]
    for suffix in _PUBLIC_SUFFIXES:
        if len(labels) > len(suffix) and tuple(labels[-len(suffix):]) == suffix:
            labels = labels[:-len(suffix)]
            break
    base = re.sub(r"[^a-z0-9]+", "-", "-".join(labels)).strip("-") or "site"
    if parts.port:
        base += f"-{parts.port}"
    if not base[0].isalpha():
        base = "site-" + base
    base = base[:56]
    candidate, n = base, 2
    while candidate in taken or candidate in RESERVED_IDS:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def agency_of_site(site: dict) -> str:
    """The agency a site names itself after: its SiteName meta tag (else its title) without
    门户网站/网站 (广州市人民政府门户网站 → 广州市人民政府)."""
    name = (site.get("SiteName") or site.get("title") or "").strip()
    name = re.split(r"\s*[-_|－—]\s*", name)[-1] if not site.get("SiteName") and name else name
    return _SITE_SUFFIX.sub("", name).strip()


def level_of(agency: str, region_code: str) -> str:
    """A government's level from its region code (a township's from its name); anything else is a
    department."""
    if re.search(r"(镇|乡|街道)(人民政府|政府|办事处)$", agency):
        return "township"
    if agency.endswith("政府") and region_code and not region_problem(region_code):
        return region_level(region_code)
    return "department"


def proposed_row(discovery: dict, taken: set[str]) -> dict[str, str]:
    """The registry row a confirmed discovery proposes (status ``candidate``): id from the host,
    agency from the site's name, region code from its 网站标识码 (SiteIDCode: the 6-digit
    行政区划代码 and a 4-digit number), level from both. What cannot be read stays empty (and the
    row then fails ``check`` until a person fills it in)."""
    site = discovery.get("site") or {}
    column = discovery["column_url"]
    site_code = re.sub(r"\s", "", site.get("SiteIDCode") or "")
    region_code = site_code[:6] if re.fullmatch(r"\d{10}", site_code) and not region_problem(site_code[:6]) else ""
    agency = agency_of_site(site)
    evidence = discovery.get("evidence") or {}
    path = " → ".join(step.get("text") or step.get("url", "") for step in evidence.get("path", []))
    years = discovery.get("years") or ""
    return {
        "id": proposed_id(column, taken), "agency": agency, "region_code": region_code, "region": "",
        "level": level_of(agency, region_code), "parent": "", "homepage": discovery["homepage"], "column": column,
        "alternates": "", "platform": discovery.get("platform") or "generic", "sections": "", "default_section": "",
        "hosts": _netloc(column), "containers": "", "scheme": urlsplit(column).scheme.lower(), "status": "candidate",
        "notes": (f"found by discovery {str(discovery.get('found_at') or '')[:10]} (score {discovery.get('score')}): "
                  f"{path or column}; {discovery.get('reports') or 0} report entries"
                  + (f" ({years})" if years else "")),
    }


def registered_column(registry: Registry, url: str) -> Row | None:
    """The row whose column (or alternate) ``url`` is, or lies inside."""
    key = column_key(url)
    for row in registry.rows:
        for column in row.columns:
            if column and _is_url(column) and (column_key(column) == key or _inside(url, column)):
                return row
    return None
