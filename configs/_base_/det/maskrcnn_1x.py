# Mask R-CNN + FPN, COCO 1x (12 epochs, steps 8/11), with the Swin-style AdamW recipe
# (mmdet configs/swin/mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py). Leaf configs replace the backbone.
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py', '../reliability.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        _delete_=True, type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={
        'absolute_pos_embed': dict(decay_mult=0.),
        'relative_position_bias_table': dict(decay_mult=0.),
        'norm': dict(decay_mult=0.)}))
# 8 GPUs x 2 images.
auto_scale_lr = dict(enable=False, base_batch_size=16)

default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(sampler=dict(type='mmhybrid.SeededDefaultSampler'))
