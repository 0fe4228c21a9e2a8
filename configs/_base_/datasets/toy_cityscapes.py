# Toy Cityscapes written by tools/misc/make_toy_data.py: real Cityscapes layout, 512x256 images.
toy_cityscapes_root = 'data/toy/cityscapes/'
toy_cityscapes_crop = (128, 256)
toy_cityscapes_train = dict(
    data_root=toy_cityscapes_root,
    data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='RandomResize', scale=(512, 256), ratio_range=(0.5, 1.0), keep_ratio=True),
        dict(type='RandomCrop', crop_size=toy_cityscapes_crop, cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackSegInputs'),
    ])
toy_cityscapes_val = dict(
    data_root=toy_cityscapes_root,
    data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(512, 256), keep_ratio=True),
        dict(type='LoadAnnotations'),
        dict(type='PackSegInputs'),
    ])
