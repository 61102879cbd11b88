"""privacy-bridge: one person's data across a webshop and its processors."""

__version__ = "0.1.0"
