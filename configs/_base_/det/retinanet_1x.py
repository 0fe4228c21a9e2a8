# RetinaNet + FPN, COCO 1x, with the PVT-style AdamW recipe (lr 1e-4, wd 1e-4; mmdet
# configs/pvt/retinanet_pvt-t_fpn_1x_coco.py), which the TransXNet RetinaNet configs also use.
# Backbones return only the 3 levels the FPN reads (out_indices (1, 2, 3)), as mmdet's Swin
# RetinaNet does, so no parameter goes unused under DDP. tools/test.py --tta: mmdet's RetinaNet
# multi-scale + flip (configs/retinanet/retinanet_tta.py).
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py', '../reliability.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

model = dict(neck=dict(start_level=0, add_extra_convs='on_input', num_outs=5))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4))
auto_scale_lr = dict(enable=False, base_batch_size=16)
tta_model = dict(
    type='DetTTAModel',
    tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.5), max_per_img=100))
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale=s, keep_ratio=True)
         for s in [(1333, 800), (666, 400), (2000, 1200)]],
        [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)],
        [dict(type='LoadAnnotations', with_bbox=True)],
        [dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                               'scale_factor', 'flip', 'flip_direction'))],
    ]),
]

default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(sampler=dict(type='mmhybrid.SeededDefaultSampler'))
