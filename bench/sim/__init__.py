"""Discrete-event simulation of a topic queue for the waiting-message benchmark.

``mmc`` runs an M/M/s FIFO queue and asks, at every waiting-message moment, both our
estimator (acd.waiting) and a faithful model of Asterisk app_queue (``asterisk``) what
the caller would hear; ``scoring`` compares both with the caller's real remaining wait.
"""
