"""HTTP access for both services: who is asking (Basic login or display token), and may they.

``auth`` holds the FastAPI side: the ``Authenticator`` built from the site's ``access``
section and ``require`` for a route's roles; ``credential_cache`` remembers verified
logins, ``login_guard`` throttles failed ones and caps scrypt, ``body_limit`` refuses
large bodies before anything reads them, ``streams`` caps event streams per login,
``redaction`` keeps display tokens out of access logs, ``page`` serves pages for people.
``validation`` answers a request that does not fit a route's schema (a 422 that can
always be written).
"""
