"""The site configuration: one YAML file parsed once into frozen, validated objects.

Use :func:`load_site_config`; a bad file raises :class:`ConfigError` listing every
problem as ``<file>: <key>: <what is wrong>; allowed: <what is allowed>``.
"""

from site_config.access import Access, DisplayToken, Role, User
from site_config.callback_notes import CallbackNotes
from site_config.config import SiteConfig
from site_config.errors import ConfigError, ConfigProblem
from site_config.loader import load_site_config
from site_config.municipality import Municipality, OpeningHours
from site_config.norms import Norms
from site_config.organisation import Agent, BackOfficeExtension, Department, Position, Topic
from site_config.recording import Recording
from site_config.services import Ivr, Services
from site_config.trunk import Trunk

__all__ = [
    "Access",
    "Agent",
    "BackOfficeExtension",
    "CallbackNotes",
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
    "Trunk",
    "User",
    "load_site_config",
]
