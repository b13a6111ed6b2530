"""Tools > Learn from healed results…: fit the appearance model to the clinic's follow-ups."""
