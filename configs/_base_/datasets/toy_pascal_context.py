# Toy Pascal Context written by tools/misc/make_toy_data.py: real VOC2010 / Pascal Context
# layout, 320x240 images, 60 labels (0 = background).
toy_pascal_context_root = 'data/toy/VOCdevkit/VOC2010/'
toy_pascal_context_crop = (128, 128)
toy_pascal_context_train = dict(
    data_root=toy_pascal_context_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassContext'),
    ann_file='ImageSets/SegmentationContext/train.txt',
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='RandomResize', scale=(260, 260), ratio_range=(0.5, 1.0), keep_ratio=True),
        dict(type='RandomCrop', crop_size=toy_pascal_context_crop, cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackSegInputs'),
    ])
toy_pascal_context_val = dict(
    data_root=toy_pascal_context_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassContext'),
    ann_file='ImageSets/SegmentationContext/val.txt',
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(260, 260), keep_ratio=True),
        dict(type='LoadAnnotations'),
        dict(type='PackSegInputs'),
    ])
