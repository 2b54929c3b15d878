"""The project as a Scrapyd egg, and its upload (``scrapy deploy``).

Scrapyd runs a project from an egg: a zip of its packages with ``EGG-INFO/entry_points.txt`` naming
the settings module (``[scrapy] settings = crawler.settings``). ``build_egg`` writes one from the
packages of this checkout — every ``.py`` file of ``archive`` and ``crawler`` and the package data
``pyproject.toml`` declares (the registry CSV, the web view's templates) — with nothing but the
standard library, whatever setuptools is installed. ``registry=`` puts another registry file in
the egg in the shipped one's place. ``upload`` posts it to Scrapyd's ``addversion.json``.

The egg holds the project's code only: the Scrapyd host needs the dependencies installed
(``pip install scrapyd annual-report-archive`` or the packages of ``pyproject.toml``).
"""

from __future__ import annotations

import base64
import fnmatch
import io
import json
import os
import time
import tomllib
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

PACKAGES = ("archive", "crawler")
SETTINGS_MODULE = "crawler.settings"


class DeployError(Exception):
    pass


def project_root() -> Path:
    """The checkout the packages are in (where pyproject.toml is)."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise DeployError(f"no pyproject.toml beside the packages in {root}: an egg is built from a checkout")
    return root


def _package_data(root: Path) -> dict[str, list[str]]:
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return config.get("tool", {}).get("setuptools", {}).get("package-data", {})


def _metadata(root: Path) -> tuple[str, str]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["name"], project["version"]


def egg_files(root: Path | None = None) -> dict[str, Path]:
    """The files an egg carries: archive name → file of the checkout."""
    root = root or project_root()
    data = _package_data(root)
    files: dict[str, Path] = {}
    for top in PACKAGES:
        for folder, dirs, names in os.walk(root / top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            folder_path = Path(folder)
            if not (folder_path / "__init__.py").is_file():
                continue  # not a package (data folders are taken by their package's patterns)
            package = ".".join(folder_path.relative_to(root).parts)
            for name in sorted(names):
                if name.endswith(".py"):
                    files[str((folder_path / name).relative_to(root).as_posix())] = folder_path / name
            for pattern in data.get(package, []):
                for path in sorted(folder_path.glob(pattern)):
                    if path.is_file() and fnmatch.fnmatch(path.relative_to(folder_path).as_posix(), pattern):
                        files[str(path.relative_to(root).as_posix())] = path
    return files


def build_egg(registry: str | os.PathLike | None = None, root: Path | None = None) -> bytes:
    """The egg's bytes (a zip; deterministic for the same files)."""
    root = root or project_root()
    name, version = _metadata(root)
    files = egg_files(root)
    if "crawler/registry.csv" not in files:
        raise DeployError("crawler/registry.csv is not package data in pyproject.toml")
    out = io.BytesIO()
    stamp = (2000, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as egg:
        def put(arcname: str, data: bytes) -> None:
            info = zipfile.ZipInfo(arcname, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            egg.writestr(info, data)

        for arcname, path in sorted(files.items()):
            data = path.read_bytes()
            if arcname == "crawler/registry.csv" and registry is not None:
                data = Path(registry).read_bytes()
            put(arcname, data)
        put("EGG-INFO/PKG-INFO", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode())
        put("EGG-INFO/entry_points.txt", f"[scrapy]\nsettings = {SETTINGS_MODULE}\n".encode())
        put("EGG-INFO/top_level.txt", "\n".join(PACKAGES).encode() + b"\n")
        put("EGG-INFO/zip-safe", b"\n")
        put("EGG-INFO/SOURCES.txt", "\n".join(sorted(files)).encode() + b"\n")
    return out.getvalue()


def default_version() -> str:
    """A version Scrapyd sorts after the earlier ones: the time, as scrapyd-deploy does."""
    return str(int(time.time()))


def upload(url: str, project: str, version: str, egg: bytes, username: str | None = None,
           password: str | None = None, timeout: float = 120) -> dict:
    """POST the egg to ``<url>/addversion.json``; Scrapyd's answer (``status``, ``spiders``)."""
    boundary = uuid.uuid4().hex
    parts = []
    for field, value in (("project", project), ("version", version)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="{project}.egg"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + egg + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(url.rstrip("/") + "/addversion.json", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    if username:
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise DeployError(f"{url} answered HTTP {exc.code}: {exc.read()[:300].decode('utf-8', 'replace')}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeployError(f"cannot reach Scrapyd at {url}: {getattr(exc, 'reason', exc)}") from None
    except ValueError as exc:
        raise DeployError(f"{url} did not answer JSON: {exc}") from None
    if answer.get("status") != "ok":
        raise DeployError(f"Scrapyd refused the egg: {answer.get('message') or answer}")
    return answer
