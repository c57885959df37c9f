"""lablib.resnet: BasicBlock and SmallResNet: shapes, the residual identity, the parameter count, refusals."""
import pytest
import torch
from torch import nn

from lablib.resnet import BasicBlock, SmallResNet, count_parameters


def images(n=2, channels=1, side=28, seed=0):
    return torch.randn(n, channels, side, side, generator=torch.Generator().manual_seed(seed))


# --- shapes ---------------------------------------------------------------------------------------------------

def test_output_shapes_for_grey_and_colour_images():
    torch.manual_seed(0)
    assert SmallResNet(width=4)(images(3)).shape == (3, 10)
    colour = SmallResNet(in_channels=3, num_classes=7, width=4)
    assert colour(images(2, channels=3, side=32)).shape == (2, 7)
    assert colour.stem[0].in_channels == 3 and colour.head[-1].out_features == 7


def test_flat_rows_of_784_pixels_are_read_as_28x28_images():
    torch.manual_seed(0)
    model = SmallResNet(width=4).eval()
    X = images(4)
    flat = X.reshape(4, 784)
    assert torch.equal(model(flat), model(X))


def test_the_stages_keep_then_halve_the_image():
    torch.manual_seed(0)
    model = SmallResNet(width=4)
    shapes = []
    for block in model.stages:
        block.register_forward_hook(lambda mod, inp, out: shapes.append(tuple(out.shape)))
    model(images(2))
    assert shapes == [(2, 4, 28, 28), (2, 8, 14, 14), (2, 16, 7, 7)]


@pytest.mark.parametrize("side, half", [(28, 14), (14, 7), (7, 4)])
def test_a_stride_2_block_halves_height_and_width(side, half):
    block = BasicBlock(4, 8, stride=2)
    assert block(images(2, channels=4, side=side)).shape == (2, 8, half, half)
    assert BasicBlock(4, 4)(images(2, channels=4, side=side)).shape == (2, 4, side, side)


# --- the shortcut -------------------------------------------------------------------------------------------------

def test_the_shortcut_is_the_identity_when_shapes_match():
    assert isinstance(BasicBlock(8, 8).shortcut, nn.Identity)
    assert isinstance(BasicBlock(8, 8, stride=1, dropout=0.3).shortcut, nn.Identity)


@pytest.mark.parametrize("cin, cout, stride", [(8, 16, 2), (8, 16, 1), (8, 8, 2)])
def test_the_shortcut_is_a_1x1_convolution_with_batch_norm_otherwise(cin, cout, stride):
    shortcut = BasicBlock(cin, cout, stride).shortcut
    assert isinstance(shortcut, nn.Sequential) and len(shortcut) == 2
    conv, bn = shortcut
    assert isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)
    assert conv.kernel_size == (1, 1) and conv.stride == (stride, stride) and conv.bias is None
    assert (conv.in_channels, conv.out_channels, bn.num_features) == (cin, cout, cout)


def test_a_block_whose_residual_is_zero_returns_relu_of_its_input():
    torch.manual_seed(0)
    block = BasicBlock(4, 4)
    with torch.no_grad():
        block.bn2.weight.zero_()
        block.bn2.bias.zero_()
    x = images(3, channels=4, side=9)
    block.eval()
    assert torch.equal(block(x), x.relu())
    block.train()                                   # batch statistics: still BN(...) * 0 + 0 = 0
    assert torch.equal(block(x), x.relu())
    # with a projection shortcut the block is relu(S(x))
    down = BasicBlock(4, 8, stride=2).eval()
    with torch.no_grad():
        down.bn2.weight.zero_()
        down.bn2.bias.zero_()
    assert torch.equal(down(x), down.shortcut(x).relu())


def test_a_block_adds_its_input_to_the_residual():
    torch.manual_seed(0)
    block = BasicBlock(4, 4, dropout=0.5).eval()
    x = images(2, channels=4, side=6)
    residual = block.bn2(block.conv2(block.bn1(block.conv1(x)).relu()))   # dropout is off in eval mode
    assert torch.equal(block(x), (residual + x).relu())


def test_gradients_reach_the_stem():
    torch.manual_seed(0)
    model = SmallResNet(width=4, blocks=(2, 2, 2))
    loss = nn.functional.cross_entropy(model(images(4)), torch.tensor([0, 1, 2, 3]))
    loss.backward()
    stem_grad = model.stem[0].weight.grad
    assert stem_grad is not None and torch.isfinite(stem_grad).all() and stem_grad.abs().sum() > 0
    assert all(p.grad is not None for p in model.parameters())


# --- size -------------------------------------------------------------------------------------------------------------

def hand_count(width, blocks=(1, 1, 1), in_channels=1, num_classes=10):
    """Trainable weights of SmallResNet counted by hand: convolutions without bias, BN = 2 per channel."""
    conv3 = lambda cin, cout: 9 * cin * cout          # noqa: E731
    bn = lambda c: 2 * c                              # noqa: E731
    total = conv3(in_channels, width) + bn(width)     # stem
    channels = width
    for stage, n in enumerate(blocks):
        out = width * 2 ** stage
        for i in range(n):
            total += conv3(channels, out) + bn(out) + conv3(out, out) + bn(out)
            if channels != out or (stage > 0 and i == 0):
                total += channels * out + bn(out)     # 1x1 projection shortcut
            channels = out
    return total + channels * num_classes + num_classes


def test_parameter_count_matches_a_hand_count():
    # width 8: stem 72+16; stage 1: 576+16+576+16; stage 2: 1152+32+2304+32 + 128+32;
    # stage 3: 4608+64+9216+64 + 512+64; head 32*10+10
    assert hand_count(8) == 88 + 1184 + 3680 + 14528 + 330 == 19810
    assert count_parameters(SmallResNet(width=8)) == 19810
    assert count_parameters(SmallResNet(width=4, blocks=(2, 1, 3), in_channels=3, num_classes=5)) == \
        hand_count(4, (2, 1, 3), in_channels=3, num_classes=5)
    assert count_parameters(nn.Linear(784, 10)) == 7850


def test_count_parameters_skips_frozen_weights():
    model = SmallResNet(width=4)
    for p in model.stem.parameters():
        p.requires_grad_(False)
    assert count_parameters(model) == hand_count(4) - (9 * 4 + 2 * 4)


def test_more_blocks_per_stage_make_a_deeper_network():
    shallow, deep = SmallResNet(width=4), SmallResNet(width=4, blocks=(2, 2, 2))
    assert len(shallow.stages) == 3 and len(deep.stages) == 6
    assert all(isinstance(b, BasicBlock) for b in deep.stages)
    strides = [b.conv1.stride[0] for b in deep.stages]
    assert strides == [1, 1, 2, 1, 2, 1]
    # only the first block of a stage changes shape; the second ones have identity shortcuts
    assert [isinstance(b.shortcut, nn.Identity) for b in deep.stages] == [True, True, False, True, False, True]
    assert count_parameters(deep) == hand_count(4, (2, 2, 2)) > count_parameters(shallow)
    assert deep(images(2)).shape == (2, 10)


def test_dropout_goes_into_every_block_and_the_head():
    plain, dropped = SmallResNet(width=4), SmallResNet(width=4, dropout=0.25)
    assert not any(isinstance(m, nn.Dropout) for m in plain.modules())
    drops = [m for m in dropped.modules() if isinstance(m, nn.Dropout)]
    assert len(drops) == 3 + 1 and all(d.p == 0.25 for d in drops)
    assert count_parameters(plain) == count_parameters(dropped)


def test_extra_repr_shows_the_configuration():
    model = SmallResNet(in_channels=3, num_classes=5, width=4, blocks=(1, 2, 1), dropout=0.1)
    assert model.extra_repr() == "in_channels=3, num_classes=5, width=4, blocks=(1, 2, 1), dropout=0.1"
    assert repr(model).startswith("SmallResNet(\n  in_channels=3, num_classes=5, width=4, blocks=(1, 2, 1), dropout=0.1\n")
    assert model.config == {"in_channels": 3, "num_classes": 5, "width": 4, "blocks": (1, 2, 1), "dropout": 0.1}
    assert SmallResNet(blocks=[1, 1, 1]).config["blocks"] == (1, 1, 1)


# --- refusals -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"width": 0}, r"width must be a positive integer, got 0"),
    ({"width": 2.5}, r"width must be a positive integer"),
    ({"blocks": (1, 1)}, r"blocks must give the number of residual blocks of each of the 3 stages, got \(1, 1\)"),
    ({"blocks": (1, 1, 1, 1)}, r"3 stages"),
    ({"blocks": (1, 0, 1)}, r"blocks per stage must be a positive integer, got 0"),
    ({"dropout": 1.0}, r"dropout must be a probability in \[0, 1\), got 1.0"),
    ({"dropout": -0.1}, r"dropout must be a probability in \[0, 1\)"),
    ({"dropout": float("nan")}, r"dropout must be a probability"),
    ({"num_classes": 1}, r"num_classes must be an integer of at least 2, got 1"),
    ({"in_channels": 0}, r"in_channels must be a positive integer"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SmallResNet(**kwargs)
