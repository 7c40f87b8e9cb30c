"""Tiny configs: shrinking a config class's defaults while keeping its constraints valid (sizes, composites,
per-layer patterns, validators), plus probes of the built model where no config field names a constraint."""
