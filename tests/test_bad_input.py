"""Bad input, one case at a time: each gets correct behaviour or one clear error that says
what to do, never a deep library traceback, a hang or silent wrong output.

- arguments: an unknown arch, out_indices / frozen_stages out of range;
- sizes: tiny and odd inputs through every backbone in train and eval, batch 1 in training;
- values: NaN or infinite inputs;
- checkpoints: truncated, empty, damaged, not a checkpoint, a Git LFS pointer, of another
  family (through init_cfg, load_from / --resume and a converter), for another class count;
- data: a missing data root, a grayscale image, a truncated JPEG inside a dataset (also
  through tools/train.py), images without annotations (detection and segmentation).
"""
import functools
import json
import os
import os.path as osp
import random
import shutil
import types

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmhybrid.models import HLG, FcaFormer, FcaFormerPlain, HybridFormer, MixFormer, TransXNet
from mmhybrid.utils import (CheckpointError, check_data_roots, read_checkpoint,
                            trusted_checkpoint_loading)
from tests.conftest import REPO, STAGED, run_python, write_toy_config


@functools.lru_cache(None)
def _model(name: str):
    """One model per backbone for the size and value cases (drop path on)."""
    return STAGED[name](drop_path_rate=0.1) if name in STAGED else FcaFormerPlain('l0')


CLASSES = {'TransXNet': TransXNet, 'FcaFormer': FcaFormer, 'MixFormer': MixFormer,
           'HybridFormer': HybridFormer, 'HLG': HLG, 'FcaFormerPlain': FcaFormerPlain}


# Arguments.
@pytest.mark.parametrize('name', sorted(CLASSES))
def test_unknown_arch_names_the_choices(name):
    with pytest.raises(ValueError, match=f"Unknown {name} arch 'nope': choose one of"):
        CLASSES[name]('nope')


@pytest.mark.parametrize('name', sorted(STAGED))
@pytest.mark.parametrize('kwargs,match', [
    (dict(out_indices=(4, )), 'out_indices'), (dict(out_indices=(-5, )), 'out_indices'),
    (dict(frozen_stages=4), r'frozen_stages must be in \[-1, 3\]'),
    (dict(frozen_stages=-2), r'frozen_stages must be in \[-1, 3\]')])
def test_out_of_range_stage_indices(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        STAGED[name](**kwargs)


# Sizes: every stage halves the map (the stem quarters it), rounding up, down to 1x1.
@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('hw', [(1, 1), (5, 7), (33, 45), (97, 131)])
@pytest.mark.parametrize('name', sorted(STAGED))
def test_tiny_and_odd_sizes(name, hw, mode):
    model = getattr(_model(name), mode)()
    with torch.set_grad_enabled(mode == 'train'):
        outs = model(torch.rand(2, 3, *hw))
    h, w = hw
    for i, out in enumerate(outs):
        h, w = -(-h // (4 if i == 0 else 2)), -(-w // (4 if i == 0 else 2))
        assert out.shape == (2, model.out_channels[i], h, w)
        assert torch.isfinite(out).all()
    if mode == 'train':
        sum(o.mean() for o in outs).backward()


def test_class_token_model_names_its_input_size():
    with pytest.raises(ValueError, match=r'FcaFormer-L0 is built for a 14x14 patch grid '
                       r'\(img_size\), got \(6, 8\)'):
        FcaFormerPlain('l0')(torch.rand(1, 3, 97, 131))


@pytest.mark.parametrize('name', [*sorted(STAGED), 'TransXNet, SyncBN in one process'])
def test_batch_of_one_trains(name):
    from mmengine.model import revert_sync_batchnorm
    if name in STAGED:
        model = _model(name).train()
    else:  # dense TransXNet configs use SyncBN, which mmengine reverts without DDP
        model = revert_sync_batchnorm(TransXNet('t', norm_cfg=dict(type='SyncBN'))).train()
    outs = model(torch.rand(1, 3, 64, 96))
    sum(o.sum() for o in outs).backward()
    assert all(torch.isfinite(o).all() for o in outs)


# Values.
@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
@pytest.mark.parametrize('name', sorted(CLASSES))
def test_non_finite_input_is_one_clear_error(name, bad):
    model = _model(name)
    x = torch.rand(2, 3, 224, 224) if name == 'FcaFormerPlain' else torch.rand(2, 3, 64, 64)
    x[1, 2, 5, 7] = bad
    for mode in ('train', 'eval'):
        getattr(model, mode)()
        with pytest.raises(ValueError, match=f'{name} got an input with 1 NaN or infinite '
                           'values .*data preprocessor'):
            model(x)


# Checkpoints.
def _damaged_files(tmp_path, good: str) -> dict:
    data = open(good, 'rb').read()
    middle = len(data) // 2
    files = {
        'truncated': data[:middle], 'empty': b'',
        'not a checkpoint': random.Random(0).randbytes(4096),
        # Garbage on which the unpickler raises IndexError and KeyError.
        'garbage one': random.Random(2).randbytes(4096),
        'garbage two': random.Random(20).randbytes(4096),
        'one byte flipped': data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:],
        'Git LFS pointer': b'version https://git-lfs.github.com/spec/v1\noid sha256:0\n'}
    paths = {}
    for kind, content in files.items():
        paths[kind] = str(tmp_path / f'{kind.replace(" ", "_")}.pth')
        with open(paths[kind], 'wb') as f:
            f.write(content)
    return paths


@pytest.fixture(scope='module')
def transxnet_checkpoint(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp('ckpt') / 'transxnet_t.pth')
    torch.manual_seed(0)
    model = TransXNet('t')
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in model.state_dict().items()},
                    meta=dict(epoch=1)), path)
    return path


def test_damaged_checkpoints_are_one_clear_error(tmp_path, transxnet_checkpoint):
    from mmengine.runner import load_checkpoint
    for kind, path in _damaged_files(tmp_path, transxnet_checkpoint).items():
        what = 'Git LFS pointer' if kind == 'Git LFS pointer' else 'not a readable checkpoint'
        with pytest.raises(CheckpointError, match=f'{path} is .*{what}'):
            read_checkpoint(path, map_location='cpu')
        # init_cfg Pretrained
        model = TransXNet('t', init_cfg=dict(type='Pretrained', checkpoint=path))
        with pytest.raises(CheckpointError, match=path):
            model.init_weights()
        # load_from / --resume: mmengine's loader inside the tools' loading context
        with trusted_checkpoint_loading(), pytest.raises(CheckpointError, match=path):
            load_checkpoint(TransXNet('t'), path, map_location='cpu')
    assert read_checkpoint(transxnet_checkpoint, map_location='cpu')['meta'] == dict(epoch=1)


def test_converter_reports_a_damaged_checkpoint_without_traceback(tmp_path,
                                                                  transxnet_checkpoint):
    broken = _damaged_files(tmp_path, transxnet_checkpoint)['truncated']
    proc = run_python([osp.join(REPO, 'tools', 'model_converters', 'transxnet2mmhybrid.py'),
                       broken, str(tmp_path / 'out.pth')], cwd=str(tmp_path), check=False)
    assert proc.returncode == 1
    assert f'error: {broken} is not a readable checkpoint' in proc.stdout
    assert 'Traceback' not in proc.stdout and not osp.exists(tmp_path / 'out.pth')


def test_checkpoint_of_another_family_is_one_clear_error(tmp_path):
    from mmhybrid.engine import AtomicCheckpointHook
    path = str(tmp_path / 'fcaformer.pth')
    torch.save(dict(state_dict={f'backbone.{k}': v
                                for k, v in FcaFormer('l1').state_dict().items()}), path)
    model = TransXNet('t', init_cfg=dict(type='Pretrained', checkpoint=path))
    with pytest.raises(CheckpointError, match=f'{path} does not fit TransXNet: only 0 of its '
                       r'\d+ tensors .*another model, family or arch'):
        model.init_weights()
    runner = types.SimpleNamespace(model=_classifier(10), cfg=Config(dict(load_from=path)),
                                   work_dir=str(tmp_path))
    with pytest.raises(CheckpointError, match=f'{path} .* does not fit ImageClassifier'):
        AtomicCheckpointHook().after_load_checkpoint(runner, torch.load(path))


def _classifier(num_classes: int):
    from mmpretrain.registry import MODELS
    return MODELS.build(dict(
        type='ImageClassifier', backbone=dict(type='mmhybrid.TransXNet', arch='t',
                                              out_type='avg_featmap'),
        head=dict(type='LinearClsHead', num_classes=num_classes, in_channels=1024)))


def test_checkpoint_for_another_class_count_loads_all_but_the_head(tmp_path):
    from mmengine.runner import load_checkpoint

    from mmhybrid.engine import AtomicCheckpointHook
    path = str(tmp_path / 'in1k.pth')
    torch.manual_seed(0)
    source = _classifier(1000)
    torch.save(dict(state_dict=source.state_dict()), path)
    target = _classifier(10)
    head = target.head.fc.weight.clone()
    runner = types.SimpleNamespace(model=target, cfg=Config(dict(load_from=path)),
                                   work_dir=str(tmp_path))
    AtomicCheckpointHook().after_load_checkpoint(runner, torch.load(path))  # it fits
    load_checkpoint(target, path, map_location='cpu')  # warns about the head's shape
    expected = source.state_dict()
    assert all(torch.equal(v, expected[k])
               for k, v in target.state_dict().items() if k.startswith('backbone.'))
    assert torch.equal(target.head.fc.weight, head)


# Data.
def test_missing_data_root_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'semfpn_transxnet_t_ade20k_80k.py'))
    with pytest.raises(FileNotFoundError, match="train data not found: ADE20KDataset expects "
                       "'data/ade/ADEChallengeData2016'.*make_toy_data.py"):
        check_data_roots(cfg, ('train', 'val'))


def _ade_copy(toy_workspace: str, tmp_path) -> str:
    """A copy of the toy workspace's ADE20K under ``tmp_path`` (data/toy/ade)."""
    src = osp.join(toy_workspace, 'data', 'toy', 'ade')
    shutil.copytree(src, tmp_path / 'data' / 'toy' / 'ade')
    return str(tmp_path / 'data' / 'toy' / 'ade' / 'ADEChallengeData2016')


def _ade_dataset(root: str, indices: int = None):
    from mmengine.registry import DefaultScope
    from mmseg.registry import DATASETS
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets', 'toy_ade20k.py'))
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(dict(type='ADE20KDataset', indices=indices,
                                   **dict(cfg.toy_ade20k_train, data_root=root)))


def test_grayscale_image_loads_as_three_channels(toy_workspace, tmp_path):
    import cv2
    root = _ade_copy(toy_workspace, tmp_path)
    dataset = _ade_dataset(root, indices=1)
    path = dataset.get_data_info(0)['img_path']
    cv2.imwrite(path, cv2.imread(path, cv2.IMREAD_GRAYSCALE))
    assert cv2.imread(path, cv2.IMREAD_UNCHANGED).ndim == 2
    inputs = dataset[0]['inputs']
    assert inputs.shape[0] == 3 and torch.equal(inputs[0], inputs[1])


def test_truncated_jpeg_in_a_dataset_names_the_file(toy_workspace, tmp_path):
    from mmengine.runner import Runner

    from mmhybrid.datasets.samplers import SampleLoadError
    root = _ade_copy(toy_workspace, tmp_path)
    dataset = _ade_dataset(root, indices=4)
    path = dataset.get_data_info(2)['img_path']
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    loader = Runner.build_dataloader(dict(
        dataset=dataset, batch_size=2, num_workers=0,
        sampler=dict(type='mmhybrid.SeededDefaultSampler', shuffle=False)), seed=0)
    with pytest.raises(SampleLoadError, match=f'ADE20KDataset sample 2 \\({path}\\) could not '
                       'be loaded .*failed to load image.*replace it'):
        list(loader)
    config = write_toy_config(str(tmp_path), 'semfpn_transxnet_t_ade20k_80k.py', 'ade20k')
    proc = run_python([osp.join(REPO, 'tools', 'train.py'), config, '--work-dir',
                       str(tmp_path / 'work'), '--cfg-options', 'train_dataloader.num_workers=2',
                       'train_dataloader.sampler.shuffle=False'], cwd=str(tmp_path),
                      check=False)
    assert proc.returncode == 1
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith('error: ADE20KDataset sample 2 (') and 'replace it' in last, last


def test_images_without_annotations(toy_workspace, tmp_path):
    """COCO: an image without instances is left out of training (mmdet's filter_empty_gt), kept
    and evaluated in testing, and trains to finite losses where a config keeps it. ADE20K: a
    label map that ignores every pixel trains to a finite (zero) loss."""
    from mmdet.registry import DATASETS, MODELS
    from mmdet.structures import DetDataSample
    from mmdet.utils import register_all_modules
    from mmengine.structures import InstanceData
    register_all_modules(False)
    coco = osp.join(toy_workspace, 'data', 'toy', 'coco')
    with open(osp.join(coco, 'annotations', 'instances_val2017.json')) as f:
        ann = json.load(f)
    keep = ann['images'][0]['id']
    ann['annotations'] = [a for a in ann['annotations'] if a['image_id'] != keep]
    ann_file = str(tmp_path / 'no_anns.json')
    with open(ann_file, 'w') as f:
        json.dump(ann, f)
    common = dict(type='CocoDataset', data_root=coco, ann_file=ann_file,
                  data_prefix=dict(img='val2017/'), pipeline=[])
    train = DATASETS.build(dict(common, filter_cfg=dict(filter_empty_gt=True)))
    test = DATASETS.build(dict(common, test_mode=True))
    assert keep not in [train.get_data_info(i)['img_id'] for i in range(len(train))]
    assert keep in [test.get_data_info(i)['img_id'] for i in range(len(test))]

    cfg = Config.fromfile(osp.join(REPO, 'configs', 'maskrcnn_transxnet_t_1x.py'))
    cfg.model.backbone.init_cfg = None
    detector = MODELS.build(cfg.model)
    sample = DetDataSample(metainfo=dict(img_shape=(64, 64), pad_shape=(64, 64),
                                         batch_input_shape=(64, 64), scale_factor=(1., 1.)))
    sample.gt_instances = InstanceData(bboxes=torch.zeros(0, 4),
                                       labels=torch.zeros(0, dtype=torch.long))
    from mmdet.structures.mask import BitmapMasks
    sample.gt_instances.masks = BitmapMasks(np.zeros((0, 64, 64), np.uint8), 64, 64)
    losses = detector.loss(torch.rand(1, 3, 64, 64), [sample])
    total = sum(v.sum() for k, v in losses.items() if 'loss' in k and torch.is_tensor(v))
    assert torch.isfinite(total)
    total.backward()

    from mmengine.structures import PixelData
    from mmseg.registry import MODELS as SEG_MODELS
    from mmseg.structures import SegDataSample
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'semfpn_transxnet_t_ade20k_80k.py'))
    cfg.model.backbone.init_cfg = None
    segmentor = SEG_MODELS.build(cfg.model)
    seg = SegDataSample(metainfo=dict(img_shape=(64, 64), pad_shape=(64, 64)))
    seg.gt_sem_seg = PixelData(data=torch.full((1, 64, 64), 255, dtype=torch.long))
    losses = segmentor.loss(torch.rand(1, 3, 64, 64), [seg])
    assert float(losses['decode.loss_ce']) == 0.0
    losses['decode.loss_ce'].backward()


class _RunsCode:
    """A pickled object whose unpickling would create the folder ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.makedirs, (self.marker, )


@pytest.mark.parametrize('tool', ['transxnet', 'fcaformer', 'hlg', 'mixformer', 'vit'])
def test_converters_refuse_a_pickle_that_runs_code(tmp_path, tool):
    marker, evil = str(tmp_path / 'ran'), str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict=dict(w=torch.zeros(1)), payload=_RunsCode(marker)), evil)
    proc = run_python([osp.join(REPO, 'tools', 'model_converters', f'{tool}2mmhybrid.py'),
                       evil, str(tmp_path / 'out.pth')], cwd=str(tmp_path), check=False)
    assert proc.returncode == 1 and 'holds more than tensors' in proc.stdout
    assert 'Traceback' not in proc.stdout and not osp.exists(marker)


def test_every_loading_path_refuses_a_pickle_that_runs_code(tmp_path):
    """read_checkpoint, init_cfg Pretrained, mmengine's loader (--resume, load_from,
    tools/test.py) in the tools' loading context, and the analysis tools' model loader."""
    import pickle

    from mmengine.runner import load_checkpoint

    from mmhybrid.analysis.model_info import load_model
    marker, evil = str(tmp_path / 'ran'), str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in TransXNet('t').state_dict()
                                .items()}, payload=_RunsCode(marker)), evil)
    refused = pytest.raises(pickle.UnpicklingError, match='GLOBAL os.makedirs')
    with refused:
        read_checkpoint(evil, map_location='cpu')
    with refused:
        TransXNet('t', init_cfg=dict(type='Pretrained', checkpoint=evil)).init_weights()
    with trusted_checkpoint_loading(), refused:
        load_checkpoint(TransXNet('t'), evil, map_location='cpu')
    with refused:
        load_model(osp.join(REPO, 'configs', 'cls_transxnet_t_in1k.py'), evil)
    assert not osp.exists(marker)
