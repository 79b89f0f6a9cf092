"""The records the statistics are computed from and the figures computed from them.

The bottom of the stats service: pure, no I/O, importing nothing else of
``realtime_stats``. Every room above (the store, the event fold, the wallboard, the
reports, the Prometheus export) takes its figures from here, so none can disagree with
another (docs/metrics.md).

* ``records``            a queued call (``CallRecord``) and an agent's state (``AgentInterval``)
* ``backoffice_records`` one back-office ring (``BackOfficeRing``)
* ``callback_records``   one callback note (``CallbackNote``), without personal data
* ``periods``            half-open periods, the local day and its half-hour buckets
* ``norms``              the norms a figure is judged against, and the rules of the figures
* ``exact_sum``          sums of seconds that do not depend on the order of their terms
* ``call_tally``         what each call adds to the counts (``CallTally``), and their sums
* ``agent_time``         the agents' busy, staffed and paused time in a period
* ``metrics``            the TIC figures, each formula written once
* ``backoffice_metrics`` the back-office figures
* ``callback_metrics``   the callback-note figures (made, done in time, open, overdue)
* ``staffing``           Erlang C: how many agents a forecast of calls needs
"""
