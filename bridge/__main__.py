"""`python -m bridge` runs the CLI."""

from bridge.cli.main import main

main()
