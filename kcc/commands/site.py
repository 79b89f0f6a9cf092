"""``kcc`` subcommands for the site configuration and its secrets.

* ``check-config PATH``: load and validate; ``ok: <summary>`` or every problem.
* ``hash-password``: hash a web user's password read from stdin.
* ``hash-pin``: hash an agent's phone PIN (4 to 8 digits) read from stdin.
* ``sip-md5 EXT PASSWORD [--realm R]``: the SIP digest hash for an endpoint.
* ``token-sha256``: hash a wallboard display token read from stdin.

Passwords come from stdin, not the command line, so they do not end up in the shell
history or the process list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from kcc.command import Command
from site_config import passwords
from site_config.config import SiteConfig
from site_config.errors import ConfigError
from site_config.loader import load_site_config

DEFAULT_REALM = "kcc14023"

# Extra checks run by check-config after loading, e.g. the IVR package validating the
# flow file that SiteConfig only checks for existence. Each raises ConfigError.
SiteCheck = Callable[[SiteConfig], None]


def commands(extra_checks: Sequence[SiteCheck] = ()) -> tuple[Command, ...]:
    """The site subcommands; ``extra_checks`` extend ``check-config``."""
    return (
        Command(
            name="check-config",
            help="validate a site configuration file",
            add_arguments=lambda p: p.add_argument("path", help="e.g. config/site.yaml"),
            run=lambda args: check_config(args.path, extra_checks),
        ),
        Command(
            name="hash-password",
            help="hash a web user's password read from stdin (for access.users)",
            add_arguments=lambda p: None,
            run=lambda args: _hash_stdin(passwords.hash_password, sys.stdin, "password"),
        ),
        Command(
            name="hash-pin",
            help="hash an agent's phone PIN, 4 to 8 digits, read from stdin (agents[].pin_hash)",
            add_arguments=lambda p: None,
            run=lambda args: _hash_stdin(passwords.hash_pin, sys.stdin, "PIN"),
        ),
        Command(
            name="sip-md5",
            help="print md5(EXT:REALM:PASSWORD) for a position or back-office sip_md5",
            add_arguments=_sip_md5_arguments,
            run=lambda args: _print(passwords.sip_md5(args.extension, args.realm, args.password)),
        ),
        Command(
            name="token-sha256",
            help="hash a wallboard display token read from stdin (for access.display_tokens)",
            add_arguments=lambda p: None,
            run=lambda args: _hash_stdin(passwords.token_sha256, sys.stdin, "token"),
        ),
    )


def check_config(path: str, extra_checks: Sequence[SiteCheck] = ()) -> int:
    """Exit status 0 and a summary when ``path`` is valid, else 1 with every problem."""
    try:
        site = load_site_config(path)
        for check in extra_checks:
            check(site)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"ok: {path}: {summary(site)}")
    return 0


def summary(site: SiteConfig) -> str:
    peak = sum(1 for position in site.positions if position.peak)
    phones = sum(len(department.extensions) for department in site.departments)
    menu = "on" if site.ivr.topic_menu_enabled else "off"
    return (
        f"{site.name!r}, {len(site.municipalities)} municipalities, "
        f"{len(site.topics)} topics (menu {menu}), "
        f"{len(site.positions)} positions ({peak} peak), {len(site.agents)} agents, "
        f"{len(site.departments)} departments ({phones} extensions), "
        f"{len(site.access.users)} users, {len(site.access.display_tokens)} display token(s)"
    )


def _sip_md5_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("extension", help="digits, e.g. 201")
    parser.add_argument("password")
    parser.add_argument("--realm", default=DEFAULT_REALM, help="sip_realm of the site")


def _hash_stdin(hasher: Callable[[str], str], stream: TextIO, what: str) -> int:
    # Only the line break ends the secret; spaces inside or around it are kept.
    secret = stream.readline().rstrip("\r\n")
    if not secret:
        print(
            f"error: no {what} on stdin; allowed: one line with at least 1 character",
            file=sys.stderr,
        )
        return 1
    try:
        return _print(hasher(secret))
    except ValueError as exc:  # e.g. a PIN that is not 4 to 8 digits
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _print(text: str) -> int:
    print(text)
    return 0
