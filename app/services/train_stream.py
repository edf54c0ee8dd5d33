"""One live training run, advanced a frame at a time (the WebSocket stream's work).

A ``StreamRun`` holds a prepared run (``app.services.training``) and its state. Every method
that touches TensorFlow is meant to be called inside ONE worker-thread call per frame:
``tick`` applies the queued control messages, runs the frame's updates through the engine's
compiled loop (with a small fixed history, so every frame reuses one graph), and evaluates
the losses, gradients and grids the frame carries.

Frames are compact: weights and gradients keep 4 significant digits, grids are quantised to
one byte per cell (``lo + q / 255 · (hi − lo)``, base64), and a field equal to the one sent
before is left out.
"""

import base64
import math
from dataclasses import dataclass, field

import numpy as np

from app.core.config import Settings
from app.engine.errors import SpecError
from app.schemas.train import TrainRequest, state_from
from app.services import training

HISTORY_ROWS = 2  # step 0 and the frame's last step: the same graph for every frame size
UNITS = ("update", "batch", "epoch")  # one update is one batch (mini-batch or full)
SIG_DIGITS = 4  # weights and gradients: more than the eye reads off an edge or a tooltip
# Frame fields that are left out when equal to the last ones sent.
SETUP_FIELDS = ("sizes", "activations", "task", "points", "domain", "batch_size")
VALUE_FIELDS = ("weights", "biases", "gradients", "boundary", "neuron_grids", "per_frame")


def round_sig(values, digits: int = SIG_DIGITS):
    """Nested lists of floats with ``digits`` significant digits; non-finite → None."""
    array = np.asarray(values, dtype=float)
    flat = [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in array.ravel()]
    return np.array(flat, dtype=object).reshape(array.shape).tolist()


def quantize(grid: np.ndarray) -> dict:
    """A grid as one byte per cell over [lo, hi] (1/255 of the range: below what a colour
    scale shows), base64 in row-major order; non-finite cells read as lo."""
    values = np.asarray(grid, dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        return {"lo": 0.0, "hi": 0.0, "q": base64.b64encode(bytes(values.size)).decode()}
    lo, hi = float(values[finite].min()), float(values[finite].max())
    span = hi - lo if hi > lo else 1.0
    with np.errstate(all="ignore"):
        scaled = np.where(finite, (values - lo) / span * 255.0, 0.0)
    q = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return {
        "lo": float(f"{lo:.5g}"),
        "hi": float(f"{hi:.5g}"),
        "q": base64.b64encode(q.tobytes()).decode(),
    }


def _scalar(value) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


@dataclass
class FrameSettings:
    """How much one played frame advances: ``per_frame`` updates or epochs."""

    per_frame: int = 1
    unit: str = "epoch"


@dataclass
class StreamRun:
    """A training run that a stream advances frame by frame."""

    req: TrainRequest
    settings: Settings
    frame: FrameSettings = field(default_factory=FrameSettings)

    def __post_init__(self):
        self.start_req = self.req
        self._build(self.req, keep_state=False)
        self.last_sent: dict = {}

    # ---- building and changing the run (called in the worker thread) -------------------

    def _build(self, req: TrainRequest, keep_state: bool) -> None:
        run = training.prepare(req, self.settings)
        self._check_frame_cost(run, self.frame)
        if keep_state:
            if run.optimizer.slot_names != self.run.optimizer.slot_names:
                raise SpecError(("optimizer",), "send start to change the optimizer")
        else:
            self.state = state_from(req, run.net, run.optimizer)
        self.req, self.run = req, run
        self.setup = self._setup()  # the same for every frame of this run

    def steps_for(self, unit: str, count: int = 1, run=None) -> int:
        """Updates in ``count`` of ``unit`` (an epoch is one pass over the training set)."""
        run = run or self.run
        return count * (run.batches_per_epoch if unit == "epoch" else 1)

    def _check_frame_cost(self, run, frame: FrameSettings) -> None:
        self._check_steps(run, self.steps_for(frame.unit, frame.per_frame, run), ("per_frame",))

    def _check_steps(self, run, steps: int, loc: tuple) -> None:
        """One frame's updates within the stream's and /train's limits."""
        if steps > self.settings.stream_max_steps_per_frame:
            raise SpecError(
                loc,
                f"{steps} updates in one frame is over the limit of "
                f"{self.settings.stream_max_steps_per_frame}: fewer updates or epochs per frame",
            )
        training.check_cost(run, steps, max(steps, 1), self.settings, loc=loc)

    def reset(self) -> None:
        """Back to the start message's run: its data, its initial weights, iteration 0."""
        self._build(self.start_req, keep_state=False)

    def change(self, fields: dict) -> None:
        """Apply a ``set`` message: new hyper-parameters, data noise or batch size, keeping
        the weights, the optimizer's slots and the iteration count."""
        frame = FrameSettings(
            fields.get("per_frame", self.frame.per_frame), fields.get("frame_unit", self.frame.unit)
        )
        body = self.req.model_dump(exclude_unset=True)
        body.setdefault("optimizer", {})
        for name, value in fields.items():
            if name == "learning_rate":
                body["optimizer"]["learning_rate"] = value
            elif name == "noise":
                if "dataset" not in body:
                    raise SpecError(("noise",), "noise applies to a generated dataset only")
                body["dataset"]["noise"] = value
            elif name not in ("per_frame", "frame_unit", "type"):
                body[name] = value
        if "weights" in body:  # the current weights are in self.state; do not re-check old ones
            body.pop("weights", None)
            body.pop("biases", None)
        body.pop("optimizer_state", None)
        req = TrainRequest.model_validate(body)
        previous = self.frame
        self.frame = frame
        try:
            self._build(req, keep_state=True)
        except SpecError:
            self.frame = previous
            raise

    # ---- one frame ----------------------------------------------------------------------

    def advance(self, steps: int) -> dict:
        """Apply ``steps`` updates and measure the result: the frame's numbers (unencoded
        values replaced by compact JSON-ready ones)."""
        req = self.req
        self._check_steps(self.run, steps, ("steps",))
        result = training.train(
            self.run,
            self.state,
            steps,
            record_every=max(steps, 1),
            max_history_rows=HISTORY_ROWS,
            jit_compile=bool(req.jit_compile),
        )
        self.state = result.state
        last = result.history[-1]
        grad_w, grad_b = result.grad_weights, result.grad_biases
        grids = training.grids(
            self.run,
            self.state,
            req.boundary_resolution,
            req.neuron_grid_resolution if req.neuron_grids else None,
        )
        frame = {
            "type": "frame",
            "iteration": self.state.iterations,
            "epoch": round(self.state.iterations / self.run.batches_per_epoch, 4),
            "steps": steps,
            "loss": _scalar(last["loss"]),
            "test_loss": _scalar(last.get("test_loss")),
            "accuracy": _scalar(last.get("accuracy")),
            "test_accuracy": _scalar(last.get("test_accuracy")),
            "weights": [round_sig(w) for w in self.state.weights],
            "biases": [round_sig(b) for b in self.state.biases],
            "gradients": {
                "weights": [round_sig(g) for g in grad_w],
                "biases": [round_sig(g) for g in grad_b],
            },
            "per_frame": {"count": self.frame.per_frame, "unit": self.frame.unit},
            **self.setup,
        }
        if "boundary" in grids:
            frame["boundary"] = {"n": req.boundary_resolution, **quantize(grids["boundary"]["z"])}
        if "neuron_grids" in grids:
            frame["neuron_grids"] = {
                "n": req.neuron_grid_resolution,
                "layers": [
                    [quantize(unit) for unit in layer] for layer in grids["neuron_grids"]["layers"]
                ],
            }
        return frame

    def _setup(self) -> dict:
        """What the page needs to lay the run out: sizes, task, the points and their domain."""
        run, data = self.run, self.run.data

        def points(x, labels):
            if x is None:
                return None
            return {"x": round_sig(x), "label": round_sig(labels)}

        return {
            "sizes": run.net.sizes,
            "activations": [a.name for a in run.net.activations],
            "task": {**data.task(), "batches_per_epoch": run.batches_per_epoch},
            "points": None
            if data.points is None
            else {
                "train": points(data.points, data.labels),
                "test": points(data.points_test, data.labels_test),
            },
            "domain": None if data.domain is None else list(data.domain),
            "batch_size": run.batch,
        }

    def compact(self, frame: dict) -> dict:
        """Leave out the fields equal to the ones sent before (the client keeps them)."""
        out = {}
        for name, value in frame.items():
            if name in SETUP_FIELDS + VALUE_FIELDS and self.last_sent.get(name) == value:
                continue
            out[name] = value
        self.last_sent.update({k: v for k, v in frame.items() if k in SETUP_FIELDS + VALUE_FIELDS})
        return out
