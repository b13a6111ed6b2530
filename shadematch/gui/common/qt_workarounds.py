"""Work-arounds for defects in the Qt binding, applied once at start-up.

PySide6 6.12 on CPython < 3.12 returns two singletons without taking a reference to them, as if
they were immortal (which they are only from CPython 3.12, PEP 683):

* ``None`` from every getter that meets an *invalid* ``QVariant`` — ``item.data(role)`` for a
  role never set, ``combo.itemData(i)`` without data, ``action.data()``, ``index.data(role)``,
  and from ``setData(role, None)``;
* ``True`` from every ``signal.emit(...)``.

Each such call lowers the singleton's reference count by one (measured: 1000 calls, -1000). When
it reaches zero the interpreter aborts ("Fatal Python error: none_dealloc: deallocating None" or
"bool_dealloc: deallocating True or False"): after a few thousand signals or item reads in a long
consultation, or at exit. :func:`guard_singleton_refcounts` does what CPython 3.12 does: it gives
``None``, ``True`` and ``False`` so many references that the count can never reach zero. They are
never freed anyway, so nothing else changes.
"""

from __future__ import annotations

import sys

_GUARD = 1 << 40   # a thousand billion stolen references before anything could go wrong
_applied = False


def binding_drops_references() -> bool:
    """True when the installed binding returns ``None`` or ``True`` without a reference."""
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtGui import QStandardItem

    class _Probe(QObject):
        fired = Signal(object)

    item, probe = QStandardItem(), _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(16):
        item.data(0x0100 + 7)  # a user role never set: an invalid QVariant
        probe.fired.emit(0)
    return (sys.getrefcount(None) < none_before - 8) or (sys.getrefcount(True) < true_before - 8)


def guard_singleton_refcounts() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal on CPython < 3.12 when the
    binding needs it.

    Returns
    -------
    bool : True when the guard is in place (applied now or earlier).
    """
    global _applied
    if _applied:
        return True
    if (sys.version_info >= (3, 12) or sys.implementation.name != "cpython"
            or hasattr(sys, "gettotalrefcount")):  # debug builds lay the object out differently
        return False
    if not binding_drops_references():
        return False
    import ctypes

    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _GUARD
    _applied = True
    return True


# the name the first version used
guard_none_refcount = guard_singleton_refcounts
