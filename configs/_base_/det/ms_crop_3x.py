# Pieces of mmdet's Swin/ConvNeXt 3x recipe, named so that 3x bases can pull them in next to a
# 1x base: 36 epochs, steps 27/33, 1000 warm-up iterations, and the DETR-style multi-scale +
# crop augmentation (short side 480-800).
ms_crop_train_cfg = dict(max_epochs=36)
ms_crop_param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(type='MultiStepLR', begin=0, end=36, by_epoch=True, milestones=[27, 33], gamma=0.1),
]
ms_crop_scales = [(480, 1333), (512, 1333), (544, 1333), (576, 1333), (608, 1333),
                  (640, 1333), (672, 1333), (704, 1333), (736, 1333), (768, 1333), (800, 1333)]
ms_crop_resize = dict(
    type='RandomChoice',
    transforms=[
        [dict(type='RandomChoiceResize', scales=ms_crop_scales, keep_ratio=True)],
        [
            dict(type='RandomChoiceResize', scales=[(400, 1333), (500, 1333), (600, 1333)],
                 keep_ratio=True),
            dict(type='RandomCrop', crop_type='absolute_range', crop_size=(384, 600),
                 allow_negative_crop=True),
            dict(type='RandomChoiceResize', scales=ms_crop_scales, keep_ratio=True),
        ],
    ])
ms_crop_detection_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.5),
    ms_crop_resize,
    dict(type='PackDetInputs'),
]
ms_crop_instance_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    ms_crop_resize,
    dict(type='PackDetInputs'),
]
