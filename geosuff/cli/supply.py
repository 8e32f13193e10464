"""``geosuff supply``: supply ratios against benchmarks."""


def supply() -> None:
    """Supply ratios per LSOA, ward, local authority or zone."""
