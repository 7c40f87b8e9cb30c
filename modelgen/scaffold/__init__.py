"""`modelgen new --like`: scaffold a new model from an existing one."""
