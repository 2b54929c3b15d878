"""``scrapy deploy [TARGET]``: build the project's egg and add it to a Scrapyd server.

    scrapy deploy                       # the [deploy] section of scrapy.cfg
    scrapy deploy production -v r42     # the [deploy:production] section, version r42
    scrapy deploy --build-egg out.egg   # only write the egg
    scrapy deploy --registry mine.csv   # with this registry in the egg instead of the shipped one

A section names the server (``url``) and the project (``project``), optionally ``username`` and
``password`` (HTTP basic auth), as scrapyd-client's sections do. The egg is ``crawler.deploy``'s.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import get_config


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[TARGET] [-v VERSION] [--build-egg FILE] [--registry FILE]"

    def short_desc(self) -> str:
        return "Add the project, as an egg, to a Scrapyd server (scrapy.cfg [deploy])"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("-v", "--version", help="the version to add (default: the time)")
        parser.add_argument("-p", "--project", help="the Scrapyd project (default: the section's)")
        parser.add_argument("--build-egg", metavar="FILE", help="write the egg to FILE and upload nothing")
        parser.add_argument("--registry", metavar="FILE", help="a registry CSV to put in the egg instead of the shipped one")

    def run(self, args, opts):
        from archive import registry as reg
        from crawler.deploy import DeployError, build_egg, default_version, upload

        if len(args) > 1:
            raise UsageError("one target at most: scrapy deploy [TARGET]", print_help=False)
        if opts.registry:
            try:
                reg.load(opts.registry)
            except reg.RegistryError as exc:
                raise UsageError(str(exc), print_help=False) from exc
        try:
            egg = build_egg(opts.registry)
        except (DeployError, OSError) as exc:
            raise UsageError(f"cannot build the egg: {exc}", print_help=False) from exc
        if opts.build_egg:
            Path(opts.build_egg).write_bytes(egg)
            print(f"wrote {opts.build_egg} ({len(egg)} bytes)")
            return
        section = f"deploy:{args[0]}" if args else "deploy"
        config = get_config()
        if not config.has_section(section):
            raise UsageError(f"no [{section}] section in scrapy.cfg", print_help=False)
        target = dict(config.items(section))
        if not target.get("url"):
            raise UsageError(f"[{section}] has no url", print_help=False)
        project = opts.project or target.get("project")
        if not project:
            raise UsageError(f"[{section}] has no project; give -p PROJECT", print_help=False)
        version = opts.version or default_version()
        try:
            answer = upload(target["url"], project, version, egg, target.get("username"), target.get("password"))
        except DeployError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        print(f"added {project} version {version} to {target['url']}: {answer.get('spiders')} spiders")
