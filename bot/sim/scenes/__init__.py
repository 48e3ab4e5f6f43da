"""Demo scenes, one module per capability; each registers itself with `bot.sim.demo.scene`."""
