"""``python -m advisor.cli`` runs the command line."""

from advisor.cli import run

run()
