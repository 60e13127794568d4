"""Curated gazetteer sources, installed as the data package placemap._sources."""
