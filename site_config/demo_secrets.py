"""The demo's published secrets, refused at start unless the process runs the demo.

The sample ``config/site.yaml`` holds hashes of secrets printed in docs/site-config.md
("Demo passwords"): web users' ``demo-<name>``, the agents' phone PINs ``9<last three
digits>`` and the wall display's ``demo-wall-display``. Anyone who has read the
repository can log in with them, so a service started with one of them anywhere but
in the demo would be open. :func:`refuse_demo_secrets` raises :class:`ConfigError`
naming each user, agent or display that still has one, unless the environment says
``KCC_DEMO=1``: ``kcc demo`` and the integration tests' harness set it for the
processes they start, nobody else should.

Only the documented names are tried (one scrypt each, about 0.1 s): a published
password under another name is no more known than any other.
"""

from __future__ import annotations

from collections.abc import Mapping

from site_config.access import Access
from site_config.config import SiteConfig
from site_config.errors import ConfigError, ConfigProblem
from site_config.passwords import verify_password, verify_token

DEMO_VARIABLE = "KCC_DEMO"  # "1": this process runs the demo (or its tests)
DEMO_USERS = frozenset(
    {"floor", "teamlead", "admin", "prometheus"}
    | {"anouk", "bram", "fatima", "joost", "sanne"}
    | {"els", "mark", "priya", "tom"}
)
DEMO_AGENTS = frozenset({"1001", "1002", "1003", "1004", "1005"})
DEMO_DISPLAY_TOKEN = "demo-wall-display"
_ALLOWED = (
    "a secret of your own ({how}); the demo's are public in docs/site-config.md. "
    f"Only the demo may run with them: {DEMO_VARIABLE}=1"
)


def demo_password(user_name: str) -> str:
    return f"demo-{user_name}"


def demo_pin(agent_id: str) -> str:
    return "9" + agent_id[-3:]


def running_the_demo(environ: Mapping[str, str]) -> bool:
    return environ.get(DEMO_VARIABLE, "") == "1"


def demo_secrets_in(site: SiteConfig) -> list[ConfigProblem]:
    """Every user, agent PIN and display token of ``site`` that is a published demo one."""
    return [*_users(site.access), *_pins(site), *_displays(site.access)]


def refuse_demo_secrets(site: SiteConfig, environ: Mapping[str, str]) -> None:
    """``ConfigError`` naming each demo secret of ``site``, unless this runs the demo."""
    if running_the_demo(environ):
        return
    problems = demo_secrets_in(site)
    if problems:
        raise ConfigError(site.source_path, problems)


def _users(access: Access) -> list[ConfigProblem]:
    found = []
    for index, user in enumerate(access.users):
        if user.name in DEMO_USERS and verify_password(
            demo_password(user.name), user.password_hash
        ):
            found.append(
                ConfigProblem(
                    path=f"access.users[{index}].password_hash",
                    what=f"user {user.name!r} still has the demo password",
                    allowed=_ALLOWED.format(how="kcc hash-password"),
                )
            )
    return found


def _pins(site: SiteConfig) -> list[ConfigProblem]:
    found = []
    for index, agent in enumerate(site.agents):
        pin = agent.pin_hash
        if agent.id in DEMO_AGENTS and pin and verify_password(demo_pin(agent.id), pin):
            found.append(
                ConfigProblem(
                    path=f"agents[{index}].pin_hash",
                    what=f"agent {agent.id} still has the demo PIN",
                    allowed=_ALLOWED.format(how="kcc hash-pin"),
                )
            )
    return found


def _displays(access: Access) -> list[ConfigProblem]:
    return [
        ConfigProblem(
            path=f"access.display_tokens[{index}].token_sha256",
            what=f"display {token.name!r} still has the demo token",
            allowed=_ALLOWED.format(how="kcc token-sha256"),
        )
        for index, token in enumerate(access.display_tokens)
        if verify_token(DEMO_DISPLAY_TOKEN, token.token_sha256)
    ]
