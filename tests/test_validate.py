"""The shared argument checks: integers, real numbers and arrays, one rule for every module."""

import numpy as np
import pytest

from cnnbook import conv, gabor, probability, signals
from cnnbook._validate import IntegerArgumentError, check_int, check_ndim, check_real, real_array
from cnnbook.nn import SGD, Convolution, Pooling


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


@pytest.mark.parametrize("good", [3, 2.5, np.float32(0.25), np.int8(-2), np.array(1.5)])
def test_real_scalars_of_every_kind_are_accepted_as_float(good: object) -> None:
    value = check_real(good, "x")
    assert type(value) is float and value == float(np.asarray(good))


@pytest.mark.parametrize("bad", [True, "1", None, [1.0], np.ones(2), 1j])
def test_non_real_scalars_are_type_errors(bad: object) -> None:
    with pytest.raises(TypeError, match="x must be a real number"):
        check_real(bad, "x")


def test_real_bounds_and_finiteness() -> None:
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="x must be finite"):
            check_real(bad, "x")
    assert check_real(0, "x", minimum=0) == 0.0
    with pytest.raises(ValueError, match="x must be > 0, got 0"):
        check_real(0, "x", minimum=0, strict=True)
    with pytest.raises(ValueError, match="x must be >= 1, got 0.5"):
        check_real(0.5, "x", minimum=1)


def test_real_array_keeps_float_precision_and_promotes_integers() -> None:
    assert real_array(np.ones(3, dtype=np.float32), "x").dtype == np.float32
    assert real_array(np.ones(3, dtype=np.float32), "x", float64=True).dtype == np.float64
    assert real_array([1, 2], "x").dtype == np.float64
    assert real_array([True, False], "x").dtype == np.float64
    np.testing.assert_array_equal(real_array([[1, 2], [3, 4]], "x"), [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        ([[1.0, 2.0], [3.0]], ValueError, "w must be a rectangular numeric array"),
        (np.ones(2) + 1j, TypeError, "w must be real; complex"),
        (["a", "b"], TypeError, "w must be a real numeric array"),
        (np.array([1.0, None]), TypeError, "w must be a real numeric array"),
    ],
)
def test_real_array_errors_name_the_argument(bad: object, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        real_array(bad, "w")


def test_real_array_finite_flag() -> None:
    np.testing.assert_array_equal(real_array([np.nan], "x"), [np.nan])  # allowed unless asked
    with pytest.raises(ValueError, match="x must be finite"):
        real_array([1.0, np.inf], "x", finite=True)


def test_check_ndim_names_the_layout_and_refuses_empty_arrays() -> None:
    a = np.ones((2, 3))
    assert check_ndim(a, "x", 2, "(rows, cols)") is a
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\), got shape \(2, 3\)"):
        check_ndim(a, "x", 4, "(N, C, H, W)")
    with pytest.raises(ValueError, match=r"x must not be empty, got shape \(0, 3\)"):
        check_ndim(np.ones((0, 3)), "x", 2, "(rows, cols)")


def test_the_modules_share_the_real_and_array_rules() -> None:
    # the same bad value gets the same kind of error, naming the argument, in every module
    with pytest.raises(ValueError, match="std must be > 0"):
        probability.gaussian_density(0.0, std=0.0)
    with pytest.raises(ValueError, match="duration must be > 0"):
        signals.sound_wave(duration=-1.0)
    with pytest.raises(ValueError, match="beta_x must be > 0"):
        gabor.gabor(0.0, 0.0, beta_x=0.0, beta_y=1.0, f=1.0, phi=0.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        SGD(lr=0.0)
    for module_call in (
        lambda bad: conv.convolve(bad, [1.0]),
        lambda bad: Convolution(bad, np.zeros(1)),
        lambda bad: probability.sum_pmf(bad, [1.0]),
    ):
        with pytest.raises(ValueError, match="rectangular"):
            module_call([[1.0, 2.0], [3.0]])


from cnnbook._validate import check_path, check_seed  # noqa: E402  (appended with the checks)


@pytest.mark.parametrize("good", [0, 7, np.int64(3), np.uint32(2**31), 2**70])
def test_check_seed_accepts_non_negative_integers(good: object) -> None:
    value = check_seed(good)
    assert value == int(good) and type(value) is int


@pytest.mark.parametrize("bad", [True, False, 1.0, np.float64(2), "3", None, [1]])
def test_check_seed_refuses_non_integers_as_type_errors(bad: object) -> None:
    with pytest.raises(TypeError, match="my_seed must be an integer"):
        check_seed(bad, "my_seed")


@pytest.mark.parametrize("bad", [-1, np.int64(-5)])
def test_check_seed_refuses_negative_seeds(bad: object) -> None:
    with pytest.raises(ValueError, match="my_seed must be >= 0"):
        check_seed(bad, "my_seed")


def test_check_path_accepts_str_and_pathlike_and_expands_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert check_path(tmp_path / "a", "root") == tmp_path / "a"
    assert check_path("~/b", "root") == tmp_path / "b"


@pytest.mark.parametrize("bad", [123, None, 1.5, b"bytes", ["a"]])
def test_check_path_refuses_non_paths(bad: object) -> None:
    with pytest.raises(TypeError, match="root must be a path"):
        check_path(bad, "root")


def test_check_path_refuses_the_empty_string() -> None:
    with pytest.raises(ValueError, match="root must be a path"):
        check_path("", "root")


def test_check_int_sequence() -> None:
    from cnnbook._validate import check_int_sequence

    assert check_int_sequence(np.array([1, 2]), "sizes", 1) == [1, 2]
    for bad in ("12", 3, np.array(3), np.ones((2, 2), int)):
        with pytest.raises(ValueError, match="sizes must be a sequence of integers"):
            check_int_sequence(bad, "sizes", 1)


def test_check_alloc_gives_the_size_and_names_the_argument() -> None:
    from cnnbook._validate import MAX_ALLOC_BYTES, check_alloc

    assert check_alloc(MAX_ALLOC_BYTES // 8, "n") == MAX_ALLOC_BYTES // 8
    with pytest.raises(ValueError, match=r"^duration asks for 536870913 samples \(4 GiB\)"):
        check_alloc(MAX_ALLOC_BYTES // 8 + 1, "duration", what="samples")
    with pytest.raises(ValueError, match=r"\(1 TiB\)"):
        check_alloc(2**40, "n", itemsize=1)


def test_nchw_array_is_the_one_image_batch_check() -> None:
    from cnnbook._validate import nchw_array

    assert nchw_array([[[[1, 2]]]], "x").dtype == np.float64
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        nchw_array(np.ones((2, 3)), "x")
    with pytest.raises(ValueError, match="x must not be empty"):
        nchw_array(np.ones((1, 1, 0, 3)), "x")
    with pytest.raises(TypeError, match="x must be real"):
        nchw_array(np.ones((1, 1, 2, 2), complex), "x")


def test_check_pair_accepts_an_int_or_a_pair() -> None:
    from cnnbook._validate import check_pair

    assert check_pair(3, "k", 1) == (3, 3)
    assert check_pair((2, 4), "k", 1) == (2, 4)
    with pytest.raises(ValueError, match="k must be an integer or a pair"):
        check_pair((1, 2, 3), "k", 1)
    with pytest.raises(ValueError, match=r"k\[1\] must be >= 1"):
        check_pair((1, 0), "k", 1)
    with pytest.raises(TypeError, match="k must be an integer"):
        check_pair(2.5, "k", 1)


def test_check_choice_and_check_fraction() -> None:
    from cnnbook._validate import check_choice, check_fraction

    assert check_choice("avg", "mode", ("max", "avg")) == "avg"
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg', got 'MAX'"):
        check_choice("MAX", "mode", ("max", "avg"))
    with pytest.raises(ValueError, match="mode must be one of"):
        check_choice(None, "mode", ("max", "avg"))
    assert check_fraction(0, "beta1") == 0.0
    for bad in (1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="beta1 must"):
            check_fraction(bad, "beta1")
    with pytest.raises(TypeError, match="beta1 must be a real number"):
        check_fraction("0.9", "beta1")
