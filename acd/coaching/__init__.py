"""Coaching of recorded calls: the team lead replays a call with the agent, writes notes at
its moments (the agent replies), marks it "besproken met medewerker" and grades it on
the site's QA forms.

``access.py`` (who may see and write what: the team lead and the agent whose call it
was), ``service.py`` (``Coaching``: open a recording through the catalogue, write
notes, the mark and evaluations into ``recordings.coaching``), ``views.py`` (the JSON
the panel reads), ``routes.py`` (HTTP, and the panel's script and style),
``coaching.js``/``coaching.css`` (the panel the replay's player page includes).
"""
