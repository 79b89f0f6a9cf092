"""Events in: the controller's event stream read, folded into the day's records and stored.

Above the store and the figures, below the wallboard, the reports and the composition
root. The fold is pure; only the consumer does I/O (Redis, and the store in a thread).

* ``entries``         a Redis Stream entry read as the contract's typed event (or why not)
* ``fold``            ``EventFold``: entries in stream order into tracked records
* ``fold_calls``      its call part (``call.*`` events)
* ``fold_agents``     its agent part (``agent.state``: intervals, who handles which call)
* ``fold_backoffice`` its back-office part (``backoffice.*`` events into rings)
* ``fold_callbacks``  its callback-note part (``callback.*`` events into notes)
* ``fold_dispatch``   which part takes each event class (``handle``)
* ``fold_step``       what a handler reads and returns (``FoldState``, ``FoldUpdate``)
* ``changes``         ``Changes``: what some entries moved
* ``subscription``    changes handed to whoever listens (the wallboard)
* ``consumer``        ``EventConsumer``: XREAD, fold, store, notify; restarts and outages
"""
