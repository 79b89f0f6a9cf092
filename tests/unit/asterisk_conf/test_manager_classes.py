"""manager.conf grants the controller's AMI user what its actions need, and no shell.

The table below is Asterisk 22's, read from its source (branch 22, commit 69535d48,
asterisk/asterisk); each line cites where the action is registered with its classes.
Asterisk runs an action when the user holds ANY of its classes, or the action has
none: ``if ((s->session->writeperm & act_found->authority) || act_found->authority
== 0)`` (main/manager.c:7159, ``process_message``). A new action in
``acd.ami.actions`` fails here until its row is added from the source.
"""

from __future__ import annotations

import gc
import inspect
import warnings
from pathlib import Path

import pytest
from asterisk.config import Config

from acd.ami import actions
from acd.ami.actions import Action
from acd.ami.originate import bridge_originate
from asterisk_conf import AsteriskPaths, generate
from asterisk_conf.static import HARNESS_USERNAME
from contract.dialplan import Var
from site_config import SiteConfig, load_site_config

REPO = Path(__file__).resolve().parents[3]
PATHS = AsteriskPaths(etc="/e", lib="/l", spool="/s", run="/r", log="/g", moh="/m")

NONE: frozenset[str] = frozenset()  # authority 0: any logged-in user (Login: before login)

REQUIRED: dict[str, frozenset[str]] = {
    "Login": NONE,  # main/manager.c:9798  ("Login", 0, action_login)
    "Logoff": NONE,  # main/manager.c:9797  ("Logoff", 0, action_logoff)
    "Ping": NONE,  # main/manager.c:9795  ("Ping", 0, action_ping)
    # main/manager.c:9812  EVENT_FLAG_ORIGINATE; plus the application check below
    "Originate": frozenset({"originate"}),
    # main/manager.c:9800  EVENT_FLAG_SYSTEM | EVENT_FLAG_CALL
    "Hangup": frozenset({"system", "call"}),
    # main/manager.c:9803  EVENT_FLAG_CALL | EVENT_FLAG_REPORTING
    "Getvar": frozenset({"call", "reporting"}),
    "Setvar": frozenset({"call"}),  # main/manager.c:9802  EVENT_FLAG_CALL
    "QueueAdd": frozenset({"agent"}),  # apps/app_queue.c:12240  EVENT_FLAG_AGENT
    "QueueRemove": frozenset({"agent"}),  # apps/app_queue.c:12241  EVENT_FLAG_AGENT
    "QueuePause": frozenset({"agent"}),  # apps/app_queue.c:12242  EVENT_FLAG_AGENT
    "QueueStatus": NONE,  # apps/app_queue.c:12238  ("QueueStatus", 0, ...)
    # main/extension_state.c:1593  EVENT_FLAG_CALL | EVENT_FLAG_REPORTING
    "ExtensionStateList": frozenset({"call", "reporting"}),
    # main/manager.c:9827  EVENT_FLAG_SYSTEM | EVENT_FLAG_REPORTING
    "CoreShowChannels": frozenset({"system", "reporting"}),
    "Atxfer": frozenset({"call"}),  # main/manager.c:9810  EVENT_FLAG_CALL
    "Redirect": frozenset({"call"}),  # main/manager.c:9809  EVENT_FLAG_CALL
    # apps/app_senddtmf.c:291  EVENT_FLAG_CALL (Receive: line 211, ast_queue_frame 236)
    "PlayDTMF": frozenset({"call"}),
    # The test harness's only action beyond the controller's (tests/integration/ami_watch.py).
    "Command": frozenset({"command"}),  # main/manager.c:9813  EVENT_FLAG_COMMAND
}

# What the controller no longer sends, and why it may not: for the record.
NOT_SENT: dict[str, frozenset[str]] = {
    "MixMonitor": frozenset({"system"}),  # apps/app_mixmonitor.c:2020  EVENT_FLAG_SYSTEM
    # apps/app_mixmonitor.c:2021  EVENT_FLAG_SYSTEM | EVENT_FLAG_CALL
    "StopMixMonitor": frozenset({"system", "call"}),
}

# Originate with an Application is refused without `system` when one of these matches
# (main/manager.c:5142-5169 originate_app_permissions, checked at 5372): a name anywhere
# in the application (case-insensitive), or a function name anywhere in its data (case
# sensitive). Queue needs `agi` or `system` only with its AGI argument; we never
# originate Queue.
ORIGINATE_APPS_NEEDING_SYSTEM = (
    "agi", "dbdeltree", "exec", "externalivr", "mixmonitor", "originate", "reload", "system",
)  # fmt: skip
ORIGINATE_DATA_NEEDING_SYSTEM = ("CURL", "DB", "EVAL", "FILE", "ODBC", "REALTIME", "SHELL")

# Getvar of a name holding these is refused without `system` (main/manager.c:732,
# function_capable_string_allowed_with_auths, called at 3647).
GETVAR_NEEDING_SYSTEM = ("SHELL", "EVAL")

SHELL_CLASSES = frozenset({"system", "command"})


def product_actions() -> dict[str, type[Action]]:
    """Every action the controller can send: the Action classes of acd.ami.actions."""
    return {
        cls.name: cls
        for _, cls in inspect.getmembers(actions, inspect.isclass)
        if issubclass(cls, Action) and cls is not Action and not inspect.isabstract(cls)
    }


def permitted(required: frozenset[str], granted: frozenset[str]) -> bool:
    return not required or bool(required & granted)


def parse(path: Path) -> dict[str, dict[str, str]]:
    # pyst2 0.5.1 never closes the file it reads; collect it here, not in a later test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        config = Config(str(path))
        gc.collect()
    return {c.name: {i.name.strip(): i.value.strip() for i in c.items} for c in config.categories}


def classes(user: dict[str, str], key: str) -> frozenset[str]:
    return frozenset(c.strip() for c in user[key].split(","))


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(REPO / "config" / "site.yaml")


@pytest.fixture(scope="module")
def manager(
    site: SiteConfig, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("ast")
    generate(site, folder, paths=PATHS, ami_secret="s3cret")
    return parse(folder / "manager.conf")


def test_every_action_the_controller_sends_has_its_classes_from_the_source() -> None:
    unlisted = sorted(set(product_actions()) - set(REQUIRED))
    assert unlisted == [], f"add these actions' classes from Asterisk's source: {unlisted}"


def test_the_controller_may_send_each_of_its_actions(
    manager: dict[str, dict[str, str]], site: SiteConfig
) -> None:
    granted = classes(manager[site.services.ami_username], "write")
    refused = [n for n in product_actions() if not permitted(REQUIRED[n], granted)]
    assert refused == []


def test_the_controllers_write_classes_are_exactly_the_needed_ones(
    manager: dict[str, dict[str, str]], site: SiteConfig
) -> None:
    granted = classes(manager[site.services.ami_username], "write")
    assert granted == {"call", "agent", "originate", "reporting"}
    assert not granted & SHELL_CLASSES
    # and none is spare: without any one of them some action would be refused
    for spare in granted:
        fewer = granted - {spare}
        assert any(not permitted(REQUIRED[n], fewer) for n in product_actions()), spare


def test_mixmonitor_over_ami_would_need_system() -> None:
    granted = frozenset({"call", "agent", "originate", "reporting"})
    assert not permitted(NOT_SENT["MixMonitor"], granted)
    assert not ({"MixMonitor", "StopMixMonitor"} & set(product_actions()))


def test_the_controllers_read_classes_stay(
    manager: dict[str, dict[str, str]], site: SiteConfig
) -> None:
    read = classes(manager[site.services.ami_username], "read")
    # call: channels, Originate answers, hints; agent: app_queue; user: the recording
    # key's UserEvent; system: FullyBooted, which the stack waits for on login.
    assert read >= {"system", "call", "agent", "user"}
    assert "command" not in read


def test_the_controllers_originate_needs_no_system(site: SiteConfig) -> None:
    ring = bridge_originate(
        extension=site.positions[0].extension,
        caller_channel="PJSIP/trunk-0000001a",
        ring_timeout_s=20,
        label="Burgerzaken",
        caller="0235110002",
        leg_id="kcc-2026120309000001-1",
        variables={Var.CALL_ID: "2026120309000001", Var.AGENT: "1001"},
    )
    assert ring.application is not None and ring.data is not None
    app = ring.application.lower()
    assert [a for a in ORIGINATE_APPS_NEEDING_SYSTEM if a in app] == []
    assert [f for f in ORIGINATE_DATA_NEEDING_SYSTEM if f in ring.data] == []


@pytest.mark.parametrize("variable", [Var.REC_MONITOR, "BRIDGEPEER", "CHANNEL(state)"])
def test_the_controllers_getvar_needs_no_system(variable: str) -> None:
    assert [f for f in GETVAR_NEEDING_SYSTEM if f in variable] == []


def test_no_harness_user_without_its_secret(manager: dict[str, dict[str, str]]) -> None:
    assert HARNESS_USERNAME not in manager


def test_the_harness_user_runs_cli_commands_from_loopback_only(
    site: SiteConfig, tmp_path: Path
) -> None:
    generate(site, tmp_path, paths=PATHS, ami_secret="s3cret", harness_secret="h4rness")
    users = parse(tmp_path / "manager.conf")
    harness = users[HARNESS_USERNAME]
    assert harness["secret"] == "h4rness"
    assert (harness["deny"], harness["permit"]) == (
        "0.0.0.0/0.0.0.0",
        f"{site.services.bind_host}/255.255.255.255",
    )
    write = classes(harness, "write")
    # ami_watch.Command (CLI), and the queue members staffed_phone adds and removes
    for name in ("Command", actions.QueueAdd.name, actions.QueueRemove.name):
        assert permitted(REQUIRED[name], write), name
    assert "system" not in write
    assert classes(users[site.services.ami_username], "write") & SHELL_CLASSES == set()


def test_the_harness_name_cannot_be_the_controllers(site: SiteConfig, tmp_path: Path) -> None:
    clash = site.model_copy(
        update={"services": site.services.model_copy(update={"ami_username": HARNESS_USERNAME})}
    )
    with pytest.raises(ValueError, match="test harness's AMI user"):
        generate(clash, tmp_path, paths=PATHS, ami_secret="s3cret", harness_secret="h")
