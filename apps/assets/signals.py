"""What the assets app tells the apps above it, which connect their receivers at start-up."""

from django.dispatch import Signal

# Sent when an asset's bytes were served (a file, a dataset as CSV, a post as markdown or
# HTML), with `asset` (the asset) and `user` (who downloaded it, or None for a signed link).
asset_downloaded = Signal()
