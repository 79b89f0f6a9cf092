"""Camp-on ("erachter zetten"): a caller waits for a colleague who is in a call.

The caller hears a short message and ringback, and is put through the moment the
colleague's line is free; after the department's ``camp_on_after_s``, or on a key, they
fall back to the TIC's general queue, at the back, without priority. Two ways in: a TIC
agent camps their caller on (``POST /api/agents/{id}/camp-on``, the caller is moved out
of the agent's call with AMI ``Redirect``), or a caller of a colleague's own number who
finds the line in a call presses 1.

* ``machine``  one camp-on: states, transition table, the effects to carry out
* ``session``  the caller's FastAGI session while camped on (``/campon``, and the
               direct caller's offer in ``/direct``)
* ``service``  an agent's camp-on request: the checks, the ``Redirect``, the transfer
* ``consumer`` the agent's leg hanging up after the ``Redirect``
* ``routes``   the HTTP route
"""
