"""Replay: kept recordings listed, played back with both voices' waveforms and the
call's timeline, under access rules and on the audit log (docs/recordings.md)."""
