"""The 14023 IVR session: from the first prompt into a topic queue, and its live switches.

* ``service``  ``IvrSwitches``: the calamity message, the topic menu, the IVR's clock
* ``session``  ``IvrSession``: one caller through the flow (FastAGI ``/ivr``)
* ``routes``   the floor manager's switches over HTTP
"""
