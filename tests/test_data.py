"""lablib.data: the offline fallback, the full-set path and damaged files."""
import gzip
import shutil

import numpy as np
import pytest

from lablib import data
from lablib.data import MNIST_FILES, MnistFileError, load_mnist, read_idx


def test_offline_fallback_returns_the_shipped_sample_and_says_so(tmp_path, capsys):
    mnist = load_mnist(root=tmp_path, download=False)
    out = capsys.readouterr().out.strip()
    assert mnist.source == "sample"
    assert out.count("\n") == 0 and out.startswith("Note:") and "8,000 training and 2,000 test" in out
    assert mnist.X_train.shape == (8000, 784) and mnist.X_test.shape == (2000, 784)
    assert mnist.X_train.dtype == np.float32
    assert 0.0 == mnist.X_train.min() and mnist.X_train.max() == 1.0
    assert set(np.unique(mnist.y_train)) == set(range(10))


def test_failed_download_falls_back_without_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(data, "MIRRORS", ("http://127.0.0.1:9/",))   # nothing listens on port 9
    mnist = load_mnist(root=tmp_path, download=True, timeout=2)
    assert mnist.source == "sample"
    assert "could not be found or downloaded" in capsys.readouterr().out


def test_sample_split_is_deterministic_stratified_and_disjoint(tmp_path):
    a = load_mnist(root=tmp_path, download=False, verbose=False)
    b = load_mnist(root=tmp_path, download=False, verbose=False, flatten=False, dtype=np.float64)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    np.testing.assert_allclose(a.X_test, b.X_test.reshape(2000, 784), rtol=1e-6)
    assert b.X_train.shape == (8000, 28, 28) and b.X_train.dtype == np.float64
    # every class keeps its share (within one image) in both parts
    full = np.bincount(np.concatenate([a.y_train, a.y_test]), minlength=10)
    np.testing.assert_allclose(np.bincount(a.y_test, minlength=10), 0.2 * full, atol=1)
    # no image is in both parts: the 10,000 pixel-rows are all accounted for once
    all_rows = np.concatenate([a.X_train, a.X_test])
    assert len(np.unique(all_rows.round(4), axis=0)) >= 9990   # MNIST has a handful of duplicates


def test_unpacks_as_train_and_test_pairs(tmp_path):
    (X_train, y_train), (X_test, y_test) = load_mnist(root=tmp_path, download=False, verbose=False)
    assert len(X_train) == len(y_train) == 8000 and len(X_test) == len(y_test) == 2000


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


def test_full_set_on_disk_is_used_as_is(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(0)
    arrays = {"train_images": rng.integers(0, 256, (60, 28, 28)), "train_labels": rng.integers(0, 10, 60),
              "test_images": rng.integers(0, 256, (10, 28, 28)), "test_labels": rng.integers(0, 10, 10)}
    table = {}
    for key, (name, _) in MNIST_FILES.items():
        _write_idx(tmp_path / name, arrays[key])
        table[key] = (name, data._md5(tmp_path / name))
    monkeypatch.setattr(data, "MNIST_FILES", table)
    mnist = load_mnist(root=tmp_path, download=False)
    assert mnist.source == "full" and capsys.readouterr().out == ""
    np.testing.assert_array_equal(mnist.y_train, arrays["train_labels"])
    np.testing.assert_allclose(mnist.X_test * 255, arrays["test_images"].reshape(10, -1), atol=1e-4)


def test_corrupt_file_names_the_file_and_what_to_do(tmp_path):
    name, md5 = MNIST_FILES["test_images"]
    bad = tmp_path / name
    shutil.copy(data.SAMPLE_DIR / name, bad)
    with open(bad, "r+b") as fh:          # flip bytes in the middle
        fh.seek(5000)
        fh.write(b"\xff" * 64)
    with pytest.raises(MnistFileError, match=rf"{name}.*corrupt.*Delete"):
        read_idx(bad, md5)
    with pytest.raises(ValueError):       # MnistFileError is a ValueError
        read_idx(bad, md5)


def test_truncated_file_is_reported_even_without_a_checksum(tmp_path):
    name, _ = MNIST_FILES["test_labels"]
    raw = gzip.decompress((data.SAMPLE_DIR / name).read_bytes())
    short = tmp_path / name
    short.write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(MnistFileError, match="truncated"):
        read_idx(short)
    cut = tmp_path / "cut.gz"
    cut.write_bytes((data.SAMPLE_DIR / name).read_bytes()[:2000])
    with pytest.raises(MnistFileError, match="cut.gz.*corrupt or truncated"):
        read_idx(cut)


def test_corrupt_full_set_on_disk_raises_instead_of_silently_switching(tmp_path):
    for name, _ in MNIST_FILES.values():
        (tmp_path / name).write_bytes(b"not a gzip file")
    with pytest.raises(MnistFileError, match="train-images-idx3-ubyte.gz"):
        load_mnist(root=tmp_path, download=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="floating-point"):
        load_mnist(dtype=np.uint8, download=False)
    with pytest.raises(MnistFileError, match="does not exist"):
        read_idx("/nonexistent/file.gz")


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LABLIB_DATA", str(tmp_path))
    assert data.mnist_cache_dir() == tmp_path / "mnist"
