"""SURT keys: a URL rewritten so that index order groups a site's captures together
(``http://www.Example.gov.cn/a?b=2&a=1`` → ``cn,gov,example)/a?a=1&b=2``), the key of CDXJ
index lines. Follows the usual web-archive canonicalization: lower case, no scheme, no user
info, no default port, no leading ``www``/``www2``…, host labels (or IPv4 octets) reversed,
query arguments sorted, no fragment, an empty query or path dropped or made ``/``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_WWW = re.compile(r"^www\d*\.")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def surt(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().strip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    host = _WWW.sub("", host)
    labels = host.split(".") if host else []
    key = ",".join(reversed(labels))
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        key += f":{port}"
    path = parts.path or "/"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    rest = path + (f"?{query}" if query else "")
    return (key + ")" + rest).lower()
