"""The depthwise convolution with the faster backward gives torch's outputs and gradients."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmhybrid.models.layers import DepthwiseConv2d, depthwise_conv2d
from mmhybrid.models.layers.depthwise import _DepthwiseConv2dFunction
from tests.conftest import STAGED


@pytest.mark.parametrize('shape,kernel,padding', [
    ((2, 8, 9, 13), 7, 3), ((3, 5, 6, 6), 3, 1), ((1, 4, 5, 7), 1, 0), ((2, 6, 8, 8), 5, 1),
    ((1, 3, 1, 1), 3, 1), ((2, 3, 4, 4), 5, 2)])
def test_backward_equals_torch(shape, kernel, padding):
    """The two-convolution backward gives torch's gradients (any kernel it is given)."""
    torch.manual_seed(0)
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    w = torch.randn(shape[1], 1, kernel, kernel, dtype=torch.float64, requires_grad=True)
    b = torch.randn(shape[1], dtype=torch.float64, requires_grad=True)
    ref = F.conv2d(x, w, b, padding=padding, groups=shape[1])
    out = _DepthwiseConv2dFunction.apply(x, w, b, (padding, padding))
    torch.testing.assert_close(out, ref)
    g = torch.randn_like(ref)
    for ours, theirs in zip(torch.autograd.grad(out, (x, w, b), g),
                            torch.autograd.grad(ref, (x, w, b), g)):
        torch.testing.assert_close(ours, theirs)
    assert torch.autograd.gradcheck(
        lambda *t: _DepthwiseConv2dFunction.apply(*t, (padding, padding)),
        (x[:1, :2, :4, :4].detach().requires_grad_(), w[:2].detach().requires_grad_(),
         b[:2].detach().requires_grad_()))


@pytest.mark.parametrize('kernel,padding,backward', [
    (7, 3, '_DepthwiseConv2dFunctionBackward'), (5, 1, '_DepthwiseConv2dFunctionBackward'),
    (3, 1, 'ConvolutionBackward0'), (1, 0, 'AddBackward0'), (1, 1, 'ConvolutionBackward0')])
def test_each_kernel_takes_its_faster_path(kernel, padding, backward):
    """Kernels above 3x3 take the two-convolution backward, 3x3 torch's, 1x1 elementwise
    ops (without padding); all give torch's outputs and gradients, and a traced graph has
    the convolution."""
    torch.manual_seed(0)
    x = torch.randn(2, 4, 6, 7, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 1, kernel, kernel, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, requires_grad=True)
    out = depthwise_conv2d(x, w, b, (padding, padding))
    ref = F.conv2d(x, w, b, padding=padding, groups=4)
    assert type(out.grad_fn).__name__ == backward
    torch.testing.assert_close(out, ref)
    g = torch.randn_like(ref)
    for ours, theirs in zip(torch.autograd.grad(out, (x, w, b), g),
                            torch.autograd.grad(ref, (x, w, b), g)):
        torch.testing.assert_close(ours, theirs)
    with torch.no_grad():
        torch.testing.assert_close(depthwise_conv2d(x, w, None, (padding, padding)),
                                   F.conv2d(x, w, padding=padding, groups=4))
    w, b = w.detach(), b.detach()
    graph = torch.jit.trace(lambda t: depthwise_conv2d(t, w, b, (padding, padding)),
                            x.detach()).graph
    assert 'aten::_convolution' in str(graph)


def test_module_is_a_drop_in_conv2d():
    torch.manual_seed(0)
    conv = DepthwiseConv2d(6, 6, 7, padding=3, groups=6)
    plain = nn.Conv2d(6, 6, 7, padding=3, groups=6)
    plain.load_state_dict(conv.state_dict())
    assert list(conv.state_dict()) == ['weight', 'bias']
    x = torch.randn(2, 6, 11, 9).contiguous(memory_format=torch.channels_last)
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    conv(x1).square().sum().backward()
    plain(x2).square().sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)
    torch.testing.assert_close(conv.weight.grad, plain.weight.grad)
    torch.testing.assert_close(conv.bias.grad, plain.bias.grad)
    # Other forms (strided, not depthwise) are plain nn.Conv2d.
    assert not DepthwiseConv2d(6, 6, 3, stride=2, padding=1, groups=6)._fast
    assert not DepthwiseConv2d(6, 12, 3, padding=1)._fast
    # bfloat16 autocast: gradients come back in the parameters' and inputs' dtype.
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y = conv(x1)
    assert y.dtype == torch.bfloat16
    conv.zero_grad()
    y.float().sum().backward()
    assert conv.weight.grad.dtype == torch.float32 and x1.grad.dtype == torch.float32
    # The 1x1 kernel's elementwise form gives the dtype autocast gives the convolution.
    pointwise = DepthwiseConv2d(6, 6, 1, groups=6)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y = pointwise(x1)
        assert y.dtype == nn.Conv2d.forward(pointwise, x1).dtype == torch.bfloat16


@pytest.mark.parametrize('name', sorted(STAGED))
def test_backbone_gradients_equal_the_plain_path(name, monkeypatch):
    """A training step of every family gives the same outputs and gradients as with plain
    ``F.conv2d`` for its depthwise convs (in float64, where summation order does not show)."""
    torch.manual_seed(0)
    model = STAGED[name](drop_path_rate=0.).double()
    x = torch.randn(2, 3, 64, 96, dtype=torch.float64)

    def grads():
        torch.manual_seed(1)
        model.zero_grad()
        outs = model(x)
        sum((o * torch.randn_like(o)).sum() for o in outs).backward()
        return [o.detach() for o in outs], {
            n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}

    targets = ['mmhybrid.models.layers.depthwise.depthwise_conv2d',
               'mmhybrid.models.backbones.transxnet.depthwise_conv2d']
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return depthwise_conv2d(*args, **kwargs)

    def plain(x, weight, bias=None, padding=(0, 0)):
        return F.conv2d(x, weight, bias, padding=padding, groups=x.shape[1])

    for target in targets:
        monkeypatch.setattr(target, counted)
    fast_outs, fast = grads()
    assert calls, 'the backbone has no depthwise conv of mmhybrid'
    for target in targets:
        monkeypatch.setattr(target, plain)
    plain_outs, plain = grads()
    for a, b in zip(fast_outs, plain_outs):
        torch.testing.assert_close(a, b)
    assert fast.keys() == plain.keys()
    for key in fast:
        torch.testing.assert_close(fast[key], plain[key], rtol=1e-9, atol=1e-9, msg=key)
