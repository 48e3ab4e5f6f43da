"""Intake: OneBot frames → repaired events → neutral records."""
