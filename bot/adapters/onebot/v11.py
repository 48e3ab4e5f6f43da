"""The repaired OneBot v11 adapter as ``Adapter`` (nb-cli: ``module_name = "bot.adapters.onebot.v11"``)."""

from nonebot.adapters.onebot.v11 import *  # noqa: F403  (Bot, Event, Message … as in the stock module)

from bot.intake.adapters import StewardV11Adapter

Adapter = StewardV11Adapter  # type: ignore[misc]  # replaces the stock Adapter of the star import
