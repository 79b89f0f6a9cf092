"""The reports: a day, week or month of figures as tables, for team leads and the head.

Above the store and the figures; ``kcc report`` and ``/api/reports`` both go through the
service, so the command line and the browser get the same report.

* ``tables``      the table model (typed columns) every report table is built of
* ``build``       ``build_report``: the TIC tables (team, topics, municipalities, agents)
* ``departments`` the back-office table (per department)
* ``callbacks``   the callback-note table (per department, and the total)
* ``render``      a built report as CSV or as a Dutch HTML page
* ``queue_log``   the call records as Asterisk's queue_log
* ``service``     ``render_report`` and ``ReportService``: read the store, build, render
* ``routes``      the thin HTTP routes
"""
