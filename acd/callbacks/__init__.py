"""Callback notes ("terugbelnotities"): written by an agent from the call, for a
department or one colleague in it, closed by the addressee with an outcome.

``due.py`` (the due moment: the close of the next working day, pure), ``machine.py``
(a note and its one step, open to done), ``new_note.py`` (what the agent filled in,
checked; the callback number normalised), ``store.py`` (the notes in the controller's
SQLite file, deleted after the retention), ``readers.py`` (who sees which notes),
``service.py`` (``CallbackNotes``: write, list, close, and the stream's events),
``routes.py`` (HTTP).
"""
