"""The systems, one folder each; they are found through their entry points (bridge.core.plugins)."""
