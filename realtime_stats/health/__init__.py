"""Health: is the stats service well, and who is asking.

* ``redis_probe`` ``RedisProbe``: does Redis answer PING (also read by the Prometheus export)
* ``service``     ``HealthService``: Redis and the event consumer's progress, as a report
* ``routes``      ``/api/health`` and ``/api/whoami``
"""
