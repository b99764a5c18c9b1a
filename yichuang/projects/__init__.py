"""Investment projects (投资项目): project code, staged parallel approval, whole-process tracking."""
