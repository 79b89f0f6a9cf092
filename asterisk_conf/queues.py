"""queues.conf: one app_queue queue per topic, the fallback path.

While the controller runs it owns queueing; these queues carry calls only when
it cannot be reached. The controller keeps their membership in step with the
agents logged in, so the fallback routes by the same skills.
"""

from __future__ import annotations

from collections.abc import Iterator

from asterisk_conf.dialplan import queue_name
from asterisk_conf.render import Section
from site_config import SiteConfig


def sections(site: SiteConfig) -> Iterator[Section]:
    yield Section(
        name="general",
        pairs=(
            ("persistentmembers", "yes"),
            ("autofill", "yes"),
            ("shared_lastcall", "yes"),
            ("log_membername_as_agent", "yes"),
        ),
    )
    norms = site.norms
    for topic in site.topics:
        yield Section(
            name=queue_name(topic.id),
            comment=f"{topic.name}: {topic.explanation}",
            pairs=(
                ("strategy", "leastrecent"),
                ("timeout", str(norms.ring_no_answer_s)),
                ("retry", "1"),
                ("wrapuptime", str(norms.after_call_work_s)),
                ("servicelevel", str(norms.answer_within_s)),
                ("ringinuse", "no"),
                ("joinempty", "yes"),
                ("leavewhenempty", "no"),
                ("autopause", "yes"),
                ("announce-frequency", "0"),
                ("setinterfacevar", "yes"),
                ("setqueueentryvar", "yes"),
                ("setqueuevar", "yes"),
            ),
        )
