"""Repaired OneBot v11 and v12 adapters (see :mod:`bot.adapters`)."""
