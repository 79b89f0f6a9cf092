"""Call recordings at rest: encrypted files, their catalogue, and the audio work on them.

A library both processes use: the controller stores a finished call's recording here,
the replay and the purge read and delete through it. It imports only the foundation
(``contract``, ``site_config``), never ``acd`` or ``realtime_stats``.
"""
