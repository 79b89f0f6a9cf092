"""The site configuration: one YAML file parsed once into frozen, validated objects.

Use :func:`load_site_config`; a bad file raises :class:`ConfigError` listing every
problem as ``<file>: <key>: <what is wrong>; allowed: <what is allowed>``.
"""

from kcc.site.access import Access, DisplayToken, Role, User
from kcc.site.config import SiteConfig
from kcc.site.errors import ConfigError, ConfigProblem
from kcc.site.loader import load_site_config
from kcc.site.municipality import Municipality, OpeningHours
from kcc.site.norms import Norms
from kcc.site.organisation import Agent, BackOfficeExtension, Department, Position, Topic
from kcc.site.services import Ivr, Recording, Services

__all__ = [
    "Access",
    "Agent",
    "BackOfficeExtension",
    "ConfigError",
    "ConfigProblem",
    "Department",
    "DisplayToken",
    "Ivr",
    "Municipality",
    "Norms",
    "OpeningHours",
    "Position",
    "Recording",
    "Role",
    "Services",
    "SiteConfig",
    "Topic",
    "User",
    "load_site_config",
]
