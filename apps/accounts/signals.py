"""What the accounts app tells the apps above it, which connect their receivers at start-up."""

from django.dispatch import Signal

# Sent when someone asks to join a team that does not let them in at once, with `team` (the
# Team asked for), `user` (who asks) and `request_id` (the join request's id, or None).
join_requested = Signal()
