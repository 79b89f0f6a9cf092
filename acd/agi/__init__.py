"""FastAGI layer of the contact-centre controller: Asterisk hands calls to us here.

The dialplan runs ``AGI(agi://host:port/ivr)``; Asterisk connects, sends the
call's environment and then carries out our commands one by one (play a
prompt, read a digit, set a variable) until we close the connection, after
which the dialplan continues. Layers, from the wire up:

* ``protocol``    sans-I/O: bytes -> environment, replies, HANGUP notices
* ``commands``    command lines quoted the way res_agi.c splits them
* ``environment`` the typed, frozen ``agi_*`` environment
* ``session``     AgiSession: one call's commands over asyncio streams
                  (one at a time; safe to cancel, see its module doc)
* ``peers``       AllowedPeers: the addresses (Asterisk's) a connection may come from
* ``server``      AgiServer (one owned task per call, allowed peers only) and
                  AgiRouter (by script path)
* ``testing``     FakeAsterisk, a scripted Asterisk side for tests
"""

from acd.agi.environment import AgiEnvironment
from acd.agi.errors import AgiCommandError, AgiError, AgiHangup, AgiProtocolError
from acd.agi.protocol import (
    NEED_DATA,
    AgiParser,
    AgiReply,
    ConnectionClosed,
    HangupNotice,
    encode_command,
    encode_line,
    format_command,
    quote_argument,
)
from acd.agi.server import AgiHandler, AgiRouter, AgiServer
from acd.agi.session import AgiSession, open_session

__all__ = [
    "NEED_DATA",
    "AgiCommandError",
    "AgiEnvironment",
    "AgiError",
    "AgiHandler",
    "AgiHangup",
    "AgiParser",
    "AgiProtocolError",
    "AgiReply",
    "AgiRouter",
    "AgiServer",
    "AgiSession",
    "ConnectionClosed",
    "HangupNotice",
    "encode_command",
    "encode_line",
    "format_command",
    "open_session",
    "quote_argument",
]
