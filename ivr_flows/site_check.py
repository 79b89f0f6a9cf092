"""The IVR flow checked against the site it belongs to (used by `kcc check-config`), and
the site's opening hours in the form the IVR engine takes them."""

from __future__ import annotations

from ivr_flows.errors import FlowError
from ivr_flows.hours import MunicipalityHours
from ivr_flows.loader import load_flow
from ivr_flows.model import Flow
from site_config import ConfigError, ConfigProblem, SiteConfig


def load_site_flow(site: SiteConfig) -> Flow:
    """The site's flow, validated against its topics and municipalities.

    Flow problems are reported as `ConfigError` lines naming the flow file, so
    `check-config` reports them like any other problem of the configuration.
    """
    try:
        return load_flow(
            site.ivr.flow_file,
            known_topics={topic.id for topic in site.topics},
            known_municipalities={m.id for m in site.municipalities},
        )
    except FlowError as exc:
        problems = [
            ConfigProblem(path=p.where, what=p.what, allowed=p.allowed) for p in exc.problems
        ]
        raise ConfigError(exc.source, problems) from None


def check_site_flow(site: SiteConfig) -> None:
    load_site_flow(site)


def site_opening_hours(site: SiteConfig) -> dict[str, MunicipalityHours]:
    """Each municipality of the site by id, with its opening hours and extra closed days."""
    return {
        m.id: MunicipalityHours(
            weekly=m.opening_hours, extra_closed_days=frozenset(m.extra_closed_days)
        )
        for m in site.municipalities
    }
