"""Waiting callers and the queue: the ACD core at work, and the caller's wait in FastAGI.

* ``service``  ``QueueService``: feeds the ACD core and carries out what it decides
* ``session``  ``QueueWait``: a caller's wait, ringback and the waiting message
* ``routes``   the floor's state and the positions, over HTTP
"""
