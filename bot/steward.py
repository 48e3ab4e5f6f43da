"""The whole bot as one NoneBot plugin — what ``nb run`` loads (``[tool.nonebot]`` in pyproject.toml).

Loading it does what ``python -m bot`` does after ``nonebot.init``: our logging set-up, settings and
the listen-security check, the policy, the repaired OneBot adapters (unless adapters of the same name
are registered already — nb-cli registers the ones ``[tool.nonebot] adapters`` names, which are these),
the runtime started from the driver's start-up hook, and every capability in ``bot/plugins``.
A configuration error fails the load with one line that says what to fix.
"""

from __future__ import annotations

from nonebot.plugin import PluginMetadata

from bot.app import setup

__plugin_meta__ = PluginMetadata(
    name="工作群管家",
    description="管理政务工作群：实名准入、内容巡查、工作时间、每周巡查、登记备案、意见建议",
    usage="/帮助",
    type="application",
    supported_adapters={"~onebot.v11", "~onebot.v12"},
)

runtime = setup(load_plugins=True)
