# RetinaNet + HLG-Tiny, COCO 1x:
# the official recipe (hlg-detection/configs/retinanet_hlg: AdamW 1e-4, wd 1e-4, no decay
# on norms, multi-scale training with short sides 640-800).
_base_ = ['./_base_/det/retinanet_1x.py', './_base_/backbones/hlg_t.py']

model = dict(backbone={{_base_.backbone_p3}},
             neck=dict(in_channels={{_base_.backbone_p3_channels}}))
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'norm': dict(decay_mult=0.)}))
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize', scales=[(1333, 640), (1333, 672), (1333, 704),
                                            (1333, 736), (1333, 768), (1333, 800)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
