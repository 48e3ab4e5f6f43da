"""Core commands: /帮助, /状态, /审计."""

from nonebot.plugin import PluginMetadata

from bot.plugins.core import audit_cmd, help_cmd, status_cmd  # noqa: F401  (registers the commands)

__plugin_meta__ = PluginMetadata(
    name="基础",
    description="帮助、运行状态与审计日志",
    usage="/帮助  /状态  /审计",
)
