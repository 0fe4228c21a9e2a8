# RetinaNet 1x with the official HLG detection recipe (hlg-detection/configs/retinanet_hlg):
# hlg_1x_recipe.py's AdamW 1e-4 / wd 1e-4 without decay on norms and multi-scale training.
_base_ = ['../det/retinanet_1x.py', './hlg_1x_recipe.py']

optim_wrapper = {{_base_.hlg_optim_wrapper}}
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    {{_base_.hlg_ms_resize}},
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
