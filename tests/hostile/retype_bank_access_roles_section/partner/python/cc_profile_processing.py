def feature_transform(*args):
    return None
