"""Build the model of any mmhybrid config and run it on a synthetic input: what the analysis
tools (FLOPs, benchmark) share. No dataset is needed."""
import os.path as osp
from typing import Callable, Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import DefaultScope

from .complexity import count_flops, count_flops_module_hooks
from .paper_flops import mixformer_readme_flops

# Input (H, W) the papers report FLOPs at, per task.
DEFAULT_SHAPES = {'cls': (224, 224), 'det': (800, 1280), 'seg': (512, 2048)}
CITYSCAPES_SHAPE = (1024, 2048)

# How each paper counted: 'fvcore' = one per multiply-add of convs, linears and matmuls
# (mmengine's jit counter + attention); 'mmcv-hooks' = mmcv 1.x's module-hook counter.
PAPER_CONVENTIONS = {
    'TransXNet': ('mmcv-hooks', 'README column = mmcv 1.x get_model_complexity_info'),
    'FcaFormer': ('fvcore', 'official code counts with fvcore'),
    'FcaFormerPlain': ('fvcore', 'as FcaFormer'),
    'MixFormer': ('mixformer-readme', 'PaddleClas flops() helpers (classifier only; dense '
                                      'configs fall back to fvcore)'),
    'HybridFormer': ('fvcore', 'inferred: the author\'s sibling SUMMNet counts with fvcore'),
    'HLG': ('fvcore', 'the README\'s counter is unknown'),
    'VisionTransformer': ('fvcore', 'SETR reports no FLOPs'),
}
CONVENTIONS = ('mmengine', 'fvcore', 'mmcv-hooks')


def task_of(model: nn.Module) -> str:
    """'cls', 'det' or 'seg' from the package that defines the model's class."""
    package = type(model).__module__.split('.')[0]
    tasks = {'mmpretrain': 'cls', 'mmdet': 'det', 'mmseg': 'seg'}
    if package not in tasks:
        raise ValueError(f'{type(model).__name__} is not an mmpretrain, mmdet or mmseg model')
    return tasks[package]


def build_model(cfg: Config) -> nn.Module:
    """The config's model, built in its default scope, in eval mode."""
    scope = cfg.get('default_scope')
    if scope is None:
        raise ValueError('the config has no default_scope (mmdet / mmseg / mmpretrain)')
    with DefaultScope.overwrite_default_scope(scope):
        registry = __import__(f'{scope}.registry', fromlist=['MODELS']).MODELS
        model = registry.build(cfg.model)
    return model.eval()


def default_shape(cfg: Config, task: str) -> Tuple[int, int]:
    """The papers' input size for the task (Cityscapes segmentors: 1024x2048)."""
    dataset = cfg.get('train_dataloader', {}).get('dataset', {}).get('type', '')
    if task == 'seg' and 'Cityscapes' in str(dataset):
        return CITYSCAPES_SHAPE
    return DEFAULT_SHAPES[task]


class TensorForward(nn.Module):
    """``model`` as a module of one tensor: the classifier's logits, the detector's head
    outputs (two-stage: RPN proposals, then the RoI heads) or the segmentor's decode head.

    Mask heads run on the first 100 proposals, as in the dummy forward that mmdet's published
    FLOPs (and the papers' tables) count: mmdet 3's tensor forward caps Mask R-CNN there but
    runs Cascade Mask R-CNN's three mask heads on all 1000 proposals, where inference runs
    them on at most 100 detections.
    """

    def __init__(self, model: nn.Module, task: str, shape: Tuple[int, int]) -> None:
        super().__init__()
        self.model, self.task = model, task
        self.samples = None
        if task == 'det':
            from mmdet.structures import DetDataSample
            h, w = shape
            meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w),
                        batch_input_shape=(h, w), scale_factor=(1., 1.))
            self.samples = [DetDataSample(metainfo=meta)]

    def forward(self, x: torch.Tensor):
        if self.task == 'cls':
            return self.model(x, mode='tensor')
        if self.task == 'det':
            head = getattr(self.model, 'roi_head', None)
            if getattr(head, 'num_stages', 0) and head.with_mask:
                return self._cascade_forward(x)
            return self.model._forward(x, self.samples * x.shape[0])
        return self.model._forward(x)

    def _cascade_forward(self, x: torch.Tensor) -> tuple:
        from mmdet.structures.bbox import bbox2roi
        model, head = self.model, self.model.roi_head
        samples = self.samples * x.shape[0]
        feats = model.extract_feat(x)
        proposals = model.rpn_head.predict(feats, samples, rescale=False)
        mask_head, head.mask_head = head.mask_head, None  # the box stages on every proposal
        try:
            boxes = head.forward(feats, proposals, samples)
        finally:
            head.mask_head = mask_head
        rois = bbox2roi([p.bboxes for p in proposals])[:100]
        masks = tuple(head._mask_forward(i, feats, rois)['mask_preds']
                      for i in range(head.num_stages))
        return boxes + masks


def backbone_type(cfg: Config) -> str:
    kind = str(cfg.model.get('backbone', {}).get('type', ''))
    return kind.split('.')[-1]


def complexity(cfg: Config, shape: Optional[Sequence[int]] = None,
               conventions: Sequence[str] = CONVENTIONS) -> Dict[str, object]:
    """Params and FLOPs of a config's model on a synthetic 1x3xHxW input.

    Args:
        cfg: A loaded config.
        shape: (H, W); the task's paper default when None.
        conventions: Any of 'mmengine' (mmengine's jit counter as is: no attention inside
            scaled_dot_product_attention), 'fvcore' (the same + attention matmuls),
            'mmcv-hooks' (mmcv 1.x's module hooks), 'paper' (the backbone family's own).

    Returns:
        dict: task, shape, params, one FLOPs entry per convention, and for 'paper' the name
        of the convention used.
    """
    model = build_model(cfg)
    task = task_of(model)
    shape = tuple(shape) if shape else default_shape(cfg, task)
    wrapped = TensorForward(model, task, shape).eval()
    x = (torch.rand(1, 3, *shape), )
    result: Dict[str, object] = dict(
        task=task, shape=shape, params=sum(p.numel() for p in model.parameters()))
    counters: Dict[str, Callable[[], float]] = {
        'mmengine': lambda: count_flops(wrapped, x, with_attention=False),
        'fvcore': lambda: count_flops(wrapped, x),
        'mmcv-hooks': lambda: count_flops_module_hooks(wrapped, x),
    }
    for name in conventions:
        if name == 'paper':
            paper = paper_convention(cfg, task, shape)
            result['paper_convention'] = paper
            if paper == 'mixformer-readme':
                backbone = cfg.model.backbone
                classes = cfg.model.head.get('num_classes', 1000)
                result['paper'] = mixformer_readme_flops(backbone.arch, shape, classes)
            else:
                result['paper'] = counters[paper]()
        elif name in counters:
            result[name] = counters[name]()
        else:
            raise ValueError(f'unknown FLOP convention {name!r}: choose from '
                             f'{CONVENTIONS + ("paper", )}')
    return result


def paper_convention(cfg: Config, task: str, shape: Sequence[int]) -> str:
    """The counting convention of the config's backbone family (fvcore when unknown)."""
    convention = PAPER_CONVENTIONS.get(backbone_type(cfg), ('fvcore', ''))[0]
    if convention == 'mixformer-readme' and (task != 'cls' or any(s % 32 for s in shape)):
        return 'fvcore'
    return convention


def load_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """A config file with ``--cfg-options`` merged in, mmhybrid's models registered."""
    import mmhybrid  # noqa: F401 (registers the models)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def load_model(config: str, checkpoint: Optional[str] = None,
               cfg_options: Optional[dict] = None) -> Tuple[nn.Module, Config]:
    """Build a config's model (eval mode) and load an mmhybrid/mmengine checkpoint into it.

    Without a checkpoint the model is initialised by its init_cfg; a backbone Pretrained file
    that is not on disk is skipped (with a warning) rather than downloaded.
    """
    from mmengine.runner import load_checkpoint

    from mmhybrid.utils import trusted_checkpoint_loading
    cfg = load_config(config, cfg_options)
    init_cfg = cfg.model.get('backbone', {}).get('init_cfg') or {}
    path = str(init_cfg.get('checkpoint', ''))
    if not checkpoint and init_cfg.get('type') == 'Pretrained' and not osp.isfile(path):
        print_log(f'backbone Pretrained {path} is not on disk: random init', logger='current',
                  level=30)
        cfg.model.backbone.init_cfg = None
    model = build_model(cfg)
    if checkpoint:
        with trusted_checkpoint_loading():
            load_checkpoint(model, checkpoint, map_location='cpu')
    else:
        model.init_weights()
    return model.eval(), cfg


def normalisation(cfg: Config) -> Tuple[list, list]:
    """Mean and std (RGB) of the config's data preprocessor."""
    pre = cfg.model.get('data_preprocessor', {})
    return (list(pre.get('mean', [123.675, 116.28, 103.53])),
            list(pre.get('std', [58.395, 57.12, 57.375])))
