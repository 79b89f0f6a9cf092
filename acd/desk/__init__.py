"""The agent's desk: the agent page, pushed live, with the screen pop of the ringing call.

``screen.py`` (what each call in progress brings to the agent's screen, folded from the
controller's own events), ``tally.py`` (today's own figures), ``history.py`` (how often a
number called, on a keyed hash: the number itself is not kept), ``service.py``
(``AgentDesks``: the sink that folds the events, the views, the changes to wait on),
``routes.py`` (the page, its JSON and its live stream), and the page's files
(``desk.html``, ``desk.css``, ``desk.js``).
"""
