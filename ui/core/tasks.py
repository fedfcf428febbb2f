"""Every store call a screen makes goes through here.

One worker thread owns the store (Anki's ``taskman``: a ``ThreadPoolExecutor`` with one worker),
so database work and ReportLab (whose font registry is global) never run on two threads at once.
Three ways in, in the shape of Anki's ``QueryOp`` and ``CollectionOp``:

``query(op, …)``
    a quick read, waited for; nothing is broadcast.
``call(op, …)`` (``acting(initiator, also).call(op, …)``)
    a quick change, waited for; what it changed is broadcast.
``run(op, on_done=…)``
    a long operation ``op(store, progress)``: the window stays alive, a progress window with
    Cancel shows after half a second, and ``on_done`` or ``on_failed`` is called on the GUI
    thread. What it gives (``Running``) cancels it from the screen that asked, e.g. when that
    screen closes before the result arrives.

What a call changed is read from the version log itself (every write to a synced table leaves a
version, ``models.sync``): the tables that gained versions, plus what the caller names in
``also`` for what the log does not hold (``"sync"``: packages, roster, conflicts; ``"settings"``).
``changed`` carries it, with who started the call, to every view; each view reloads only what
it shows, and keeps its selection and scroll. On a prefecture hub's database several clerks
work at once (``watch_others``): what the others saved is found in the same log every few
seconds and broadcast in the same way, started by nobody on this computer.

Worker code never touches a widget: ``op`` receives the store (and, for ``run``, a ``Progress``
whose methods are safe to call from the worker).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from app.core.i18n import _, title_text

if TYPE_CHECKING:  # the window's frame is shown before the store (and SQLAlchemy) is loaded
    from app.core.paths import AppPaths
    from app.core.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

SHOW_PROGRESS_AFTER_MS = 500
# On a hub's database, how often the worker looks for what other clerks saved.
OTHERS_EVERY_MS = 5000
_STEPS = 1000


class TasksClosedError(RuntimeError):
    """The store was closed (the window is closing): nothing more can be read or saved."""


@dataclass(frozen=True)
class Changes:
    """What one call changed, and who started it."""

    tables: frozenset[str] = frozenset()  # synced tables that gained versions
    also: frozenset[str] = frozenset()  # "sync", "settings", …: what the version log lacks
    initiator: object | None = None

    def touches(self, *names: str) -> bool:
        """Whether it changed any of these tables or kinds; a package read from another laptop
        (``sync``) may have changed anything."""
        wanted = set(names)
        return bool(self.tables & wanted or self.also & wanted or "sync" in self.also)

    def __bool__(self) -> bool:
        return bool(self.tables or self.also)


class Progress:
    """Handed to a long operation on the worker: where it is (a stage, then done of total) and
    whether the person pressed Cancel. Safe to call from the worker thread."""

    def __init__(self, reporter: _Reporter) -> None:
        self._reporter = reporter
        self._cancelled = threading.Event()

    def stage(self, text: str) -> None:
        """A new step begins; ``text`` is an ``N_`` message, translated on the GUI thread."""
        self._reporter.staged.emit(text)

    def __call__(self, done: int, total: int) -> None:
        self._reporter.advanced.emit(done, total)

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()


class _Reporter(QObject):
    staged = Signal(str)
    advanced = Signal(int, int)


class _ProgressWindow:
    """A progress window with Cancel, shown only once the operation has lasted half a second."""

    def __init__(self, parent: QWidget | None, message: str, progress: Progress,
                 reporter: _Reporter) -> None:
        self.message = message
        self.closed = False
        self.dialog = QProgressDialog(message, _("Cancel"), 0, _STEPS, parent)
        self.dialog.setWindowTitle(title_text("Doorstep"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(420)
        self.dialog.canceled.connect(progress.cancel)
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.dialog.show)
        self.timer.start(SHOW_PROGRESS_AFTER_MS)
        reporter.staged.connect(self._stage)
        reporter.advanced.connect(self._advance)

    def _stage(self, text: str) -> None:
        if self.closed:  # closed early (``Running.cancel``) while the work still reports
            return
        self.dialog.setLabelText(self.message + "\n" + _(text))
        self.dialog.setValue(0)

    def _advance(self, done: int, total: int) -> None:
        if self.closed:
            return
        if total > 0:
            self.dialog.setMaximum(_STEPS)
            self.dialog.setValue(min(_STEPS, done * _STEPS // total))
        else:  # no measure: a busy bar
            self.dialog.setMaximum(0)

    def close(self) -> None:
        if self.closed:  # closed early, then again when the work is delivered
            return
        self.closed = True
        self.timer.stop()
        if not isValid(self.dialog):  # deleted with the screen it was over
            return
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()


class Running:
    """A long operation under way, as ``Tasks.run`` gives it."""

    def __init__(self, future: Future[None], progress: Progress, delivery: _Delivery) -> None:
        self.future = future
        self._progress, self._delivery = progress, delivery

    def cancel(self) -> None:
        """Ask the operation to stop, as its progress window's Cancel does, and close that
        window now: the screen that asked no longer waits. ``on_failed`` (or ``on_done``, if
        it ended first) is still called."""
        self._progress.cancel()
        # The window object stays with the delivery until then: the work may still report
        # to it (it is closed, and ignores that).
        if self._delivery.window is not None:
            self._delivery.window.close()


@dataclass
class _Delivery:
    done: Callable[[Any], None]
    failed: Callable[[BaseException], None]
    also: frozenset[str]
    initiator: object | None
    window: _ProgressWindow | None = None
    reporter: _Reporter | None = None
    result: Any = None
    error: BaseException | None = None
    tables: frozenset[str] = field(default_factory=frozenset)
    owner: QObject | None = None  # the screen the result is for

    def owner_gone(self) -> bool:
        """Whether the screen that asked was closed and deleted meanwhile (a test's window
        torn down, a dialog closed): its result has nowhere to go."""
        return self.owner is not None and not isValid(self.owner)


class Tasks(QObject):
    """The store, reached only through one worker thread."""

    # A call finished and changed something: a ``Changes``.
    changed = Signal(object)
    # Internal: a ``run`` finished on the worker; delivered on the GUI thread.
    _finished = Signal(object)
    # Internal: the worker let go of a finished ``run``'s delivery (by its id).
    _released = Signal(object)
    # Internal: the tables others changed on a hub's database, and whether a look (not a
    # call) found them; delivered on the GUI thread.
    _others_changed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._released.connect(self._release, Qt.ConnectionType.QueuedConnection)
        self._running = 0
        # Deliveries handed over by the worker, kept until it has let go of them.
        self._held: dict[int, _Delivery] = {}
        # Watching for others' changes (a hub): the last version seen, and the timer. The
        # worker alone reads and moves ``_seen``.
        self._seen: int | None = None
        self._looking = False
        self._watch: QTimer | None = None
        self._others_changed.connect(self._others_found, Qt.ConnectionType.QueuedConnection)

    # -- what the screens may know of the store without a call ----------------------------------
    @property
    def paths(self) -> AppPaths:
        return self._store.paths

    @property
    def device_id(self) -> str | None:
        return self._store.device_id

    @property
    def on_server(self) -> bool:
        """Whether the store is a prefecture hub's database (no file to back up or sync)."""
        return self._store.on_server

    @property
    def staff_id(self) -> str:
        return self._store.ctx.staff_id or ""

    def set_staff(self, staff_id: str) -> None:
        """The staff member using the laptop: each change records who made it."""
        self._store.ctx.staff_id = staff_id or None

    @property
    def busy(self) -> bool:
        """Whether a long operation is under way."""
        return self._running > 0

    # -- calls ---------------------------------------------------------------------------------
    def query(self, op: Callable[Concatenate[Store, P], T], *args: P.args,
              **kwargs: P.kwargs) -> T:
        """A quick read on the worker, waited for. Raises what ``op`` raised, or
        ``TasksClosedError`` once the window has closed the store."""
        return self._submit(op, self._store, *args, **kwargs).result()

    def call(self, op: Callable[Concatenate[Store, P], T], *args: P.args,
             **kwargs: P.kwargs) -> T:
        """A quick change on the worker, waited for; what it changed is broadcast. Raises what
        ``op`` raised (one transaction per use case: then nothing was changed)."""
        return self.acting().call(op, *args, **kwargs)

    def acting(self, initiator: object | None = None, also: Iterable[str] = ()) -> Acting:
        """``call`` on behalf of ``initiator`` (a view that need not reload what it just did),
        naming what the version log does not show (``also``)."""
        return Acting(self, initiator, frozenset(also))

    def run(self, op: Callable[[Store, Progress], T], *, on_done: Callable[[T], None],
            on_failed: Callable[[BaseException], None] | None = None,
            initiator: object | None = None, also: Iterable[str] = (),
            parent: QWidget | None = None, message: str = "",
            owner: QObject | None = None) -> Running:
        """A long operation on the worker: ``op(store, progress)``. With a ``message`` a
        progress window with Cancel shows after half a second. ``on_done(result)`` or
        ``on_failed(error)`` is called on the GUI thread, unless the screen it is for
        (``owner``, by default ``parent``) has been deleted meanwhile."""
        delivery = _Delivery(on_done, on_failed or _reraise, frozenset(also), initiator,
                             owner=owner or parent)
        delivery.reporter = _Reporter()
        handle = Progress(delivery.reporter)

        # What the worker is handed, and takes out: once the work is done it holds none of it
        # (see ``_release``).
        parcel: list[Any] = [op, handle, delivery]

        def work() -> None:
            work_op, work_handle, work_delivery = parcel
            parcel.clear()
            try:
                work_delivery.result, work_delivery.tables = self._measured(
                    work_op, (work_handle,), {})
            except BaseException as error:  # delivered to on_failed on the GUI thread
                work_delivery.error = error
            del work_op, work_handle
            key = id(work_delivery)
            self._finished.emit(work_delivery)
            del work_delivery
            self._released.emit(key)

        if message:  # listening before the work begins: its first stage is not missed
            delivery.window = _ProgressWindow(parent, message, handle, delivery.reporter)
        try:
            future = self._submit(work)
        except TasksClosedError:  # no window left behind for work that never runs
            if delivery.window is not None:
                delivery.window.close()
            raise
        self._running += 1
        return Running(future, handle, delivery)

    def watch_others(self, every_ms: int | None = None) -> None:
        """Several clerks work on a hub's database at once: every ``every_ms``, while the
        worker is idle, look in the version log for what the others saved since it was last
        looked at, and broadcast it (``changed``, started by nobody here), so that each screen
        shows it without being asked. A look is one indexed read; one that fails (the server
        gone a moment) is tried again at the next (``OTHERS_EVERY_MS`` unless told)."""
        if self._watch is not None:
            return
        self._seen = self._submit(self._top).result()
        self._watch = QTimer(self)
        self._watch.timeout.connect(self._look)
        self._watch.start(every_ms or OTHERS_EVERY_MS)

    def _look(self) -> None:
        if self._looking or self._running:
            return  # a long operation: looked at when it is over

        def work() -> None:
            try:
                tables = self._others()
            except Exception:  # the next look tries again; nothing is shown for a look
                log.warning("could not look for others' changes", exc_info=True)
                tables = frozenset()
            self._others_changed.emit((tables, True))

        self._looking = True
        try:
            self._submit(work)
        except TasksClosedError:
            self._looking = False
            if self._watch is not None:
                self._watch.stop()

    def _others_found(self, found: tuple[frozenset[str], bool]) -> None:
        tables, looked = found
        if looked:
            self._looking = False
        self._broadcast(tables, frozenset(), None)

    def _others(self) -> frozenset[str]:
        """On the worker: the tables others changed since the last version seen."""
        if self._seen is None:
            return frozenset()
        top = self._top()
        if top <= self._seen:
            return frozenset()
        tables = self._since(self._seen, top)
        self._seen = top
        return tables

    def _submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        try:
            return self._executor.submit(fn, *args, **kwargs)
        except RuntimeError as error:  # submitted after shut_down
            raise TasksClosedError from error

    def wait(self) -> None:
        """Until every call submitted so far has finished (tests, closing the window)."""
        self._executor.submit(lambda: None).result()

    def shut_down(self) -> None:
        """Let the worker finish what it was given, and stop it."""
        self._executor.shutdown(wait=True)

    def close(self) -> None:
        """Stop the worker and close the store (the window closes)."""
        if self._watch is not None:
            self._watch.stop()
        self.shut_down()
        self._store.close()

    # -- inside ----------------------------------------------------------------------------------
    def _measured(self, op: Callable[..., T], args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> tuple[T, frozenset[str]]:
        before = self._top()
        if self._seen is not None and before > self._seen:
            # Others saved something since the last look: theirs, told apart from this call's.
            self._others_changed.emit((self._since(self._seen, before), False))
            self._seen = before
        result = op(self._store, *args, **kwargs)
        if self._seen is not None:
            # Writers take turns on a hub (``Store.write``): what was saved up to here is this
            # call's, or others' saved while it waited its turn, told as this call's.
            self._seen = max(self._seen, self._top())
        return result, self._since(before)

    def _top(self) -> int:
        with self._store.read() as session:
            return int(session.connection().exec_driver_sql(
                "SELECT COALESCE(MAX(seq), 0) FROM sync_version").scalar() or 0)

    def _since(self, seq: int, upto: int | None = None) -> frozenset[str]:
        """The tables that gained versions after ``seq`` (up to ``upto``, included)."""
        with self._store.read() as session:
            mark = "%s" if self._store.on_server else "?"  # psycopg's placeholder, SQLite's
            sql = f"SELECT DISTINCT tbl FROM sync_version WHERE seq > {mark}"
            params: tuple[int, ...] = (seq,)
            if upto is not None:
                sql, params = f"{sql} AND seq <= {mark}", (seq, upto)
            return frozenset(str(t) for (t,) in session.connection().exec_driver_sql(
                sql, params))

    def _deliver(self, delivery: _Delivery) -> None:
        self._running -= 1
        self._held[id(delivery)] = delivery
        if delivery.window is not None:
            delivery.window.close()
        gone = delivery.owner_gone()  # what changed is still broadcast to the other screens
        if delivery.error is None:
            if not gone:
                delivery.done(delivery.result)
            self._broadcast(delivery.tables, delivery.also, delivery.initiator)
        else:
            # One transaction per use case: a failed one changed no record. What else it may
            # have changed (a package history, a file) is named by ``also``.
            if not gone:
                delivery.failed(delivery.error)
            else:
                log.warning("a result for a closed screen was dropped", exc_info=delivery.error)
            self._broadcast(frozenset(), delivery.also, delivery.initiator)

    def _release(self, key: int) -> None:
        """The worker has let go of a delivery: only now may this thread drop it. What a
        delivery holds (the screen's callbacks, its progress window, a traceback's frames)
        may hold the last reference to a Qt object, and a Qt object destroyed on the worker's
        thread brings the program down ("Bus error", "none_dealloc"): the last reference is
        always dropped here, on the GUI thread."""
        self._held.pop(key, None)

    def _broadcast(self, tables: frozenset[str], also: frozenset[str],
                   initiator: object | None) -> None:
        changes = Changes(tables, also, initiator)
        if changes:
            log.debug("changed %s %s", sorted(tables), sorted(also))
            self.changed.emit(changes)


class Acting:
    """``Tasks.call`` on behalf of someone, naming what else it changes."""

    def __init__(self, tasks: Tasks, initiator: object | None, also: frozenset[str]) -> None:
        self._tasks, self._initiator, self._also = tasks, initiator, also

    def call(self, op: Callable[Concatenate[Store, P], T], *args: P.args,
             **kwargs: P.kwargs) -> T:
        result: T
        result, tables = self._tasks._submit(self._tasks._measured, op, args, kwargs).result()
        self._tasks._broadcast(tables, self._also, self._initiator)
        return result


def _reraise(error: BaseException) -> None:
    raise error
