import os.path as osp

import pytest
import torch

from mmhybrid.converters.transxnet import convert_transxnet, detect_arch
from mmhybrid.models import TransXNet
from tests.conftest import REPO, load_golden, run_python


@pytest.fixture(scope='module')
def entries():
    g = load_golden('transxnet_t.pt')
    return g['entries_cls'], g['entries_dense']


def _zeros(entries, prefix=''):
    return {prefix + e['key']: torch.zeros(e['shape']) for e in entries}


def test_classification_checkpoint_maps_every_key(entries):
    converted = convert_transxnet(_zeros(entries[0]))
    assert converted['head.fc.weight'].shape == (1000, 448)
    backbone = {k[9:] for k in converted if k.startswith('backbone.')}
    assert backbone == set(TransXNet('t', out_indices=(3, )).state_dict())


def test_mmdet_checkpoint_keeps_neck_and_heads(entries):
    state = _zeros(entries[1], 'backbone.')
    state['neck.fpn_convs.0.conv.weight'] = torch.zeros(256, 256, 3, 3)
    state['roi_head.bbox_head.fc_cls.weight'] = torch.zeros(81, 1024)
    converted = convert_transxnet(state)
    assert 'neck.fpn_convs.0.conv.weight' in converted
    assert 'roi_head.bbox_head.fc_cls.weight' in converted
    backbone = {k[9:] for k in converted if k.startswith('backbone.')}
    assert backbone == set(TransXNet('t').state_dict())
    assert 'backbone.norm1.weight' in converted and 'backbone.norm2.bias' in converted


def test_converted_checkpoints_pass_through(entries):
    converted = convert_transxnet(_zeros(entries[0]))
    assert convert_transxnet(converted).keys() == converted.keys()


def test_unknown_official_keys_are_reported(entries):
    state = _zeros(entries[0])
    state['network.1.extra.weight'] = torch.zeros(1)
    with pytest.raises(KeyError, match='network.1.extra.weight'):
        convert_transxnet(state)


def test_detect_arch(entries):
    assert detect_arch(_zeros(entries[0])) == ('t', 224)


def test_pretrained_init_cfg_loads_an_official_file(entries, tmp_path):
    """init_cfg Pretrained pointing at an official checkpoint converts on the fly."""
    state = {k: torch.randn(v.shape) if v.is_floating_point() else v
             for k, v in _zeros(entries[1]).items()}
    path = str(tmp_path / 'official.pth')
    torch.save(dict(state_dict=state), path)
    model = TransXNet('t', init_cfg=dict(type='Pretrained', checkpoint=path))
    model.init_weights()
    assert torch.equal(model.stages[2][1].mlp.fc1[0].weight,
                       state['network.4.1.mlp.fc1.0.weight'])
    assert torch.equal(model.norm1.weight, state['norm2.weight'])


def test_tool_converts_and_reports(entries, tmp_path):
    src, dst = str(tmp_path / 'transx-t.pth.tar'), str(tmp_path / 'out.pth')
    torch.save(dict(state_dict=_zeros(entries[0])), src)
    out = run_python([osp.join(REPO, 'tools/model_converters/transxnet2mmhybrid.py'), src, dst],
                     cwd=str(tmp_path)).stdout
    assert 'TransXNet-T (position biases for 224x224)' in out and 'missing' not in out
    saved = torch.load(dst)['state_dict']
    assert 'backbone.norm3.weight' in saved and 'head.fc.bias' in saved
    partial = _zeros(entries[0])
    partial.pop('network.6.2.mlp.fc2.0.weight')
    torch.save(partial, src)
    proc = run_python([osp.join(REPO, 'tools/model_converters/transxnet2mmhybrid.py'), src, dst,
                       '--strict'], cwd=str(tmp_path), check=False)
    assert proc.returncode != 0 and 'stages.3.2.mlp.fc2.0.weight' in proc.stdout
