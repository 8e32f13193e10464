"""Home care zones: seed lists, proposals by drive time, checks and comparisons."""
