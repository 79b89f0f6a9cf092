"""The back office: its colleagues' phones, direct calls and the fallback to the TIC.

The second pillar of the municipality's figures is how the rest of the organisation
answers its phone. Two kinds of ring reach a back-office extension: **direct** (a
caller dialled the extension's own number; rung here, fallen back to the TIC's queue
unanswered) and **consult** (a TIC agent's warm transfer; watched in ``acd.transfer``).
Both follow the ring machine here and are published as ``backoffice.*`` events.

* ``directory`` departments by extension, and the extension a channel belongs to
* ``machine``   one back-office ring: states, transition table, the events it publishes
* ``service``   ``DirectRinger``: rings a colleague for a direct call over AMI
* ``session``   a caller of a colleague's own number (FastAGI ``/direct``)
* ``consumer``  Asterisk's news about answered direct calls and ended calls
"""
