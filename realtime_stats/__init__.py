"""The real-time stats service: the controller's events in, figures out (wallboard,
Prometheus, reports).

Rooms, importing one way, downwards (docs/decisions.md, "The stats service in rooms"):

* ``app``        the composition root: builds every dependency, adds each room's routes
* ``prometheus`` ``/metrics``: the wallboard's figures as series
* ``wallboard``, ``reports``, ``health``  the screens, the periodic reports, the health page
* ``ingest``     the event stream read, folded into the day's records, stored, announced
* ``store``      the records and the stream position in SQL
* ``figures``    the records and every figure computed from them; pure
"""
