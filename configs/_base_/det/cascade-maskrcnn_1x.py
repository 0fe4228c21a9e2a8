# Cascade Mask R-CNN + FPN, COCO 1x, as mmdet's ConvNeXt Cascade configs
# (configs/convnext/cascade-mask-rcnn_convnext-t-p4-w7_fpn_4conv1fc-giou_amp-ms-crop-3x_coco.py):
# three 4conv1fc box heads with SyncBN and GIoU loss, AdamW lr 2e-4, wd 0.05, lr decay 0.7,
# mixed precision (fp32 where no GPU is present).
# ConvNeXt's decay groups blocks into about six layers; mmhybrid's backbones have different
# depths, so the decay here is stage-wise (stem, four stages, rest).
_base_ = [
    'mmdet::_base_/models/cascade-mask-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py', '../reliability.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

cascade_stds = [[0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067]]
model = dict(roi_head=dict(bbox_head=[
    dict(
        type='ConvFCBBoxHead',
        num_shared_convs=4,
        num_shared_fcs=1,
        in_channels=256,
        conv_out_channels=256,
        fc_out_channels=1024,
        roi_feat_size=7,
        num_classes=80,
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                        target_stds=stds),
        reg_class_agnostic=False,
        reg_decoded_bbox=True,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=10.0)) for stds in cascade_stds
]))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='mmhybrid.LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(decay_rate=0.7, decay_type='stage_wise'),
    optimizer=dict(
        _delete_=True, type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05))
auto_scale_lr = dict(enable=False, base_batch_size=16)

default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(sampler=dict(type='mmhybrid.SeededDefaultSampler'))
