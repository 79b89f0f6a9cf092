"""The real stack for integration tests, brought up once per session.

Everything here starts real servers: Asterisk 22 in its Debian sid chroot,
Redis, SIPp phones. Missing system parts fail loudly with what to install;
nothing is skipped.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest

from acd.ami.actions import QueueAdd, QueueRemove
from asterisk_conf.static import HARNESS_USERNAME
from kcc.sipp import AgentPhone
from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Step
from kcc.stack.asterisk import Asterisk
from kcc.stack.redis import RedisServer
from site_config import SiteConfig, load_site_config
from tests.integration.acd_harness import ControlApi, ControllerRunner, EventLog
from tests.integration.ami_watch import AmiWatch
from tests.integration.ivr_timing import IvrTiming
from tests.integration.sites import write_site


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    return load_site_config(write_site(tmp_path_factory.mktemp("site")))


@pytest.fixture(scope="session")
def ami_secret() -> str:
    return secrets.token_hex(16)


@pytest.fixture(scope="session")
def harness_secret() -> str:
    return secrets.token_hex(16)


@pytest.fixture(scope="session")
def asterisk(site: SiteConfig, ami_secret: str, harness_secret: str) -> Iterator[Asterisk]:
    with Asterisk(
        site, instance="test", ami_secret=ami_secret, harness_secret=harness_secret
    ) as running:
        yield running


@pytest.fixture
def ami(asterisk: Asterisk, site: SiteConfig, harness_secret: str) -> Iterator[AmiWatch]:
    """The tests' own AMI session, as the harness's user: it may run CLI commands
    (``command``), which the controller's user may not."""
    svc = site.services
    with AmiWatch(svc.bind_host, svc.ami_port, HARNESS_USERNAME, harness_secret) as watch:
        yield watch


@pytest.fixture(scope="session")
def ports() -> PortAllocator:
    return PortAllocator()


@pytest.fixture(scope="session")
def sip_target(site: SiteConfig) -> str:
    return f"{site.services.bind_host}:{site.services.sip_port}"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(port=6490, data_dir=tmp_path_factory.mktemp("redis")) as server:
        yield server


@contextmanager
def staffed_phone(
    ami: AmiWatch,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    *,
    seat: int,
    agent_id: str,
    answer_after_s: float | None,
    talk_s: float | None = None,
    steps: Sequence[Step] = (),
) -> Iterator[AgentPhone]:
    """A registered SIPp phone at position `seat`, member `agent_id` of the general queue;
    once answered it presses ``steps``.

    This is what the controller does on an agent's login; here the test does it.
    """
    position = site.positions[seat]
    queue = f"kcc-{site.ivr.general_topic}"
    interface = f"PJSIP/{position.extension}"
    with AgentPhone(
        target=sip_target,
        ports=ports,
        extension=position.extension,
        password=f"demo{position.extension}",
        answer_after_s=answer_after_s,
        talk_s=talk_s,
        steps=steps,
    ) as phone:
        add = QueueAdd(
            queue=queue, interface=interface, member_name=agent_id, state_interface=interface
        )
        reply = ami.action(add)
        assert reply[0]["Response"] == "Success", reply
        try:
            yield phone
        finally:
            ami.action(QueueRemove(queue=queue, interface=interface))


# The real ACD controller, shared by the controller and IVR tests (acd_harness.py).


@pytest.fixture(scope="session")
def controller(
    site: SiteConfig,
    asterisk: Asterisk,
    redis_server: RedisServer,
    ami_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ControllerRunner]:
    runner = ControllerRunner(site, asterisk, ami_secret, tmp_path_factory.mktemp("controller"))
    runner.start()
    try:
        yield runner
    finally:
        runner.stop()


@pytest.fixture
def events(controller: ControllerRunner, site: SiteConfig) -> Iterator[EventLog]:
    log = EventLog(site.services.redis_url)
    log.mark()
    yield log
    log.close()


@pytest.fixture
def api(controller: ControllerRunner, site: SiteConfig) -> Iterator[ControlApi]:
    client = ControlApi(site)
    yield client
    client.close()


@pytest.fixture(scope="session")
def timing(controller: ControllerRunner, asterisk: Asterisk) -> IvrTiming:
    return IvrTiming.load(asterisk.host_path("/kcc/prompts") / "flow")


@pytest.fixture
def fallback_only(controller: ControllerRunner) -> Iterator[None]:
    """No controller for this test: calls take the dialplan's app_queue fallback.

    The controller is session-wide once a test used it; tests of the fallback path
    stop it, and it is started again afterwards for the tests that follow.
    """
    controller.stop()
    try:
        yield
    finally:
        controller.start()
