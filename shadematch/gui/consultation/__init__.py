"""The consultation panels (samples, matching) and the session file actions."""
