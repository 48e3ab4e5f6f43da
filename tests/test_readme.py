"""The README's command table names every command the bot registers."""

from __future__ import annotations

import re

from bot.dispatch.commands import registry
from bot.sim.process import REPO_ROOT


def test_every_command_is_in_the_readme_table() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| /(\S+)", table, flags=re.M))
    registered = {c.name for c in registry.all()}
    assert registered, "no commands registered"
    assert not registered - documented, f"missing from README: {sorted(registered - documented)}"
