"""The recording room: a staff phone's one button (#3), the API's and the agent page's,
and the keeping of what was recorded (``service``); see ``acd.recording.service``."""
