"""The main window's frame: the window itself, the declared actions and menus, quitting on signals."""
