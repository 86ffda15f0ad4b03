"""What the actions app tells the apps above it, which connect their receivers at start-up."""

from django.dispatch import Signal

# Sent once an action has reached a terminal status (after the transaction that moved it has
# committed), with `action`: the one caller whose transition won sends it.
action_finished = Signal()
