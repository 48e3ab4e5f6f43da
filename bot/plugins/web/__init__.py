"""Dashboard (SPEC §10): mounts the supervisor web page on the bot's own server under /steward/.

Off until an account exists (``python -m bot web adduser …``); see bot/web/.
"""

from __future__ import annotations

import nonebot
from nonebot.drivers import ASGIMixin
from nonebot.plugin import PluginMetadata

from bot.web import PREFIX, mount

__plugin_meta__ = PluginMetadata(
    name="监管平台",
    description=f"网页版监管平台（{PREFIX}/）：总览、群详情、整改事项、意见建议、审计日志和下载",
    usage="运维人员在服务器上运行 python -m bot web adduser 名称 --role supervisor --unit 单位 开通",
)

_driver = nonebot.get_driver()
if isinstance(_driver, ASGIMixin):
    mount(_driver.server_app)
