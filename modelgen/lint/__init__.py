"""The library's modeling rules as a rule engine: one small class per rule."""
