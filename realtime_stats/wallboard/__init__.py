"""The wallboard: the floor's real-time screen, the team lead's drill-down, their feed.

Above the event fold and the figures; the Prometheus export reads its snapshot too.

* ``feed``          ``BoardFeed``: where the records come from, and ``InMemoryBoardFeed``
* ``consumer_feed`` the feed over the running event consumer
* ``snapshot``      ``board_snapshot``: what the board shows, as JSON-able data
* ``day_board``     ``DayBoard``: the snapshot's figures kept as records change
* ``kept_snapshot`` ``KeptSnapshot``: the snapshot from those, safe across threads
* ``staffing``      the trend's Erlang C advice against the agents staffed
* ``callbacks``     the callback notes per department (the second pillar's block)
* ``page``          the pages, with their script and style inlined under a CSP nonce
* ``stream``        the Server-Sent Events stream of snapshots
* ``service``       ``WallboardService``: the pages, the shared snapshot, the stream
* ``routes``        the thin HTTP routes

The page files (index.html, teamlead.html, board.css, board.js) live here too and are
read as package resources.
"""
