"""The cleaning gold set: pages and the body text a person reads on them.

``tests/gold/pages_*.tsv`` lists real pages of ``../shared/corpus/raw`` with their gold files
(written by reading each page, not by any cleaner). The report pages of the constructed
cassettes are gold too: their manifest holds every paragraph and table row put into them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold"
ROOT = HERE.parent


@dataclass
class GoldPage:
    name: str
    body: bytes
    gold: str
    url: str | None = None
    has_body: bool = True
    headers: dict = field(default_factory=dict)


def corpus_pages(shared: Path) -> list[GoldPage]:
    pages = []
    for tsv in sorted(GOLD.glob("pages_*.tsv")):
        for line in tsv.read_bytes().decode("utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 3 or cols[0] == "page":
                continue
            page, gold_file, has_body = cols[0], cols[1], cols[2].strip().lower() == "yes"
            path = shared / "corpus" / "raw" / page
            if not path.is_file():
                continue
            gold = (GOLD / gold_file).read_bytes().decode("utf-8")
            pages.append(GoldPage(page, path.read_bytes(), gold, has_body=has_body))
    return pages


def cassette_pages() -> list[GoldPage]:
    """Report pages of cassettes that have a ground-truth manifest."""
    pages = []
    for manifest_path in sorted((HERE / "data").glob("*_manifest.json")):
        name = manifest_path.name[: -len("_manifest.json")]
        manifest = json.loads(manifest_path.read_bytes().decode("utf-8"))
        cassette = yaml.safe_load((ROOT / "cassettes" / f"{name}.yaml").read_bytes().decode("utf-8"))
        bodies = {}
        for i in cassette["interactions"]:
            body = i["response"]["body"]["string"]
            if "gzip" in str(i["response"]["headers"].get("Content-Encoding")):
                import gzip

                body = gzip.decompress(body)
            bodies[i["request"]["uri"]] = (body.encode("utf-8") if isinstance(body, str) else body,
                                           i["response"]["headers"])
        for m in manifest["reports"]:
            body, headers = bodies[m["url"]]
            lines = list(m["paragraphs"])
            for table in m["tables"]:
                lines += [" | ".join(row) for row in table if any(c.strip() for c in row)]
            pages.append(GoldPage(f"{name}:{m['url'].rsplit('/', 1)[-1]}", body, "\n".join(lines),
                                  url=m["url"], headers=headers))
    return pages


def load_gold_set(shared: Path) -> list[GoldPage]:
    return corpus_pages(shared) + cassette_pages()
