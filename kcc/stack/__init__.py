"""Running the real parts on this machine: Asterisk 22 in a Debian sid chroot, Redis.

Each runner is a context manager that starts a process in its own session,
waits until it is really ready (an event, not a sleep), and on exit stops it
and every child, leaving no stale socket behind, even when a test failed.
"""
