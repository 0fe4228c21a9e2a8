# Toy ADE20K written by tools/misc/make_toy_data.py: real ADE20K layout, 256x256 images.
toy_ade20k_root = 'data/toy/ade/ADEChallengeData2016'
toy_ade20k_crop = (128, 128)
toy_ade20k_train = dict(
    data_root=toy_ade20k_root,
    data_prefix=dict(img_path='images/training', seg_map_path='annotations/training'),
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', reduce_zero_label=True),
        dict(type='RandomResize', scale=(256, 256), ratio_range=(0.5, 1.0), keep_ratio=True),
        dict(type='RandomCrop', crop_size=toy_ade20k_crop, cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackSegInputs'),
    ])
toy_ade20k_val = dict(
    data_root=toy_ade20k_root,
    data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(256, 256), keep_ratio=True),
        dict(type='LoadAnnotations', reduce_zero_label=True),
        dict(type='PackSegInputs'),
    ])
