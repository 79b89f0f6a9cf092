"""The demo's published secrets are refused at start unless the process runs the demo
(``site_config.demo_secrets``), and the demo and its harness say that they do."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import acd.serve
import kcc.stack.stack as stack_module
from kcc.cli import main
from site_config import ConfigError, SiteConfig, load_site_config
from site_config.demo_secrets import (
    DEMO_DISPLAY_TOKEN,
    demo_password,
    demo_pin,
    demo_secrets_in,
    refuse_demo_secrets,
)
from site_config.passwords import token_sha256
from tests.unit.http.demo_access import cheap_hash

SAMPLE = Path(__file__).resolve().parents[3] / "config" / "site.yaml"


def _cheap(site: SiteConfig, *, own: bool = False) -> SiteConfig:
    """``site`` with its users and PINs hashed cheaply: the demo's, or ``own`` ones."""
    users = tuple(
        u.model_copy(update={"password_hash": cheap_hash("own" if own else demo_password(u.name))})
        for u in site.access.users
    )
    agents = tuple(
        a.model_copy(update={"pin_hash": cheap_hash("4711" if own else demo_pin(a.id))})
        for a in site.agents
    )
    tokens = site.access.display_tokens
    if own:
        tokens = tuple(t.model_copy(update={"token_sha256": token_sha256("own")}) for t in tokens)
    access = site.access.model_copy(update={"users": users, "display_tokens": tokens})
    return site.model_copy(update={"access": access, "agents": agents})


@pytest.fixture(scope="module")
def sample() -> SiteConfig:
    return load_site_config(SAMPLE)


def test_every_demo_login_pin_and_token_is_named(sample: SiteConfig) -> None:
    problems = demo_secrets_in(_cheap(sample))
    named = [p.what for p in problems]
    assert "user 'admin' still has the demo password" in named
    assert "user 'prometheus' still has the demo password" in named
    assert "agent 1001 still has the demo PIN" in named
    assert "display 'wall' still has the demo token" in named
    assert len(problems) == len(sample.access.users) + len(sample.agents) + 1
    admin = next(p for p in problems if "'admin'" in p.what)
    assert admin.path == "access.users[2].password_hash"
    assert "kcc hash-password" in admin.allowed and "KCC_DEMO=1" in admin.allowed


def test_the_sample_itself_is_refused_naming_the_file(sample: SiteConfig) -> None:
    # The real sample hashes, at full cost: what a copied sample would be.
    with pytest.raises(ConfigError) as refused:
        refuse_demo_secrets(sample, {})
    text = str(refused.value)
    assert f"{SAMPLE}: access.users[0].password_hash: user 'floor' still has" in text
    assert "display 'wall' still has the demo token" in text


def test_the_demo_may_run_with_them(sample: SiteConfig) -> None:
    refuse_demo_secrets(sample, {"KCC_DEMO": "1"})


@pytest.mark.parametrize("value", ["", "0", "yes", "true"])
def test_only_kcc_demo_1_is_the_demo(sample: SiteConfig, value: str) -> None:
    with pytest.raises(ConfigError):
        refuse_demo_secrets(_cheap(sample), {"KCC_DEMO": value})


def test_a_site_with_its_own_secrets_starts(sample: SiteConfig) -> None:
    own = _cheap(sample, own=True)
    assert demo_secrets_in(own) == []
    refuse_demo_secrets(own, {})


def test_a_demo_token_under_another_name_is_refused_too(sample: SiteConfig) -> None:
    own = _cheap(sample, own=True)
    token = own.access.display_tokens[0].model_copy(
        update={"name": "hal", "token_sha256": token_sha256(DEMO_DISPLAY_TOKEN)}
    )
    access = own.access.model_copy(update={"display_tokens": (token,)})
    [problem] = demo_secrets_in(own.model_copy(update={"access": access}))
    assert problem.what == "display 'hal' still has the demo token"


# ------------------------------------------------------------ the services' starts


def _must_not_start(*_: object) -> None:
    pytest.fail("the stats service started with the demo's secrets")


async def _must_not_serve(*_: object) -> None:
    pytest.fail("the controller started with the demo's secrets")


def test_the_stats_service_refuses_the_sample_outside_the_demo(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KCC_DEMO", raising=False)
    monkeypatch.setattr(uvicorn.Server, "run", _must_not_start)
    assert main(["stats-serve", "--site", str(SAMPLE)]) == 1
    assert "user 'teamlead' still has the demo password" in capsys.readouterr().err


def test_the_controller_refuses_the_sample_outside_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KCC_DEMO", raising=False)
    monkeypatch.setenv("KCC_AMI_SECRET", "s3cret")
    monkeypatch.setattr(acd.serve, "serve", _must_not_serve)
    argv = ["controller", "--site", str(SAMPLE), "--prompts-dir", str(tmp_path / "p")]
    argv += ["--state-dir", str(tmp_path / "state")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "user 'floor' still has the demo password" in err
    assert "agent 1005 still has the demo PIN" in err
    assert "s3cret" not in err


# ------------------------------------------------------------ who runs as the demo


class Started:
    """ManagedProcess stand-in: records the environment each child would get."""

    envs: list[dict[str, str]]

    def __init__(
        self, name: str, argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None
    ) -> None:
        Started.envs.append({**os.environ, **(env or {})})

    def stop(self) -> None:
        pass


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    monkeypatch.delenv("KCC_DEMO", raising=False)
    Started.envs = []
    monkeypatch.setattr(stack_module, "ManagedProcess", Started)
    monkeypatch.setattr(stack_module, "wait_until", lambda *a, **k: None)
    return Started.envs


@pytest.mark.parametrize("demo", [True, False])
def test_the_stack_starts_both_services_as_the_demo_only_when_asked(
    sample: SiteConfig, tmp_path: Path, started: list[dict[str, str]], demo: bool
) -> None:
    stack = stack_module.Stack(sample, state_dir=tmp_path, demo=demo)
    stack._start_stats()
    asterisk: Any = type("A", (), {"host_path": lambda self, p: tmp_path, "capture_dir": tmp_path,
                                   "paths": type("P", (), {"capture": "/c"})()})()  # fmt: skip
    stack_module.start_controller(sample, asterisk, "s", tmp_path / "c.log", demo=demo)
    assert [env.get("KCC_DEMO") for env in started] == (["1", "1"] if demo else [None, None])
