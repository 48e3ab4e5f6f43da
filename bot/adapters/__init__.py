"""The repaired OneBot adapters under names nb-cli and NoneBot hosts can use.

``bot.adapters.onebot.v11`` / ``.v12`` mirror ``nonebot.adapters.onebot.v11`` / ``.v12``: ``Adapter``
is the repaired adapter (tolerant, counting event parser; message text kept out of the logs), the
rest (``Bot``, ``Event``, ``Message`` …) is re-exported from the stock adapter, so a host can swap
``from nonebot.adapters.onebot.v11 import Adapter`` for ``from bot.adapters.onebot.v11 import Adapter``.
"""
