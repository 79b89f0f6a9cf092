"""The phonebook ("smoelenboek"): colleagues from the site config with live presence.

``machine.py`` (a phone's line from its hint, a colleague's own status), ``service.py``
(``Phonebook``: the entries, search, changes to subscribe to), ``status_file.py`` (own
statuses kept across restarts), ``consumer.py`` (``ExtensionStatus`` in, the resync),
``routes.py`` (HTTP and the live stream).
"""
