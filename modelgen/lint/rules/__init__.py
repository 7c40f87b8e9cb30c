"""The lint rules, one module each, with their good and bad examples."""
