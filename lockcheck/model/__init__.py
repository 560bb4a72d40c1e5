"""Kernel knowledge as data: loaders for ``model/data/*.toml`` plus user files."""
