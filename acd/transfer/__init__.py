"""Warm transfer: a TIC agent consults a colleague, then hands the caller over.

* ``service``   ``WarmTransfer``: starts a transfer from the HTTP API (``Atxfer``)
* ``consumer``  the consult's ring (``DialBegin``/``DialEnd``) and its completion
  (``AttendedTransfer``) as Asterisk reports them
* ``routes``    ``POST /api/agents/{id}/transfer``

On the phone the agent presses ``#2`` (Asterisk's attended transfer, given to the
agent's leg by ``Bridge``'s ``T``); the API does the same with ``Atxfer``. Either way
the caller is held while the agent consults, and the agent hanging up completes it.
"""
