"""The repaired OneBot v12 adapter as ``Adapter`` (nb-cli: ``module_name = "bot.adapters.onebot.v12"``)."""

from nonebot.adapters.onebot.v12 import *  # noqa: F403  (Bot, Event, Message … as in the stock module)

from bot.intake.adapters import StewardV12Adapter

Adapter = StewardV12Adapter  # type: ignore[misc]  # replaces the stock Adapter of the star import
