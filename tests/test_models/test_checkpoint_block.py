import pytest
import torch
import torch.nn as nn
import torch.utils.checkpoint as cp

from mmhybrid.models.utils import checkpoint_block


@pytest.mark.parametrize('momentum', [0.1, None])
def test_recomputation_leaves_batchnorm_statistics_alone(momentum):
    """Exponential and cumulative (momentum=None) running averages alike; torch's own
    checkpoint updates them a second time during backward."""
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5, 5, requires_grad=True)
    plain, ours, torchs = (
        nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4, momentum=momentum)) for _ in range(3))
    ours.load_state_dict(plain.state_dict())
    torchs.load_state_dict(plain.state_dict())
    plain(x).sum().backward()
    checkpoint_block(ours, x).sum().backward()
    cp.checkpoint(torchs, x, use_reentrant=False).sum().backward()
    for key, value in plain.state_dict().items():
        assert torch.equal(ours.state_dict()[key], value), key
    assert torchs[1].num_batches_tracked.item() == 2
    assert ours[1].momentum == momentum
