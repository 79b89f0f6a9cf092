"""Agents and their phones: logins and feature codes, ringing, the fallback mirror.

* ``machine``   one agent leg: states, a transition table, the effects of each step
* ``service``   ``AgentLegs``: rings agents' phones over AMI and feeds what happened
* ``consumer``  Asterisk's events about agents' legs (hang-up) and the resync
* ``mirror``    agents as members of the fallback app_queue queues, and the restore
* ``features``  feature codes (``*51`` ... ``*56``) parsed into ACD inputs
* ``session``   a feature code dialled on a softphone (FastAGI ``/feature``)
* ``routes``    agents' logins, pauses and after-call work over HTTP
"""
