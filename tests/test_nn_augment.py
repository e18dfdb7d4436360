"""random_shift against a brute-force loop, and the Trainer's use of it."""

import numpy as np
import pytest

from cnnbook.nn import SimpleConvNet, Trainer
from cnnbook.nn.augment import random_shift


def shift_by_loop(x, offsets):
    """Move image i by offsets[i] = (dy, dx), pixel by pixel, zero where nothing lands."""
    out = np.zeros_like(x)
    n, _c, h, w = x.shape
    for i in range(n):
        dy, dx = offsets[i]
        for r in range(h):
            for q in range(w):
                if 0 <= r - dy < h and 0 <= q - dx < w:
                    out[i, :, r, q] = x[i, :, r - dy, q - dx]
    return out


@pytest.mark.parametrize("max_shift", [0, 1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_shift_equals_a_pixel_loop(max_shift, dtype):
    x = np.random.default_rng(1).random((40, 2, 6, 5)).astype(dtype)
    out = random_shift(x, max_shift, np.random.default_rng(7))
    offsets = np.random.default_rng(7).integers(-max_shift, max_shift + 1, size=(40, 2))
    np.testing.assert_array_equal(out, shift_by_loop(x, offsets))
    assert out.dtype == dtype and out is not x


def test_random_shift_moves_ink_without_wrapping():
    x = np.zeros((200, 1, 8, 8))
    x[:, 0, :, -1] = 1.0  # ink in the last column only
    out = random_shift(x, 2, np.random.default_rng(0))
    offsets = np.random.default_rng(0).integers(-2, 3, size=(200, 2))
    moved_right = offsets[:, 1] > 0
    assert moved_right.any() and (out[moved_right].sum(axis=(1, 2, 3)) == 0).all()
    assert (out[:, 0, :, 0] == 0).all()  # nothing wrapped round to the first column


@pytest.mark.parametrize(
    "args, error, match",
    [
        (
            (np.zeros((2, 1, 4, 4)), 4),
            ValueError,
            "max_shift must be smaller than the image side 4",
        ),
        ((np.zeros((2, 1, 4, 4)), -1), ValueError, "max_shift must be >= 0"),
        ((np.zeros((2, 1, 4, 4)), 1.0), TypeError, "max_shift must be an integer"),
        ((np.zeros((2, 4, 4)), 1), ValueError, "x must have shape"),
        ((np.zeros((2, 1, 4, 4), complex), 1), TypeError, "x must be real"),
    ],
)
def test_random_shift_errors(args, error, match):
    with pytest.raises(error, match=match):
        random_shift(*args, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        random_shift(np.zeros((2, 1, 4, 4)), 1, 0)


def test_trainer_shifts_each_batch_and_stays_seeded():
    class Recorder:
        last_loss = 0.0

        def __init__(self):
            self.params = {"w": np.zeros(1)}
            self.seen = []

        def gradient(self, x, t):
            self.seen.append(x.copy())
            return {"w": np.zeros(1)}

        def accuracy(self, x, t):
            return 0.0

    x = np.random.default_rng(0).random((30, 1, 6, 6))
    t = np.zeros(30, dtype=int)
    runs = []
    for _ in range(2):
        net = Recorder()
        Trainer(
            net,
            x,
            t,
            x,
            t,
            epochs=2,
            batch_size=10,
            optimizer="sgd",
            seed=5,
            max_shift=1,
            verbose=False,
        ).train()
        runs.append(net.seen)
    assert all(np.array_equal(a, b) for a, b in zip(*runs))
    # The same draws replayed by hand: shuffle, then shift each batch, from one generator.
    rng = np.random.default_rng(5)
    expected = []
    for _ in range(2):
        order = rng.permutation(30)
        for i in range(0, 30, 10):
            expected.append(random_shift(x[order[i : i + 10]], 1, rng))
    assert len(expected) == len(runs[0])
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], expected))
    with pytest.raises(ValueError, match="max_shift must be >= 0"):
        Trainer(SimpleConvNet(), x, t, x, t, max_shift=-1)
