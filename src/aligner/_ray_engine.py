"""``aligner batch --ray``: the same batch on a Ray cluster; one actor per worker holds the model.

    run_batch(jobs, outdir, options, engine=RayEngine(address))

The driver (the ``aligner batch`` process) keeps the queue and gives each idle actor one statement
at a time, so progress, ETA, resume and the summary are the local engine's: it calls ``finish`` as
results arrive, and ``run_batch`` does the rest. Each actor runs the local worker (``StatementWorker``)
on OUTDIR, which every node must see at the same path (a shared filesystem); files are written
atomically and ``result.json`` last, as locally, so the outputs are the same.

Failures: a statement that fails is a "failed" result, as locally. An actor that dies (its process
or its node) loses only the statement it was aligning: that goes back to the front of the queue for
another actor, and a replacement is started wherever Ray finds room. A statement that was being
aligned when ``_MAX_DEATHS`` actors died is recorded as failed rather than tried forever.

Politeness: in the actors, the HTTP client asks one named, detached actor (``_HostPacer``) for each
turn on a host, so the per-host delay holds across the whole cluster (and across batches sharing it),
not per worker.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fetch
from ._http import Http
from ._jobs import BatchOptions, StatementJob, StatementResult
from ._statement import StatementWorker
from .embed import get_encoder
from .errors import AlignerError, InputError, first_line

__all__ = ["RayEngine"]

log = logging.getLogger("aligner.batch")

_MAX_DEATHS = 3
_PACER_NAME = "aligner-host-pacer"
_NAMESPACE = "aligner"
#: How long the batch waits for a worker when none is alive (a cluster that lost all its capacity).
_NO_WORKER_TIMEOUT = 600.0
INSTALL_HINT = "--ray needs Ray: pip install 'aligner[ray]'"


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    return ray


@dataclass(frozen=True)
class RayEngine:
    """Runs a batch's statements on Ray: ``address`` joins a running cluster, None starts a local one.

    Without a running Ray (``ray.is_initialized()``), ``ray.init`` is called (and ``RAY_ADDRESS``
    honoured, as Ray does) and shut down at the end; a caller's own session is left as it is.
    """

    address: str | None = None

    def __post_init__(self) -> None:
        _import_ray()  # without the extra, fail before any work starts

    def __call__(
        self,
        jobs: Sequence[StatementJob],
        outdir: Path,
        options: BatchOptions,
        finish: Callable[[StatementResult], None],
    ) -> None:
        ray = _import_ray()
        get_encoder(options.model)  # an unknown model name fails here, before any actor starts
        own_session = not ray.is_initialized()
        if own_session:
            ray.init(
                address=self.address,
                namespace=_NAMESPACE,
                include_dashboard=False,
                logging_level=logging.WARNING,
                log_to_driver=False,
            )
        try:
            _Dispatch(ray, outdir.resolve(), options).run(jobs, finish)
        finally:
            if own_session:
                ray.shutdown()


class _Dispatch:
    """The driver's loop: starts actors, hands out statements, replaces actors that die."""

    def __init__(self, ray: Any, outdir: Path, options: BatchOptions) -> None:
        self.ray, self.outdir, self.options = ray, outdir, options
        threads = options.threads or 1  # one core per actor unless asked: Ray reserves what the encoder uses
        # Detached: one pacer serves every batch on the cluster, and outlives this driver's handle to it (a
        # driver-owned one is destroyed when its last handle goes, which a batch started just after would get).
        # Preferably on the driver's node; restarted (afresh) if it dies all the same.
        here = ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
            ray.get_runtime_context().get_node_id(), soft=True
        )
        pacer = (
            ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=-1)(_HostPacer)
            .options(
                name=_PACER_NAME,
                namespace=_NAMESPACE,
                get_if_exists=True,
                lifetime="detached",
                scheduling_strategy=here,
            )
            .remote()
        )
        self.actor_class = ray.remote(num_cpus=threads, max_restarts=0)(_StatementActor)
        self.actor_args = (options, threads, logging.getLogger("aligner").getEffectiveLevel(), pacer)
        self.starting: dict[Any, Any] = {}  # ready() reference -> actor
        self.idle: list[Any] = []
        self.running: dict[Any, tuple[Any, StatementJob]] = {}  # process() reference -> (actor, statement)
        self.deaths: Counter[str] = Counter()

    def run(self, jobs: Sequence[StatementJob], finish: Callable[[StatementResult], None]) -> None:
        queue = deque(jobs)
        for _ in range(min(self.options.workers, len(jobs))):
            self._start_actor()
        last_progress = time.monotonic()
        try:
            while queue or self.running:
                while self.idle and queue:
                    actor, job = self.idle.pop(), queue.popleft()
                    self.running[actor.process.remote(job, self.outdir)] = (actor, job)
                done, _ = self.ray.wait([*self.running, *self.starting], num_returns=1, timeout=10.0)
                if done:
                    last_progress = time.monotonic()
                elif not self.running and not self.idle and time.monotonic() - last_progress > _NO_WORKER_TIMEOUT:
                    raise AlignerError(
                        f"no Ray worker could start in {_NO_WORKER_TIMEOUT:.0f} s; "
                        f"{len(queue)} statements not aligned (run again to resume)"
                    )
                for ref in done:
                    if ref in self.starting:
                        self._started(ref)
                    else:
                        self._finished(ref, queue, finish)
        finally:
            for actor in [*self.idle, *self.starting.values(), *(a for a, _ in self.running.values())]:
                self.ray.kill(actor)

    def _start_actor(self) -> None:
        actor = self.actor_class.remote(*self.actor_args)
        self.starting[actor.ready.remote()] = actor

    def _started(self, ref: Any) -> None:
        actor = self.starting.pop(ref)
        try:
            error = self.ray.get(ref)
        except self.ray.exceptions.RayActorError as died:
            log.warning("a Ray worker died while starting (%s); starting another", first_line(died))
            self._start_actor()
            return
        if error is not None:
            raise error  # the model cannot be loaded: a problem of the whole batch
        self.idle.append(actor)

    def _finished(self, ref: Any, queue: deque[StatementJob], finish: Callable[[StatementResult], None]) -> None:
        actor, job = self.running.pop(ref)
        exceptions = self.ray.exceptions
        try:
            result = self.ray.get(ref)
        except (exceptions.RayActorError, exceptions.WorkerCrashedError, exceptions.ObjectLostError) as died:
            self.deaths[job.name] += 1
            log.warning("%s: the Ray worker aligning it died (%s)", job.name, first_line(died))
            self._start_actor()
            if self.deaths[job.name] < _MAX_DEATHS:
                queue.appendleft(job)  # another actor takes it next: nothing lost, nothing done twice
                return
            result = StatementResult(
                job.name, job.source, "failed", error=f"{_MAX_DEATHS} Ray workers died while aligning it"
            )
        except exceptions.RayTaskError as error:  # not an AlignerError: those are failed results already
            result = StatementResult(job.name, job.source, "failed", error=first_line(error.cause or error))
            self.idle.append(actor)
        else:
            self.idle.append(actor)
        finish(result)


class _HostPacer:
    """One per cluster (a named actor): hands out each host's next request time, ``delay`` apart."""

    def __init__(self) -> None:
        self.next_turn: dict[str, float] = {}

    def turn(self, host: str, delay: float) -> float:
        """Seconds the caller must wait before its request to ``host``; its slot is reserved."""
        now = time.monotonic()
        start = max(now, self.next_turn.get(host, now))
        self.next_turn[host] = start + delay
        return start - now


class _PacedHttp(Http):
    """The fetcher's client, with its per-host wait taken from the cluster's pacer instead of its own clock."""

    pacer: Any = None  # the _HostPacer handle, set once per actor process

    def _reserve_turn(self, host: str) -> float:
        import ray

        return float(ray.get(self.pacer.turn.remote(host, self.options.delay)))


class _StatementActor:
    """A Ray actor: loads the model once, then aligns statements one at a time, as a local worker does."""

    def __init__(self, options: BatchOptions, threads: int, log_level: int, pacer: Any) -> None:
        logging.getLogger("aligner").setLevel(log_level)
        _PacedHttp.pacer = pacer
        # This process fetches only through the cluster's pacer (``fetch`` builds its client by this name).
        fetch.Http = _PacedHttp  # type: ignore[misc]
        self.error: AlignerError | None = None
        try:
            self.worker = StatementWorker(options, get_encoder(options.model, threads=threads))
        except AlignerError as error:
            self.error = error

    def ready(self) -> AlignerError | None:
        return self.error

    def process(self, job: StatementJob, outdir: Path) -> StatementResult:
        return self.worker.process(job, outdir)
