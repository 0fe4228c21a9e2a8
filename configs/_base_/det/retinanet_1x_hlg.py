# RetinaNet 1x with the official HLG detection recipe (hlg-detection/configs/retinanet_hlg):
# retinanet_1x.py's AdamW 1e-4 / wd 1e-4 without decay on norms, and multi-scale training
# (short side 640-800).
_base_ = ['./retinanet_1x.py']

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
