"""Work-arounds for defects in the Qt binding, applied once at start-up.

PySide6 6.12 on CPython < 3.12: every Python call to a Qt getter that returns an *invalid*
``QVariant`` — ``item.data(role)`` for a role never set, ``combo.itemData(i)`` without data,
``action.data()``, ``index.data(role)``... and every ``setData(role, None)`` — hands back ``None``
without taking a reference to it. ``None``'s reference count (a few thousand at start) then falls
by one per call, and when it reaches zero the interpreter aborts ("Fatal Python error:
none_dealloc: deallocating None") — after a few thousand clicks in a long consultation, or at
exit. Measured here: 1000 ``QListWidgetItem.data(unset_role)`` calls lower it by exactly 1000.

CPython 3.12 made ``None`` immortal (PEP 683), which is what :func:`guard_none_refcount` does
for older interpreters: it adds a very large number of references to ``None`` so the count can
never reach zero. ``None`` is never freed anyway, so nothing else changes.
"""

from __future__ import annotations

import sys

_GUARD = 1 << 40   # a thousand billion stolen references before anything could go wrong
_applied = False


def none_refcount_leaks() -> bool:
    """True when the installed binding drops a reference to ``None`` on an invalid QVariant."""
    from PySide6.QtGui import QStandardItem

    item = QStandardItem()
    before = sys.getrefcount(None)
    for _ in range(16):
        item.data(0x0100 + 7)  # a user role never set: an invalid QVariant
    return sys.getrefcount(None) < before - 8


def guard_none_refcount() -> bool:
    """Make ``None`` effectively immortal on CPython < 3.12 when the binding needs it.

    Returns
    -------
    bool : True when the guard was applied (now or earlier).
    """
    global _applied
    if _applied:
        return True
    if (sys.version_info >= (3, 12) or sys.implementation.name != "cpython"
            or hasattr(sys, "gettotalrefcount")):  # debug builds lay the object out differently
        return False
    if not none_refcount_leaks():
        return False
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += _GUARD
    _applied = True
    return True
