"""The camera folder dock: thumbnails of a folder's photos, the newest opened as they arrive."""
