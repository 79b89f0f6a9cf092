"""The dialplan and the controller use the same names: every context, variable and
FastAGI path of ``contract.dialplan`` is what the generated extensions.conf holds."""

from __future__ import annotations

import re
from pathlib import Path

from asterisk_conf import AsteriskPaths, generate
from contract.dialplan import AgiScript, Context, Var, queue_name
from tests.unit.acd.rig import rig, sample_site

PATHS = AsteriskPaths(etc="/e", lib="/l", spool="/s", run="/r", log="/g", moh="/m")


def extensions(tmp_path: Path) -> str:
    generate(sample_site(), tmp_path, paths=PATHS, ami_secret="s3cret")
    return (tmp_path / "extensions.conf").read_text(encoding="utf-8")


def test_every_context_of_the_contract_is_a_section_and_no_other(tmp_path: Path) -> None:
    sections = set(re.findall(r"^\[([^\]]+)\]", extensions(tmp_path), re.MULTILINE))
    assert sections - {"globals"} == {str(c) for c in Context}


async def test_the_dialplan_calls_exactly_the_fastagi_paths_the_controller_serves(
    tmp_path: Path,
) -> None:
    called = set(re.findall(r"AGI\(\$\{KCC_AGI\}/([a-z]+)\)", extensions(tmp_path)))
    assert called == {str(s) for s in AgiScript}
    async with rig() as r:
        assert r.controller.agi_router().paths == called


def test_the_variables_the_controller_and_the_dialplan_share_are_in_it(tmp_path: Path) -> None:
    text = extensions(tmp_path)
    for name in (Var.AGI, Var.GENERAL_TOPIC, Var.TOPIC, Var.HANDLED, Var.FALLBACK):
        assert f"${{{name}}}" in text or f"{name}=" in text, name


def test_each_topic_falls_back_to_its_own_queue(tmp_path: Path) -> None:
    text = extensions(tmp_path)
    site = sample_site()
    for topic in site.topics:
        assert f"Queue({queue_name(topic.id)},rt,,,{site.norms.max_wait_s})" in text
