"""The controller's own health in Prometheus' ``/metrics``: its event spool, AMI, FastAGI."""
