"""Fetching public data into the data folder (the only part of geosuff that downloads)."""

from geosuff.fetch._http import DownloadError as DownloadError
from geosuff.fetch.fetch import fetch_data as fetch_data
from geosuff.fetch.fetcher import FetchOutcome as FetchOutcome
from geosuff.fetch.listing import list_data as list_data

__all__ = ["DownloadError", "FetchOutcome", "fetch_data", "list_data"]
