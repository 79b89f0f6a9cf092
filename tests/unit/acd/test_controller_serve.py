"""``serve``, the controller process, on real sockets to in-process fakes: the socket-level
fake Asterisk manager (``FakeAmiServer``), a RESP fake Redis, a FastAGI call made like
Asterisk makes it, and the control API over HTTP. Every port is a free one on
127.0.0.1; waits are bounded and wait for what they name."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import httpx
import pytest

from acd.agents.features import FEATURE_TEXTS
from acd.agi.testing import FakeAsterisk, asterisk_env, result, standard_answer
from acd.ami.testing import FakeAmiServer, ReceivedAction, error, list_answer, success
from acd.campon.session import CAMP_ON_TEXTS
from acd.controller import ControllerOptions
from acd.prompts import PromptBook
from acd.publisher.spool import EventSpool
from acd.queue.session import MAX_WAIT_TEXTS
from acd.serve import serve
from acd.waiting import FRAGMENTS
from ivr_flows.prompt_audio import EspeakVoice
from ivr_flows.site_check import load_site_flow
from recordings.keys import ENVIRONMENT_VARIABLE as KEYS_VARIABLE
from recordings.keys import generate_key
from site_config import SiteConfig
from tests.unit.acd.fake_redis import RedisServer
from tests.unit.acd.rig import ToneVoice, sample_site

ASTERISK_DIR = PurePosixPath("/var/lib/asterisk/sounds/kcc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def site_on(redis_url: str) -> SiteConfig:
    site = sample_site()
    services = site.services.model_copy(
        update={"agi_port": free_port(), "control_port": free_port(), "redis_url": redis_url}
    )
    return site.model_copy(update={"services": services})


def prompts_rendered(site: SiteConfig, folder: Path) -> Path:
    """The prompt folder as an earlier start left it: ``serve`` renders nothing again."""
    PromptBook.build(
        site,
        load_site_flow(site),
        folder,
        ASTERISK_DIR,
        extra_texts={**FRAGMENTS, **FEATURE_TEXTS, **CAMP_ON_TEXTS, **MAX_WAIT_TEXTS},
        synthesizer=ToneVoice(EspeakVoice().identity()),
    )
    return folder


def asterisk_with_one_member(ami: FakeAmiServer) -> None:
    """Agent 1001 is a member of the general queue at tic1 (201); the one channel up is
    tic1's phone ``PJSIP/201-0000000a`` (uniqueid 1718000000.1), dialling a feature code."""
    member = [
        ("Queue", "kcc-algemeen"), ("Name", "1001"), ("Location", "PJSIP/201"),
        ("StateInterface", "PJSIP/201"), ("Membership", "dynamic"), ("Penalty", "0"),
        ("CallsTaken", "0"), ("LastCall", "0"), ("LastPause", "0"),
        ("LoginTime", "1781500000"), ("InCall", "0"), ("Status", "1"), ("Paused", "0"),
        ("PausedReason", ""), ("Wrapuptime", "0"),
    ]  # fmt: skip

    def queue_status(action: ReceivedAction) -> Sequence[bytes]:
        return list_answer(action, [("QueueMember", member)], "QueueStatusComplete")

    def channels(action: ReceivedAction) -> Sequence[bytes]:
        return list_answer(action, [], "CoreShowChannelsComplete", "Channels will follow")

    def getvar(action: ReceivedAction) -> Sequence[bytes]:
        if action.headers.get("Channel") != "PJSIP/201-0000000a":
            return [error(action, "No such channel")]
        value = "1718000000.1" if action.headers.get("Variable") == "UNIQUEID" else ""
        return [success(action, extra={"Variable": action.headers["Variable"], "Value": value})]

    ami.handlers["QueueStatus"] = queue_status
    ami.handlers["Getvar"] = getvar
    ami.handlers["CoreShowChannels"] = channels
    for name in ("QueueAdd", "QueueRemove", "QueuePause"):
        ami.handlers[name] = lambda action: [success(action, "Done")]


def agent_states(redis: RedisServer) -> list[tuple[str, str]]:
    return [(f["agent_id"], f["state"]) for _, f in redis.entries if f["type"] == "agent.state"]


def phone_answer(line: str) -> str | None:
    if line.startswith("STREAM FILE"):
        return result(0, endpos=8000)
    return standard_answer(line)


async def test_the_controller_serves_on_its_sockets_until_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEYS_VARIABLE, generate_key("t1"))
    async with FakeAmiServer(secret="s3cret") as ami, RedisServer() as redis:
        asterisk_with_one_member(ami)
        site = site_on(redis.url)
        options = ControllerOptions(
            site_path=tmp_path / "site.yaml",
            ami_secret="s3cret",
            prompts_dir=prompts_rendered(site, tmp_path / "prompts"),
            prompts_asterisk_dir=ASTERISK_DIR,
            state_dir=tmp_path / "controller",
            ami_port=ami.port,
            recordings_dir=tmp_path / "recordings",
        )
        rendered = sorted((tmp_path / "prompts" / "flow").glob("*.sln"))
        stop = asyncio.Event()
        serving = asyncio.create_task(serve(site, options, stop))
        try:
            # At the first AMI login the controller restores 1001 from the queues.
            await redis.wait_for(3)
            # First of all: a new controller, which knows no call from before it.
            assert redis.entries[0][1]["type"] == "controller.started"
            assert agent_states(redis) == [("1001", "available")]
            assert [a.name for a in ami.received[:3]] == [
                "Login",
                "QueueStatus",
                "CoreShowChannels",
            ]

            # 1001 logs out on the phone: *52 over FastAGI, as Asterisk calls it.
            env = asterisk_env("feature", agi_extension="*52", agi_channel="PJSIP/201-0000000a")
            async with FakeAsterisk(site.services.agi_port, answer=phone_answer) as phone:
                await phone.send_env(env)
                played = await phone.wait_for_command("STREAM FILE", within_s=5)
                await asyncio.wait_for(phone.closed_by_server.wait(), 5)
            assert played.startswith(f"STREAM FILE {ASTERISK_DIR}/flow/feature-logged-out-")
            await ami.wait_until(lambda: bool(ami.actions_named("QueueRemove")), limit=5)
            assert ami.actions_named("QueueRemove")[0].headers["Queue"] == "kcc-algemeen"

            # Another host on the network (here 127.0.0.2) is not Asterisk: cut off at once.
            async with FakeAsterisk(site.services.agi_port, source="127.0.0.2") as stranger:
                with contextlib.suppress(OSError):
                    await stranger.send_env(env)
                await asyncio.wait_for(stranger.closed_by_server.wait(), 5)
            assert stranger.commands == []

            # The control API answers on its port (and wants a login).
            url = f"http://127.0.0.1:{site.services.control_port}/api/acd/state"
            async with httpx.AsyncClient(trust_env=False) as client:
                assert (await client.get(url, timeout=5)).status_code == 401
        finally:
            stop.set()
            await asyncio.wait_for(serving, 10)
        # Stopped: everything published before the stop is in Redis, AMI was logged off.
        assert agent_states(redis) == [("1001", "available"), ("1001", "logged_out")]
        assert ami.actions_named("Logoff")
        with EventSpool.open(tmp_path / "controller" / "event-spool.db") as spool:
            assert spool.depth == 0  # in the state folder, and emptied as Redis took them
        assert sorted((tmp_path / "prompts" / "flow").glob("*.sln")) == rendered  # reused
