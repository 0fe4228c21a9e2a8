# Mask R-CNN 1x with the HLG paper's recipe (section 4.2 and its Mask R-CNN table; the
# official repo has only a model base config, hlg-detection/configs/_base_/models/
# mask_rcnn_hlg_fpn.py): the RetinaNet recipe of hlg_1x_recipe.py, i.e. AdamW 1e-4, wd 1e-4
# without decay on norms, multi-scale training (short side 640-800, long up to 1333), batch 16.
_base_ = ['../det/maskrcnn_1x.py', './hlg_1x_recipe.py']

optim_wrapper = {{_base_.hlg_optim_wrapper}}
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    {{_base_.hlg_ms_resize}},
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
