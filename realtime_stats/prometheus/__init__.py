"""The Prometheus export: ``/metrics``, the wallboard's figures as series, for admins.

* ``collector`` ``BoardCollector``: the contact-centre series, copied from the wallboard
* ``exporter``  ``StatsExporter``: one registry per app, the service's own gauges
* ``service``   ``MetricsService``: one scrape (Redis asked, exposition rendered)
* ``routes``    ``GET /metrics``
"""
