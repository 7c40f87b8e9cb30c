"""Keeping `# Copied from` blocks in sync: markers -> resolution -> comparison -> fixing."""
