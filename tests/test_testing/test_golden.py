import pytest
import torch

from mmhybrid.testing.golden import compact, max_error
from mmhybrid.testing.seeded import seeded_input, seeded_state, seeded_tensor
from tests.conftest import load_golden


def test_small_outputs_are_stored_whole():
    t = torch.randn(2, 1000)
    assert torch.equal(compact(t), t)


def test_compact_reference_catches_errors_above_tolerance():
    t = torch.randn(1, 48, 56, 56)
    ref = compact(t)
    assert isinstance(ref, dict) and len(ref['values']) == 4096
    assert max_error(t + 5e-5, ref) <= 1e-4
    assert max_error(t + 2e-4, ref) > 1e-4  # a shift of every element moves the mean
    assert max_error(t * 1.01, ref) > 1e-4  # a rescale moves the RMS
    wrong = t.clone().reshape(-1)
    wrong[ref['index'][7].long()] += 1e-3  # one sampled element
    assert max_error(wrong.reshape(t.shape), ref) > 1e-4
    with pytest.raises(AssertionError, match='shape'):
        max_error(t[..., :55], ref)


def test_seeded_weights_follow_the_documented_rule():
    assert torch.equal(seeded_tensor('a.weight', (4, 3), 0), seeded_tensor('a.weight', (4, 3), 0))
    assert not torch.equal(seeded_tensor('a.weight', (4, 3), 0),
                           seeded_tensor('a.weight', (4, 3), 1))
    var = seeded_tensor('bn.running_var', (1000, ), 0)
    assert var.min() >= 0.5 and var.max() <= 1.5
    assert seeded_tensor('fc.weight', (64, 256), 0).std().item() == \
        pytest.approx(0.5 / 16, rel=0.05)
    state = seeded_state([dict(key='x.weight', shape=[2], dtype='float32'),
                          dict(key='bn.num_batches_tracked', shape=[], dtype='int64')])
    assert list(state) == ['x.weight']
    assert torch.equal(seeded_input((2, 3), 5), seeded_input((2, 3), 5))


@pytest.mark.parametrize('name', ['transxnet_t.pt', 'fcaformer_l2.pt', 'mixformer_b0.pt'])
def test_golden_files_load_without_pickled_code(name):
    g = load_golden(name)  # weights_only: plain tensors, lists and dicts
    assert g['seed'] == 0 and g['entries_cls'] and g['inputs']
