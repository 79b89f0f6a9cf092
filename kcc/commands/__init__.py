"""The ``kcc`` subcommands, each a thin wrapper around a plain function of its feature.

``site`` (check-config and the secret hashes), ``stack`` (up, down, demo,
gen-asterisk), ``controller``, ``stats`` (stats-serve), ``report``, ``staffing``,
``recordings`` (purge, new-key).
"""
