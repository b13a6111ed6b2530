"""The desktop application: the ONLY package that imports PySide6. A thin layer over the core."""
