"""Asterisk configuration generated from the one site configuration.

`generate()` writes a complete configuration directory for Asterisk 22: PJSIP
transport, trunk and registering endpoints, dialplan, fallback queues,
features, manager, RTP, Dutch indications and a `modules.conf` that loads only
what the project uses. Nothing here is edited by hand; change `config/site.yaml`.
"""

from asterisk_conf.generate import AsteriskPaths, generate
from asterisk_conf.static import SECURITY_LOG

__all__ = ["SECURITY_LOG", "AsteriskPaths", "generate"]
