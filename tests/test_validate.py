"""The shared integer check: one rule, two documented error types."""

import numpy as np
import pytest

from cnnbook import conv, signals
from cnnbook._validate import IntegerArgumentError, check_int
from cnnbook.nn import Pooling


@pytest.mark.parametrize("bad", [2.0, True, "3", None, np.float32(1)])
def test_non_integers_are_refused_as_both_type_and_value_errors(bad: object) -> None:
    with pytest.raises(IntegerArgumentError, match="size must be an integer") as info:
        check_int(bad, "size", 1)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_numpy_integers_are_accepted_and_returned_as_int() -> None:
    value = check_int(np.int64(4), "k", 1)
    assert value == 4 and type(value) is int


def test_the_modules_share_the_rule() -> None:
    with pytest.raises(ValueError, match="stride"):  # conv's contract: ValueError
        conv.conv_output_size(5, 3, stride=1.0)
    with pytest.raises(TypeError, match="pool_h"):  # the layers': TypeError
        Pooling(2.0, 2)
    with pytest.raises(TypeError, match="sample_rate"):
        signals.sound_wave(sample_rate=8000.0)
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        conv.conv_output_size(5, 3, stride=0)
