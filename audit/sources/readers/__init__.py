"""Readers that several sources share: export HTML, images on web pages, Meta's records."""
