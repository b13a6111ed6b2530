"""Drawing and editing regions on the photo (one tool per shape) and the region list."""
