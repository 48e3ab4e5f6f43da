"""`nb run` starts the same bot as `python -m bot`.

nb-cli reads `[tool.nonebot]` from pyproject.toml and, without a `bot.py`, runs a script of this shape
(nb_cli/template/scripts/project/run_project.py.jinja): import each adapter's module `Adapter`,
`nonebot.init()`, register them, `nonebot.load_from_toml("pyproject.toml")`. The test builds that
script from our pyproject, runs it as the bot process, and checks the adapters, the loaded plugins and
a command over a real WebSocket.
"""

from __future__ import annotations

import importlib
import json
import tomllib
from pathlib import Path

import pytest

from bot.app import plugin_modules
from bot.intake.adapters import StewardV11Adapter, StewardV12Adapter
from bot.sim.peer import OneBotV11Peer
from bot.sim.process import REPO_ROOT, BotProcess
from tests.utils import POLICY_FILE

PYPROJECT = REPO_ROOT / "pyproject.toml"


def _nonebot_table() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["nonebot"]


def _adapters() -> list[dict[str, str]]:
    table = _nonebot_table()["adapters"]
    return [a for group in table.values() for a in group]  # nb-cli's new format: {package: [...]}


def test_tool_nonebot_names_the_repaired_adapters() -> None:
    modules = {a["module_name"]: importlib.import_module(a["module_name"]).Adapter for a in _adapters()}
    assert set(modules.values()) == {StewardV11Adapter, StewardV12Adapter}
    for a in _adapters():  # nb-cli turns the name into a Python identifier
        assert (a["name"].replace(" ", "_").replace("-", "_").upper() + "Adapter").isidentifier()
    plugins = [p for group in _nonebot_table()["plugins"].values() for p in group]
    assert plugins == ["bot.steward"]


def _nb_run_script(out: Path) -> str:
    adapters = _adapters()
    names = [a["name"].replace(" ", "_").replace("-", "_").upper() + "Adapter" for a in adapters]
    imports = "\n".join(
        f"from {a['module_name']} import Adapter as {n}" for a, n in zip(adapters, names, strict=True)
    )
    register = "\n".join(f"driver.register_adapter({n})" for n in names)
    return f"""
import json
import nonebot
{imports}

nonebot.init()

driver = nonebot.get_driver()
{register}

nonebot.load_from_toml({str(PYPROJECT)!r})


@driver.on_startup
async def _report() -> None:
    loaded = sorted(p.module_name for p in nonebot.get_loaded_plugins())
    adapters = sorted(f"{{type(a).__module__}}.{{type(a).__name__}}" for a in nonebot.get_adapters().values())
    open({str(out)!r}, "w").write(json.dumps({{"plugins": loaded, "adapters": adapters}}))


if __name__ == "__main__":
    nonebot.run()
"""


@pytest.mark.e2e
async def test_nb_run_starts_the_same_bot(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    script = tmp_path / "nb_run_project.py"
    script.write_text(_nb_run_script(report), encoding="utf-8")
    async with BotProcess(module=str(script), superusers=["10001"], policy_file=POLICY_FILE) as proc:
        async with OneBotV11Peer(proc.ws_url_v11, access_token=proc.access_token) as peer:
            await peer.send_private_message(10001, "/状态")
            status = await peer.wait_call(("send_private_msg", "send_msg"), timeout=15)
            assert "工作群管家" in status.text or "运行" in status.text, status.text
    seen = json.loads(report.read_text(encoding="utf-8"))
    assert set(seen["plugins"]) == {"bot.steward", *plugin_modules()}
    assert seen["adapters"] == [
        "bot.intake.adapters.StewardV11Adapter",
        "bot.intake.adapters.StewardV12Adapter",
    ]
