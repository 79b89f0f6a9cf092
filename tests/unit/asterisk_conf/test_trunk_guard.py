"""The caller from the trunk holds no key and reaches only the public entry.

The generated extensions.conf is parsed into contexts and application calls; every
Dial and Queue on a path a trunk caller can take (the trunk context, what it jumps
or includes to, and where the controller redirects a caller) is checked for options
that would hand the *calling* party a feature key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from asterisk_conf import AsteriskPaths, generate
from contract.dialplan import Context
from site_config import SiteConfig
from tests.unit.acd.rig import sample_site
from tests.unit.asterisk_conf.test_asterisk_conf_generate import parse

PATHS = AsteriskPaths(etc="/e", lib="/l", spool="/s", run="/r", log="/g", moh="/m")

# Dial and Queue options that give the calling party a key: T transfer, X/W recording
# (automixmon, automon), K parking, H disconnect (*0).
CALLER_KEYS = frozenset("TXWKH")
# Where the controller sends a caller's channel itself (Redirect, Bridge F()).
CONTROLLER_TARGETS = (Context.CAMP_ON, Context.DONE)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return sample_site()


@pytest.fixture(scope="module")
def out(site: SiteConfig, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ast")
    generate(site, folder, paths=PATHS, ami_secret="s3cret")
    return folder


def contexts(text: str) -> dict[str, list[tuple[str, str]]]:
    """Context name -> its (key, value) lines, in order."""
    found: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in text.splitlines():
        if line.startswith("["):
            current = found.setdefault(line.strip("[]"), [])
        elif current is not None and "=>" in line:
            key, _, value = line.partition("=>")
            current.append((key.strip(), value.strip()))
    return found


def app_args(value: str, app: str) -> Iterator[list[str]]:
    """The top-level arguments of every ``app(...)`` call in a dialplan line."""
    for match in re.finditer(rf"\b{app}\(", value):
        depth, start, args = 1, match.end(), []
        for i in range(match.end(), len(value)):
            char = value[i]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    args.append(value[start:i])
                    break
            elif char == "," and depth == 1:
                args.append(value[start:i])
                start = i + 1
        yield args


def reachable_from_trunk(plan: dict[str, list[tuple[str, str]]]) -> set[str]:
    """Contexts a trunk caller can end up in: named by include, Goto, GotoIf or Gosub
    (any context named in a line counts, erring on the side of checking more)."""
    seen, todo = set(), [str(Context.TRUNK), *map(str, CONTROLLER_TARGETS)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for _, value in plan[name]:
            todo += [other for other in plan if other != "globals" and other in value]
    return seen


def options_of(plan: dict[str, list[tuple[str, str]]], names: set[str]) -> list[str]:
    options = []
    for name in sorted(names):
        for _, value in plan[name]:
            for args in app_args(value, "Dial"):
                options.append(args[2] if len(args) > 2 else "")
            for args in app_args(value, "Queue"):
                options.append(args[1] if len(args) > 1 else "")
    return options


def test_no_dial_or_queue_reachable_from_the_trunk_gives_the_caller_a_key(out: Path) -> None:
    plan = contexts((out / "extensions.conf").read_text())
    reachable = reachable_from_trunk(plan)
    assert {Context.TRUNK, Context.FALLBACK, Context.DONE, Context.CAMP_ON} <= reachable
    # Staff contexts are out of reach: their tT and feature codes stay with staff.
    assert not reachable & {Context.INTERNAL, Context.POSITIONS, Context.BACKOFFICE}
    options = options_of(plan, reachable)
    assert len(options) >= 2, "the direct numbers' Dial and the fallback Queues"
    for option in options:
        assert not CALLER_KEYS & set(option), option


def test_the_trunk_context_holds_only_the_public_entries(out: Path, site: SiteConfig) -> None:
    plan = contexts((out / "extensions.conf").read_text())
    trunk = plan[Context.TRUNK]
    assert not [v for k, v in trunk if k == "include"]
    extens = {value.split(",")[0] for key, value in trunk if key == "exten"}
    direct = {e.extension for d in site.departments for e in d.extensions}
    # No pattern, no feature code (*5X, *8), no position: the public number and the
    # back-office direct numbers only.
    assert extens == {site.public_number} | direct


def test_the_trunk_endpoint_refuses_transfer_and_subscribe(out: Path) -> None:
    pjsip = parse(out / "pjsip.conf")
    (trunk,) = pjsip["trunk"]
    assert trunk["allow_transfer"] == "no"
    assert trunk["allow_subscribe"] == "no"
    # No pickup group: *8 from the trunk picks up nothing; no DYNAMIC_FEATURES key.
    assert not {"pickup_group", "named_pickup_group", "set_var"} & set(trunk)


def test_the_parser_sees_a_caller_key(out: Path) -> None:
    """The audit itself: a T on a caller's Dial would be found."""
    plan = {"kcc-trunk": [("same", "n,Dial(PJSIP/301,15,tT)")]}
    assert options_of(plan, {"kcc-trunk"}) == ["tT"]
    assert options_of({"q": [("same", "n,Queue(kcc-a,rtX,,,1800)")]}, {"q"}) == ["rtX"]
