"""lablib.images: MNIST rows as images, augmented loaders, and folders of your own images."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader

from lablib.images import TransformedImages, as_images, image_folder, make_image_loader
from lablib.resnet import SmallResNet
from lablib.training import fit


# --- as_images ---------------------------------------------------------------------------------------------

def test_as_images_reshapes_flat_rows():
    X = np.arange(3 * 784).reshape(3, 784)
    images = as_images(X)
    assert images.shape == (3, 1, 28, 28) and images.dtype == np.float32
    assert images[1, 0, 2, 5] == X[1, 2 * 28 + 5]             # row-major: row 2, column 5
    assert as_images(np.zeros((2, 1024)), side=32).shape == (2, 1, 32, 32)
    four = np.ones((2, 3, 32, 32))
    assert as_images(four).shape == (2, 3, 32, 32) and as_images(four).dtype == np.float32


@pytest.mark.parametrize("shape", [(784,), (3, 783), (3, 28, 28), (2, 1024)])
def test_as_images_refuses_other_shapes(shape):
    with pytest.raises(ValueError, match=rf"expected rows of 28\*28 = 784 pixels, got an array of shape \({shape[0]},"):
        as_images(np.zeros(shape))


# --- make_image_loader --------------------------------------------------------------------------------------

def digits(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)).astype(np.float32), np.arange(n) % 3


def test_loader_without_a_transform_gives_the_images_in_order():
    X, y = digits()
    batches = list(make_image_loader(X, y, batch_size=4))
    assert [tuple(xb.shape) for xb, _ in batches] == [(4, 1, 28, 28), (4, 1, 28, 28), (2, 1, 28, 28)]
    assert torch.equal(torch.cat([xb for xb, _ in batches]), torch.from_numpy(as_images(X)))
    assert torch.cat([yb for _, yb in batches]).tolist() == y.tolist()
    assert batches[0][1].dtype == torch.int64


def test_the_transform_is_applied_to_each_image():
    X, y = digits()
    seen = []

    def transform(image):
        seen.append(tuple(image.shape))
        return image.flip(-1) + 1.0

    loader = make_image_loader(X, y, batch_size=4, transform=transform)
    assert isinstance(loader.dataset, TransformedImages) and len(loader.dataset) == 10
    Xb = torch.cat([xb for xb, _ in loader])
    assert seen == [(1, 28, 28)] * 10                          # once per image per epoch, (C, H, W)
    assert torch.equal(Xb, torch.from_numpy(as_images(X)).flip(-1) + 1.0)
    list(loader)
    assert len(seen) == 20


def test_a_random_transform_differs_each_epoch_and_repeats_under_a_seed():
    from torchvision.transforms import v2

    X, y = digits(8)
    shift = v2.RandomAffine(degrees=0, translate=(0.2, 0.2))
    loader = make_image_loader(X, y, batch_size=8, transform=shift)       # no shuffling: image i is image i

    def two_epochs(seed):
        torch.manual_seed(seed)
        return [next(iter(loader))[0] for _ in range(2)]

    a1, a2 = two_epochs(0)
    b1, b2 = two_epochs(0)
    assert torch.equal(a1, b1) and torch.equal(a2, b2)                    # a seed repeats the augmentation
    plain = torch.from_numpy(as_images(X))
    changed = lambda a, b: [not torch.equal(a[i], b[i]) for i in range(8)]    # noqa: E731
    assert sum(changed(a1, a2)) >= 6                                        # each epoch shifts differently
    assert sum(changed(a1, plain)) >= 6
    assert not torch.equal(two_epochs(1)[0], a1)
    # a shift moves pixels and keeps their values: every pixel is one of the image's, or 0 (filled in)
    for i in range(8):
        assert set(a1[i].unique().tolist()) <= set(plain[i].unique().tolist()) | {0.0}


def test_loader_refusals():
    X, y = digits()
    with pytest.raises(ValueError, match="transform must be callable on an image tensor, got 'flip'"):
        make_image_loader(X, y, transform="flip")
    with pytest.raises(ValueError, match="need as many labels as images .*got 10 images and 9 labels"):
        make_image_loader(X, y[:9], transform=lambda image: image)
    with pytest.raises(ValueError, match="X has 10 examples but y has 9"):
        make_image_loader(X, y[:9])
    with pytest.raises(ValueError, match="batch_size"):
        make_image_loader(X, y, batch_size=0, transform=lambda image: image)
    with pytest.raises(ValueError, match="expected rows of 28"):
        make_image_loader(np.zeros((4, 100)), np.zeros(4, dtype=int))


# --- image_folder ---------------------------------------------------------------------------------------------

CLASSES = ("zebra", "apple", "mango")               # written out of order: classes come sorted


def write_image(path, size=(28, 28), value=0, mode="RGB"):
    """A PNG of ``size`` = (width, height) whose pixels are all ``value``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    shape = (height, width, 3) if mode == "RGB" else (height, width)
    Image.fromarray(np.full(shape, value, dtype=np.uint8), mode=mode).save(path)


def make_folder(root, classes=CLASSES, per_class=4, size=(28, 28)):
    for c, name in enumerate(classes):
        for i in range(per_class):
            write_image(root / name / f"{i}.png", size, value=40 * c + i)
    return root


def test_image_folder_reads_one_class_per_subfolder(tmp_path):
    ds = image_folder(make_folder(tmp_path))
    assert ds.classes == ["apple", "mango", "zebra"] and len(ds) == 12
    assert ds.class_to_idx == {"apple": 0, "mango": 1, "zebra": 2}
    image, label = ds[0]
    assert image.shape == (3, 28, 28) and image.dtype == torch.float32 and label == 0
    # apple was class 1 when written: pixel value 40 * 1 + 0, scaled to [0, 1]
    assert torch.equal(image, torch.full((3, 28, 28), 40 / 255))
    assert [ds[i][1] for i in range(12)] == [0] * 4 + [1] * 4 + [2] * 4


def test_grayscale_gives_one_channel(tmp_path):
    ds = image_folder(make_folder(tmp_path), grayscale=True)
    image, _ = ds[4]                                             # mango, written as class 2, image 0
    assert image.shape == (1, 28, 28)
    assert torch.allclose(image, torch.full((1, 28, 28), 80 / 255), atol=1 / 255)


def test_a_custom_transform_is_used(tmp_path):
    ds = image_folder(make_folder(tmp_path), transform=lambda pil: np.asarray(pil).shape)
    assert ds[0][0] == (28, 28, 3)


def test_fit_trains_on_an_image_folder(tmp_path):
    ds = image_folder(make_folder(tmp_path), grayscale=True)
    loader = DataLoader(ds, batch_size=4, shuffle=True)
    torch.manual_seed(0)
    model = SmallResNet(in_channels=1, num_classes=3, width=4)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.05), loader, epochs=1, seed=0)
    assert len(h.train_loss) == 1 and len(h.batch_loss) == 3 and np.isfinite(h.train_loss[0])
    # the number of classes is read off dataset.classes
    ten = SmallResNet(in_channels=1, num_classes=10, width=4)
    with pytest.raises(ValueError, match="outputs 10 scores per example but the data have 3 classes"):
        fit(ten, torch.optim.SGD(ten.parameters(), lr=0.05), loader, epochs=1)


def test_mixed_sizes_are_resized_with_size(tmp_path):
    root = make_folder(tmp_path)
    write_image(root / "apple" / "big.png", size=(40, 36))
    with pytest.raises(ValueError, match=r"different sizes \(28×28 \(12\), 40×36 \(1\)\); a batch needs one size: "
                                         r"pass size=\(height, width\)"):
        image_folder(root)
    ds = image_folder(root, size=(28, 28))
    assert {tuple(ds[i][0].shape) for i in range(len(ds))} == {(3, 28, 28)}
    assert len(next(iter(DataLoader(ds, batch_size=13)))[0]) == 13
    ds = image_folder(root, size=(20, 24), grayscale=True)
    assert {tuple(ds[i][0].shape) for i in range(len(ds))} == {(1, 20, 24)}


def test_an_int_size_makes_every_image_square(tmp_path):
    root = make_folder(tmp_path)
    write_image(root / "apple" / "wide.png", size=(30, 40))
    ds = image_folder(root, size=28)
    assert {tuple(ds[i][0].shape) for i in range(len(ds))} == {(3, 28, 28)}


def test_a_hidden_folder_such_as_ipynb_checkpoints_is_not_a_class(tmp_path):
    root = make_folder(tmp_path)
    (root / ".ipynb_checkpoints").mkdir()
    ds = image_folder(root)
    assert ds.classes == ["apple", "mango", "zebra"]


def test_gif_images_pass_the_checks_only_if_they_can_be_loaded(tmp_path):
    for name in ("a", "b"):
        image = Image.fromarray(np.zeros((28, 28), dtype=np.uint8))
        (tmp_path / name).mkdir()
        image.save(tmp_path / name / "0.gif")
    try:
        ds = image_folder(tmp_path)
    except ValueError:
        return                                           # refused clearly: fine as well
    assert len(ds) == 2


# --- image_folder refusals ------------------------------------------------------------------------------------

def test_a_missing_root(tmp_path):
    with pytest.raises(ValueError, match=r"missing is not a folder"):
        image_folder(tmp_path / "missing")
    write_image(tmp_path / "file.png")
    with pytest.raises(ValueError, match=r"file\.png is not a folder"):
        image_folder(tmp_path / "file.png")


def test_no_class_subfolders(tmp_path):
    write_image(tmp_path / "0.png")
    write_image(tmp_path / "1.png")
    (tmp_path / ".hidden").mkdir()
    with pytest.raises(ValueError, match=r"has no sub-folders: put each class's images in a folder of its own"):
        image_folder(tmp_path)


def test_no_images_anywhere(tmp_path):
    for name in ("cat", "dog"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "notes.txt").write_text("not an image")
    with pytest.raises(ValueError, match=r"has no images \(looked for \.jpg, .*\.png, .* in cat, dog\)"):
        image_folder(tmp_path)


def test_one_empty_class_folder(tmp_path):
    root = make_folder(tmp_path)
    (root / "kiwi").mkdir()
    with pytest.raises(ValueError, match=r"the class folder kiwi of .* has no images: add some, or remove the folder"):
        image_folder(root)
    (root / "lime").mkdir()
    with pytest.raises(ValueError, match=r"the class folders kiwi, lime of .* have no images"):
        image_folder(root)


def test_only_one_class(tmp_path):
    make_folder(tmp_path, classes=("cat",))
    with pytest.raises(ValueError, match=r"has one class \(cat\): a classifier needs at least two class folders"):
        image_folder(tmp_path)


def test_images_in_nested_folders_and_upper_case_extensions_count(tmp_path):
    write_image(tmp_path / "cat" / "2023" / "a.PNG")
    write_image(tmp_path / "dog" / "b.png")
    ds = image_folder(tmp_path)
    assert ds.classes == ["cat", "dog"] and len(ds) == 2
