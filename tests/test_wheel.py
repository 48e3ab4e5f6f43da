"""The wheel works outside the checkout: build it from a copy of the sources, install it into a fresh
virtual environment in a temporary folder, and run the CLI and a demo scene from another folder.

The fresh environment gets the bot from the wheel only. Its third-party dependencies come from the
test environment's site-packages through a plain path entry (no network, and the suite stays fast):
that entry is not a site directory, so the test environment's editable install of this checkout is
not activated there, and the test checks that ``bot`` is imported from the fresh environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from bot.sim.process import REPO_ROOT

pytestmark = pytest.mark.e2e

SOURCES = ("bot", "pyproject.toml", "README.md")


def _run(args: list[str], cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "ONEBOT_", "PYTHON"))}
    env.pop("DATABASE_URL", None)
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        path = REPO_ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    dist = root / "dist"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            ".",
        ],
        cwd=src,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = dist.glob("work_group_steward-*.whl")
    shutil.rmtree(src)  # nothing of the sources is left to import by accident

    env_dir = root / "venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    python = env_dir / "bin" / "python"
    install = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        cwd=root,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # Dependencies after the install (pip must not see, nor touch, the test environment's packages).
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
    (Path(purelib.stdout.strip()) / "_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return env_dir


def test_wheel_carries_its_data_and_runs_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "bin" / "python")
    probe = _run(
        [
            python,
            "-c",
            "import bot, bot.core.text.lexicon as lx, bot.policy.loader as pl;"
            "print(bot.__file__); print(len(lx.default_files())); print(len(pl.builtin_presets()))",
        ],
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    where, lexicons, presets = probe.stdout.split()
    assert Path(where).is_relative_to(installed), where
    assert int(lexicons) >= 10 and int(presets) >= 6
    # Every data file of the package made it into the wheel (templates, assets, lexicons, presets …).
    package = Path(where).parent
    shipped = {
        p.relative_to(REPO_ROOT / "bot")
        for p in (REPO_ROOT / "bot").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    missing = sorted(str(p) for p in shipped if not (package / p).is_file())
    assert not missing, f"not in the wheel: {missing}"
    # The console script, quiet and Chinese, from a folder that has no config at all.
    check = _run([str(installed / "bin" / "steward"), "check-config"], cwd=tmp_path)
    assert check.returncode == 0 and "配置有效" in check.stdout, check.stdout + check.stderr
    # The demo: the real bot from the wheel and the simulator, a content-guard scene (default lexicons).
    demo = _run([python, "-m", "bot", "demo", "--scene", "guard"], cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "撤回" in demo.stdout and "演示结束。" in demo.stdout
