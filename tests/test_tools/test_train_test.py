"""tools/train.py and tools/test.py on the toy datasets, as subprocesses, as a user runs them."""
import glob
import math
import os.path as osp
import re

import pytest
import torch

from mmhybrid.analysis.logs import load_scalars, series
from mmhybrid.utils import trusted_checkpoint_loading
from tests.conftest import REPO, run_python, write_toy_config

TRAIN = osp.join(REPO, 'tools', 'train.py')
TEST = osp.join(REPO, 'tools', 'test.py')


def _train_losses(work_dir: str):
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    assert logs, f'no training log in {work_dir}'
    train, _ = load_scalars(logs[-1])
    return series(train, 'loss')[1]


def _cfg_options(options):
    return ['--cfg-options', *options] if options else []


def _metric(output: str, name: str) -> float:
    match = re.findall(rf'{re.escape(name)}: (-?[\d.]+)', output)
    assert match, f'{name} not in the output:\n{output[-3000:]}'
    return float(match[-1])


# After 2 iterations, scores sit under the 0.05 test threshold (RetinaNet's 0.01 prior, an
# 81-way softmax): threshold 0. Cascade's 4conv heads on 1000 proposals x 3 stages are slow
# on a CPU: fewer proposals and RoIs. Model options apply to training and testing.
CASCADE_CPU = [
    'model.test_cfg.rcnn.score_thr=0.0', 'model.test_cfg.rpn.max_per_img=100',
    'model.train_cfg.rpn_proposal.max_per_img=100',
    *[f'model.train_cfg.rcnn.{i}.sampler.num=64' for i in range(3)]]


# The SETR-HLG head on the smallest HLG (the README pairs it with S/M/L only). Its Cityscapes
# config differs by the dataset (crop, classes) only, which the Semantic FPN and SETR-MLA runs
# cover (56 s saved).
HLG_T = ['model.backbone.arch=t', 'model.decode_head.in_channels=[64,128,256,512]',
         'model.auxiliary_head.in_channels=256']


# Also tested with --tta: each dataset's multi-scale + flip pipeline (scales shrunk to the toy
# images by write_toy_config).
TTA = {'retinanet_transxnet_t_1x.py', 'semfpn_transxnet_t_ade20k_80k.py',
       'semfpn_transxnet_t_cityscapes_80k.py'}


# Their training logs are also plotted (tools/analysis/analyze_logs.py).
CURVES = {'cls_transxnet_t_in1k.py', 'semfpn_hybridformer_s_ade20k_80k.py'}


def _check_curves(work_dir: str, metrics: list, cwd: str) -> None:
    from PIL import Image
    (log, ) = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    tool = osp.join(REPO, 'tools', 'analysis', 'analyze_logs.py')
    png = osp.join(work_dir, 'curves.png')
    out = run_python([tool, 'plot_curve', log, '--keys', 'loss', 'lr', *metrics, '--out', png],
                     cwd=cwd).stdout
    assert f'plotted loss, lr, {", ".join(metrics)} of 1 log(s) to {png}' in out, out
    assert Image.open(png).size[1] == 300 * (2 + len(metrics))  # 3-inch panels, 100 dpi
    out = run_python([tool, 'cal_train_time', log], cwd=cwd).stdout
    assert re.search(r's/iter on average, slowest record [\d.]+ s', out), out


# Trained with --amp (bfloat16 autocast on a CPU): one config of each family, mostly the
# classifiers: CPUs without AVX512-BF16 run bf16 convolutions in oneDNN's reference kernels,
# where UperNet's 512-channel head took 96 s an iteration (3.5 s in float32).
AMP = {'cls_transxnet_t_in1k.py', 'cls_fcaformer_l0_in1k.py', 'cls_mixformer_b0_in1k.py',
       'semfpn_hybridformer_s_ade20k_80k.py', 'cls_hlg_t_in1k.py'}


@pytest.mark.parametrize('leaf,dataset,ckpt,metrics,options', [
    ('maskrcnn_transxnet_t_1x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP', 'coco/segm_mAP'],
     ['model.test_cfg.rcnn.score_thr=0.0']),
    ('retinanet_transxnet_t_1x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP'],
     ['model.test_cfg.score_thr=0.0']),
    ('cascade-maskrcnn_transxnet_t_1x.py', 'coco', 'epoch_1.pth',
     ['coco/bbox_mAP', 'coco/segm_mAP'], CASCADE_CPU),
    ('semfpn_transxnet_t_ade20k_80k.py', 'ade20k', 'iter_2.pth', ['mIoU'], []),
    ('cls_transxnet_t_in1k.py', 'imagenet', 'epoch_1.pth', ['accuracy/top1'], []),
    ('maskrcnn_fcaformer_l1_3x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP', 'coco/segm_mAP'],
     ['model.test_cfg.rcnn.score_thr=0.0']),
    ('upernet_fcaformer_l1_ade20k_160k.py', 'ade20k', 'iter_2.pth', ['mIoU'], []),
    ('cls_fcaformer_l0_in1k.py', 'imagenet', 'epoch_1.pth', ['accuracy/top1'], []),
    ('maskrcnn_mixformer_b1_3x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP', 'coco/segm_mAP'],
     ['model.test_cfg.rcnn.score_thr=0.0']),
    ('upernet_mixformer_b1_ade20k_160k.py', 'ade20k', 'iter_2.pth', ['mIoU'], []),
    ('cls_mixformer_b0_in1k.py', 'imagenet', 'epoch_1.pth', ['accuracy/top1'], []),
    ('maskrcnn_hybridformer_s_1x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP', 'coco/segm_mAP'],
     ['model.test_cfg.rcnn.score_thr=0.0']),
    ('semfpn_hybridformer_s_ade20k_80k.py', 'ade20k', 'iter_2.pth', ['mIoU'], []),
    ('cls_hlg_t_in1k.py', 'imagenet', 'epoch_1.pth', ['accuracy/top1'], []),
    ('retinanet_hlg_t_1x.py', 'coco', 'epoch_1.pth', ['coco/bbox_mAP'],
     ['model.test_cfg.score_thr=0.0']),
    ('setr-hlg_hlg_s_ade20k_160k.py', 'ade20k', 'iter_2.pth', ['mIoU'], HLG_T),
    ('semfpn_transxnet_t_cityscapes_80k.py', 'cityscapes', 'iter_2.pth',
     ['averageScoreCategories'],
     ['test_evaluator.type=CityscapesMetric', 'test_evaluator.output_dir=cityscapes_eval']),
])
def test_train_then_test(toy_workspace, tmp_path, leaf, dataset, ckpt, metrics, options):
    config = write_toy_config(str(tmp_path), leaf, dataset)
    work_dir = str(tmp_path / 'work')
    model_options = [o for o in options if o.startswith('model.')]
    amp = ['--amp'] if leaf in AMP else []
    out = run_python([TRAIN, config, '--work-dir', work_dir, *amp, *_cfg_options(model_options)],
                     cwd=toy_workspace).stdout
    assert ("type='mmhybrid.AutocastOptimWrapper'" in out) == bool(amp)
    losses = _train_losses(work_dir)
    assert len(losses) == 2 and all(math.isfinite(v) and v > 0 for v in losses)
    if leaf in CURVES:
        _check_curves(work_dir, metrics, toy_workspace)
    out = run_python([TEST, config, osp.join(work_dir, ckpt), '--work-dir', work_dir,
                      *_cfg_options(options)], cwd=toy_workspace).stdout
    for name in metrics:
        assert 0.0 <= _metric(out, name) <= 100.0
    if leaf in TTA:
        out = run_python([TEST, config, osp.join(work_dir, ckpt), '--work-dir', work_dir,
                          '--tta', *_cfg_options(options)], cwd=toy_workspace).stdout
        assert re.search(r"type='(Det|Seg)TTAModel'", out)
        for name in metrics:
            assert 0.0 <= _metric(out, name) <= 100.0


@pytest.mark.parametrize('head,aux,encoder,dataset', [
    ('naive', 3, 'vit-b', 'ade20k_160k'), ('pup', 4, 'vit-b', 'ade20k_160k'),
    ('mla', 4, 'vit-b', 'ade20k_160k'), ('mla', 4, 'deit-b', 'cityscapes_40k'),
    ('pup', 4, 'deit-b', 'pascal-context_80k')])
def test_setr_heads_train_and_validate(toy_workspace, tmp_path, head, aux, encoder, dataset):
    """Every SETR decoder with all its auxiliary heads trains 2 iterations and is validated
    (mIoU) on toy data, and each dataset once; T-Base's 12 layers at width 96 keep it fast on
    a CPU. Pascal Context is also tested with SETR's multi-scale protocol (--tta)."""
    toy = dataset.split('_')[0].replace('-', '_')
    config = write_toy_config(str(tmp_path), f'setr-{head}_{encoder}_{dataset}.py', toy)
    work_dir = str(tmp_path / 'work')
    narrow = ['model.backbone.embed_dims=96', 'model.backbone.num_heads=3']
    if head == 'mla':
        narrow.append('model.neck.in_channels=[96,96,96,96]')
    else:
        narrow += ['model.decode_head.in_channels=96',
                   *[f'model.auxiliary_head.{i}.in_channels=96' for i in range(aux)]]
    out = run_python([TRAIN, config, '--work-dir', work_dir, '--cfg-options', *narrow],
                     cwd=toy_workspace).stdout
    losses = _train_losses(work_dir)
    assert len(losses) == 2 and all(math.isfinite(v) and v > 0 for v in losses)
    assert f'aux_{aux - 1}.loss_ce' in out and f'aux_{aux}.loss_ce' not in out
    assert 0.0 <= _metric(out, 'mIoU') <= 100.0
    if toy == 'pascal_context':
        out = run_python([TEST, config, osp.join(work_dir, 'iter_2.pth'), '--work-dir',
                          work_dir, '--tta', '--cfg-options', *narrow], cwd=toy_workspace).stdout
        assert "type='mmhybrid.SETRMultiScaleResize'" in out
        assert 0.0 <= _metric(out, 'mIoU') <= 100.0


def test_missing_data_root_fails_clearly(tmp_path):
    proc = run_python([TRAIN, osp.join(REPO, 'configs', 'maskrcnn_transxnet_t_1x.py')],
                      cwd=str(tmp_path), check=False)
    assert proc.returncode != 0
    assert "train data not found: CocoDataset expects 'data/coco/'" in proc.stdout
    assert 'make_toy_data.py' in proc.stdout


def test_pretrain_then_dense(toy_workspace, tmp_path):
    """MixFormer has no released weights: the dense configs start from the checkpoint the
    cls_ config writes (which is also tested). Without it, training stops at once and says
    what to run; with it, every backbone tensor the two models share is loaded."""
    dense = write_toy_config(str(tmp_path), 'semfpn_mixformer_b1_ade20k_80k.py', 'ade20k',
                             keep_init=True)
    proc = run_python([TRAIN, dense, '--work-dir', str(tmp_path / 'missing')],
                      cwd=toy_workspace, check=False)
    assert proc.returncode != 0
    assert "the pretrained checkpoint 'checkpoints/mixformer_b1_in1k.pth' does not exist" \
        in proc.stdout
    assert 'configs/cls_mixformer_b1_in1k.py' in proc.stdout
    assert 'model.backbone.init_cfg=None' in proc.stdout
    assert not osp.exists(tmp_path / 'missing' / 'iter_2.pth')

    cls_dir = str(tmp_path / 'cls')
    cls_config = write_toy_config(str(tmp_path), 'cls_mixformer_b1_in1k.py', 'imagenet')
    run_python([TRAIN, cls_config, '--work-dir', cls_dir], cwd=toy_workspace)
    ckpt = osp.join(cls_dir, 'epoch_1.pth')
    out = run_python([TEST, cls_config, ckpt, '--work-dir', cls_dir], cwd=toy_workspace).stdout
    assert 0.0 <= _metric(out, 'accuracy/top1') <= 100.0
    out = run_python([TRAIN, dense, '--work-dir', str(tmp_path / 'dense'), '--cfg-options',
                      f'model.backbone.init_cfg.checkpoint={ckpt}'], cwd=toy_workspace).stdout
    with trusted_checkpoint_loading():
        state = torch.load(ckpt, weights_only=True)['state_dict']
    backbone_keys = [k for k in state if k.startswith('backbone.')]
    # The classifier-only layers (final norm and projection to 1280) are reported, not loaded;
    # the dense model's four output norms are new.
    unused = sorted(k for k in backbone_keys if k.startswith(('backbone.last_proj.',
                                                              'backbone.norm.')))
    assert f'MixFormer: loaded {len(backbone_keys) - len(unused)} tensors from {ckpt}' in out
    assert re.search(r"unexpected keys in \S+: \['norm.weight', 'norm.bias', "
                     r"'last_proj.weight', 'last_proj.bias'\]", out)
    assert re.search(r"missing keys in \S+: \['norm0.weight', 'norm0.bias', 'norm1.weight', "
                     r"'norm1.bias', 'norm2.weight', 'norm2.bias', 'norm3.weight', "
                     r"'norm3.bias'\]", out)
    assert len(_train_losses(str(tmp_path / 'dense'))) == 2


@pytest.mark.timeout(600)
def test_compile_option_trains_like_eager(toy_workspace, tmp_path):
    """The runner's compile option (mmengine's own fails in the optimizer step) compiles the
    backbone in place: the losses are those of the eager run."""
    config = write_toy_config(str(tmp_path), 'cls_fcaformer_l0_in1k.py', 'imagenet')
    same = ['randomness.seed=0', 'model.backbone.drop_path_rate=0.0']
    losses = {}
    for name, options in (('eager', []), ('compiled', ['compile.backend=aot_eager'])):
        work_dir = str(tmp_path / name)
        out = run_python([TRAIN, config, '--work-dir', work_dir, '--cfg-options', *same,
                          *options], cwd=toy_workspace).stdout
        losses[name] = _train_losses(work_dir)
    assert "torch.compile(backend='aot_eager') of backbone" in out
    assert len(losses['eager']) == 2
    assert losses['compiled'] == pytest.approx(losses['eager'], abs=1e-4)
