"""The back-office colleague's page: their own status in the phonebook and the callback
notes addressed to them or their department, each closed with an outcome.

``routes.py`` serves the page; what it shows and changes are the phonebook's and the
callback notes' own routes (``acd.phonebook.routes``, ``acd.callbacks.routes``), with
their access rules and audit.
"""
