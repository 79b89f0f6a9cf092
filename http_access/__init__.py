"""HTTP access for both services: who is asking (Basic login or display token), and may they.

``auth`` holds the FastAPI side: the ``Authenticator`` built from the site's ``access``
section, ``require`` for a route's roles, and the access-log redaction of tokens.
``validation`` answers a request that does not fit a route's schema (a 422 that can
always be written).
"""
